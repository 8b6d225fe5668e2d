public import CabinetCore
public import Foundation

/// Limits on sending one-time codes, checked atomically with recording the request.
public struct SendLimits: Sendable, Hashable {
    public var resendInterval: Duration
    public var maxPerHour: Int
    public var maxPerDay: Int
    public var maxPerAddressPerHour: Int

    public init(resendInterval: Duration, maxPerHour: Int, maxPerDay: Int, maxPerAddressPerHour: Int) {
        self.resendInterval = resendInterval
        self.maxPerHour = maxPerHour
        self.maxPerDay = maxPerDay
        self.maxPerAddressPerHour = maxPerAddressPerHour
    }
}

/// A request for a one-time code. Recorded for rate limiting whether or not a code is sent, so an unknown number
/// is limited exactly like a known one and cannot be told apart.
public struct CodeRequest: Sendable {
    public var purpose: CodePurpose
    /// Whom the limits count: the number (E.164) or the e-mail address.
    public var key: String
    public var clientAddress: String?
    public var limits: SendLimits
    public var now: Date
    /// The code to store and the message carrying it; `nil` to count the request only (push logins).
    public var issue: CodeIssue?

    public init(purpose: CodePurpose, key: String, clientAddress: String?, limits: SendLimits, now: Date, issue: CodeIssue?) {
        self.purpose = purpose
        self.key = key
        self.clientAddress = clientAddress
        self.limits = limits
        self.now = now
        self.issue = issue
    }
}

public struct CodeIssue: Sendable {
    public var subscriberID: SubscriberID?
    /// Binds the code to a session (step-up, linking, e-mail): no other session can use it.
    public var sessionID: String?
    /// What the code confirms (the number being linked, the e-mail being confirmed).
    public var target: String?
    public var codeHash: String
    public var expiresAt: Date
    /// The message carrying the code; `nil` for a number that is not a line: the code is stored all the same (and
    /// never sent), so wrong guesses for it behave exactly like wrong guesses for a real code.
    public var message: OutgoingText?

    public init(subscriberID: SubscriberID?, sessionID: String?, target: String?, codeHash: String, expiresAt: Date,
                message: OutgoingText?) {
        self.subscriberID = subscriberID
        self.sessionID = sessionID
        self.target = target
        self.codeHash = codeHash
        self.expiresAt = expiresAt
        self.message = message
    }
}

/// A code entered by a person, to be checked atomically (a code is used once, even by two concurrent tries).
public struct CodeCheck: Sendable {
    public var purpose: CodePurpose
    public var key: String
    public var sessionID: String?
    /// Computes the stored hash a candidate code would have (keyed by the row's own salt-free inputs).
    public var codeHash: String
    public var now: Date
    public var maxAttempts: Int
    public var maxFailuresBeforeLock: Int
    public var lockDuration: Duration
    public var clientAddress: String?
    /// Wrong codes one address may enter per hour across all numbers.
    public var maxFailuresPerAddressPerHour: Int
    /// Written to the journal in the same transaction when the check fails (one commit per guess, not two).
    public var failureJournal: JournalEntry?

    public init(purpose: CodePurpose, key: String, sessionID: String?, codeHash: String, now: Date, maxAttempts: Int,
                maxFailuresBeforeLock: Int, lockDuration: Duration, clientAddress: String?, maxFailuresPerAddressPerHour: Int) {
        self.purpose = purpose
        self.key = key
        self.sessionID = sessionID
        self.codeHash = codeHash
        self.now = now
        self.maxAttempts = maxAttempts
        self.maxFailuresBeforeLock = maxFailuresBeforeLock
        self.lockDuration = lockDuration
        self.clientAddress = clientAddress
        self.maxFailuresPerAddressPerHour = maxFailuresPerAddressPerHour
    }
}

public enum CodeCheckOutcome: Sendable, Hashable {
    case valid(subscriberID: SubscriberID?, target: String?)
    case wrong(remaining: Int)
    /// No valid code: none was sent, it was used, replaced by a newer one, or killed by wrong tries.
    case noCode
    case expired
    case exhausted
    case locked(until: Date)
    case addressLimited(until: Date)
}

/// Consecutive failures of one factor (`password`, `puk`) for one key, and the lock they led to.
public struct FailureState: Sendable, Hashable {
    public var consecutive: Int
    public var lastFailureAt: Date?
    public var lockedUntil: Date?

    public init(consecutive: Int = 0, lastFailureAt: Date? = nil, lockedUntil: Date? = nil) {
        self.consecutive = consecutive
        self.lastFailureAt = lastFailureAt
        self.lockedUntil = lockedUntil
    }
}

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

    public init(id: String, subscriberID: SubscriberID?, msisdn: MSISDN, status: Status, createdAt: Date, expiresAt: Date) {
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

    public init(state: String, provider: String, verifier: String, intent: Intent, sessionID: String?, expiresAt: Date) {
        self.state = state
        self.provider = provider
        self.verifier = verifier
        self.intent = intent
        self.sessionID = sessionID
        self.expiresAt = expiresAt
    }
}

/// Everything Auth keeps. Each method is one atomic step (one transaction in the SQL store), so two concurrent
/// requests can never both use one code, exceed a limit, or link past the allowed count.
public protocol AuthStore: Sendable {
    // One-time codes
    func requestCode(_ request: CodeRequest) async throws -> CodeRequestOutcome
    func checkCode(_ check: CodeCheck) async throws -> CodeCheckOutcome

    // Failure counters and locks of passwords and PUKs (key: subscriber id as text)
    func failureState(factor: String, key: String) async throws -> FailureState
    /// Counts a failure; locks until `lockUntil(consecutive)` when it returns a date.
    func recordFailure(factor: String, key: String, now: Date, lockUntil: @escaping @Sendable (Int) -> Date?) async throws -> FailureState
    func clearFailures(factor: String, key: String) async throws

    // Secrets
    func passwordHash(of subscriber: SubscriberID) async throws -> String?
    /// Stores a password hash unless `maxChangesPerDay` changes happened in the last 24 hours (returns `false`).
    func setPassword(_ hash: String, for subscriber: SubscriberID, now: Date, maxChangesPerDay: Int?) async throws -> Bool
    func pukHash(of subscriber: SubscriberID) async throws -> String?
    func setPUK(_ hash: String, for subscriber: SubscriberID, now: Date) async throws

    // Sessions
    func insertSession(_ session: AuthSession) async throws
    func session(tokenHash: String) async throws -> AuthSession?
    func session(id: String) async throws -> AuthSession?
    func sessions(of subscriber: SubscriberID) async throws -> [AuthSession]
    /// Saves changed fields of a session (activity, acting line, step-up, password flag, rotated token).
    func updateSession(_ session: AuthSession) async throws
    func deleteSession(id: String) async throws
    /// Ends every session of the person except `keeping`; returns how many ended.
    func deleteSessions(of subscriber: SubscriberID, except keeping: String?) async throws -> Int

    // Journal and devices
    func record(_ entry: JournalEntry, message: OutgoingText?) async throws
    func journal(of subscriber: SubscriberID, before cursor: Int64?, limit: Int) async throws -> [JournalEntry]
    /// Remembers a device of a line and says whether it is the line's first, a known or a new one.
    func rememberDevice(_ deviceHash: String, for subscriber: SubscriberID, now: Date) async throws -> DeviceOutcome

    // Linked numbers of one person
    /// The group a line belongs to: its root and the other members (the root alone when nothing is linked).
    func linkedGroup(of subscriber: SubscriberID) async throws -> [SubscriberID]
    /// Links `member` to `root`'s group unless the group has `limit` numbers already or `member` is in another group.
    func link(_ member: SubscriberID, to root: SubscriberID, limit: Int, now: Date) async throws -> LinkOutcome
    func unlink(_ member: SubscriberID, from group: [SubscriberID]) async throws -> Bool

    // Delegated access
    func grant(owner: SubscriberID, ownerMSISDN: MSISDN, grantee: MSISDN, scopes: Set<AccessScope>, expiresAt: Date,
               now: Date, messages: [OutgoingText]) async throws -> Delegation
    func revoke(delegation id: Int64, owners: [SubscriberID], now: Date, messages: (Delegation) -> [OutgoingText])
        async throws -> Delegation?
    func delegations(owners: [SubscriberID]) async throws -> [Delegation]
    func delegations(grantee: MSISDN, now: Date) async throws -> [Delegation]
    func activeDelegation(owner: SubscriberID, grantee: MSISDN, now: Date) async throws -> Delegation?

    // Social identities
    func identity(provider: String, subject: String) async throws -> LinkedIdentity?
    func identities(of subscriber: SubscriberID) async throws -> [LinkedIdentity]
    func linkIdentity(_ identity: LinkedIdentity) async throws -> Bool
    func unlinkIdentity(provider: String, subscriber: SubscriberID) async throws -> Bool
    func saveSocialState(_ state: SocialState) async throws
    /// Returns and deletes the state (a state is usable once).
    func takeSocialState(_ state: String, now: Date) async throws -> SocialState?

    // Push confirmation
    func insertPush(_ push: PushLogin) async throws
    func push(id: String) async throws -> PushLogin?
    /// Moves a pending request to `status`; `false` when it was not pending or has expired.
    func resolvePush(id: String, to status: PushLogin.Status, now: Date) async throws -> Bool
    /// Marks a confirmed request used, once; `true` for the caller that got it.
    func usePush(id: String, now: Date) async throws -> Bool

    // E-mail confirmation
    func confirmedEmail(of subscriber: SubscriberID) async throws -> String?
    func confirmEmail(_ email: String, for subscriber: SubscriberID, now: Date) async throws

    /// Deletes what has expired (sessions, codes, rate events, states); returns the number of rows removed.
    func purgeExpired(now: Date) async throws -> Int
}

public enum CodeRequestOutcome: Sendable, Hashable {
    /// Recorded (and sent, when there was a code to send). The next code can be asked for at `nextAt`.
    case accepted(nextAt: Date)
    case refused(CabinetError)
}

public enum DeviceOutcome: Sendable, Hashable {
    /// The line never logged in from any remembered device: nothing to compare with, no alert.
    case first
    case known
    /// A device the line has not used before, while others are known: alert the owner.
    case new
}

public enum LinkOutcome: Sendable, Hashable {
    case linked
    case alreadyLinked
    case limitReached
    case memberOfAnotherGroup
}
