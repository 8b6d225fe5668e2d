public import CabinetCore
public import Foundation

/// A "press 1 to confirm" login waiting for the network's answer.
public struct PushLogin: Sendable, Hashable {
    public enum Status: String, Sendable { case pending, confirmed, declined, used }
    public var id: String
    /// `nil` for a number that is not a line: the request exists (so it looks pending) but can never be confirmed.
    public var subscriberID: SubscriberID?
    public var msisdn: MSISDN
    public var status: Status
    public var createdAt: Date
    public var expiresAt: Date

    public init(
        id: String, subscriberID: SubscriberID?, msisdn: MSISDN, status: Status, createdAt: Date, expiresAt: Date
    ) {
        self.id = id
        self.subscriberID = subscriberID
        self.msisdn = msisdn
        self.status = status
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// A pending social login or link: PKCE verifier and intent, keyed by the `state` sent to the provider.
public struct SocialState: Sendable, Hashable {
    public enum Intent: String, Sendable { case login, link }
    public var state: String
    public var provider: String
    public var verifier: String
    public var intent: Intent
    public var sessionID: String?
    public var expiresAt: Date
    /// SHA-256 of the nonce in the cookie of the browser that started the flow.
    public var browserHash: String

    public init(
        state: String, provider: String, verifier: String, intent: Intent, sessionID: String?, expiresAt: Date,
        browserHash: String
    ) {
        self.browserHash = browserHash
        self.state = state
        self.provider = provider
        self.verifier = verifier
        self.intent = intent
        self.sessionID = sessionID
        self.expiresAt = expiresAt
    }
}

public enum DeviceOutcome: Sendable, Hashable {
    /// The line never logged in from any remembered device (its owner is told, as of a new one).
    case first
    case known
    /// A device the line has not used before, while others are known.
    case new
}

/// Being logged in and getting there: server-side sessions, the devices a line logged in from, push logins
/// waiting for the network's answer and social logins waiting for the provider's.
public protocol SessionStore: Sendable {
    /// Stores a new session (its id and token hash are new).
    func insertSession(_ session: AuthSession) async throws

    /// The session whose token has this SHA-256, alive or not (the caller checks the timeouts).
    func session(tokenHash: String) async throws -> AuthSession?

    /// The session with this public id.
    func session(id: String) async throws -> AuthSession?

    /// Every stored session of the person who logged in with this line, alive or not, in no particular order.
    func sessions(of subscriber: SubscriberID) async throws -> [AuthSession]

    /// Saves the fields of a session that change after login: the token hash (rotation; the old hash stops finding
    /// it), the acting line, the last activity, the step-up time and the password flag.
    func updateSession(_ session: AuthSession) async throws

    /// Ends a session; nothing happens when there is none.
    func deleteSession(id: String) async throws

    /// Ends every session of the person except `keeping`; returns how many ended.
    func deleteSessions(of subscriber: SubscriberID, except keeping: String?) async throws -> Int

    /// Remembers a device of a line and says whether it is the line's first, a known or a new one.
    func rememberDevice(_ deviceHash: String, for subscriber: SubscriberID, now: Date) async throws -> DeviceOutcome

    /// Stores a new push login request.
    func insertPush(_ push: PushLogin) async throws

    /// A push login request by id, whatever its status and expiry.
    func push(id: String) async throws -> PushLogin?

    /// Moves a pending request of a real line to `status`; `false` when it was not pending, has expired, or
    /// belongs to a number that is not a line.
    func resolvePush(id: String, to status: PushLogin.Status, now: Date) async throws -> Bool

    /// Marks a confirmed request used, once and only before it expires; `true` for the caller that got it.
    func usePush(id: String, now: Date) async throws -> Bool

    /// Stores a pending social login or link under its `state`.
    func saveSocialState(_ state: SocialState) async throws

    /// Returns and deletes the state (a state is usable once); `nil` when there is none or it has expired (an
    /// expired state is deleted all the same).
    func takeSocialState(_ state: String, now: Date) async throws -> SocialState?
}
