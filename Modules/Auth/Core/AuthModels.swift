public import CabinetCore
public import Foundation

/// How a person logged in.
public enum LoginMethod: String, Sendable, Hashable, CaseIterable, Codable {
    case otp, password, puk, social, push
}

/// What a one-time code is for; a code is accepted only for the purpose (and session) it was issued for.
public enum CodePurpose: String, Sendable, Hashable, CaseIterable {
    case login
    /// "Вспомнить пароль": a code to set a new password.
    case reset
    /// A fresh code before a sensitive action in an existing session.
    case stepUp = "step-up"
    /// Proves ownership of a number being linked to the profile.
    case link
    /// Confirms an e-mail address.
    case email
    /// Sent to a line's contact number to block its lost SIM without a login.
    case simBlock = "sim-block"
}

/// Who is asking, as far as the server can tell.
public struct ClientInfo: Sendable, Hashable {
    public var address: String?
    public var userAgent: String?
    /// A long-lived random id the browser keeps (`cabinet_device` cookie) or an app sends; new ones raise an alert.
    public var deviceID: String?
    /// The language of the request (cookie, `?lang=`, `Accept-Language`): texts sent because of this request use it.
    /// Not stored with sessions or the journal; Russian when unknown.
    public var language: Language

    public init(address: String? = nil, userAgent: String? = nil, deviceID: String? = nil, language: Language = .ru) {
        self.address = address
        self.userAgent = userAgent.map { String($0.prefix(300)) }
        self.deviceID = deviceID.map { String($0.prefix(100)) }
        self.language = language
    }
}

/// A message Auth wants sent, written by the store into the outbox in the same transaction.
public struct OutgoingText: Sendable, Hashable {
    public enum Recipient: Sendable, Hashable {
        case phone(MSISDN)
        case email(String)
    }

    public var to: Recipient
    public var subject: String?
    public var text: String
    public var purpose: String
    public var sensitive: Bool

    public init(to: Recipient, subject: String? = nil, text: String, purpose: String, sensitive: Bool = false) {
        self.to = to
        self.subject = subject
        self.text = text
        self.purpose = purpose
        self.sensitive = sensitive
    }
}

/// A server-side session. The token the client holds is never stored: only its SHA-256.
public struct AuthSession: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case web, api }

    /// Public id (shown in the session list, used to end one session); not a secret.
    public var id: String
    public var tokenHash: String
    public var subscriberID: SubscriberID
    public var msisdn: MSISDN
    /// The line requests act on; starts as the login line.
    public var actingSubscriberID: SubscriberID
    public var kind: Kind
    public var method: LoginMethod
    public var createdAt: Date
    public var lastSeenAt: Date
    /// The absolute end, however active the session is.
    public var expiresAt: Date
    /// Inactivity after which the session ends.
    public var idleTimeout: Duration
    public var client: ClientInfo
    public var steppedUpAt: Date?
    /// The line whose number received the code behind ``steppedUpAt`` (the own line after a code login).
    public var steppedUpFor: SubscriberID?
    public var passwordRequired: Bool
    public var csrfToken: String

    public init(
        id: String, tokenHash: String, subscriberID: SubscriberID, msisdn: MSISDN, actingSubscriberID: SubscriberID,
        kind: Kind, method: LoginMethod, createdAt: Date, lastSeenAt: Date, expiresAt: Date, idleTimeout: Duration,
        client: ClientInfo, steppedUpAt: Date?, steppedUpFor: SubscriberID? = nil, passwordRequired: Bool,
        csrfToken: String
    ) {
        self.id = id
        self.tokenHash = tokenHash
        self.subscriberID = subscriberID
        self.msisdn = msisdn
        self.actingSubscriberID = actingSubscriberID
        self.kind = kind
        self.method = method
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
        self.idleTimeout = idleTimeout
        self.client = client
        self.steppedUpAt = steppedUpAt
        self.steppedUpFor = steppedUpAt == nil ? nil : steppedUpFor ?? subscriberID
        self.passwordRequired = passwordRequired
        self.csrfToken = csrfToken
    }

    /// Whether the session is still valid at `now`.
    public func isAlive(at now: Date) -> Bool {
        now < expiresAt && now.timeIntervalSince(lastSeenAt) < idleTimeout.timeInterval
    }

    public var info: SessionInfo {
        SessionInfo(
            id: id, subscriberID: subscriberID, msisdn: msisdn, steppedUpAt: steppedUpAt, steppedUpFor: steppedUpFor,
            passwordChangeRequired: passwordRequired, csrfToken: csrfToken)
    }
}

/// What happened, for the visit journal the subscriber reads.
public struct JournalEntry: Sendable, Hashable {
    public enum Event: String, Sendable, Hashable, CaseIterable {
        case loginSucceeded = "login.succeeded"
        case loginFailed = "login.failed"
        case logout
        case logoutOthers = "logout.others"
        case sessionEnded = "session.ended"
        case passwordSet = "password.set"
        case passwordChanged = "password.changed"
        case passwordReset = "password.reset"
        case passwordLocked = "password.locked"
        case pukLocked = "puk.locked"
        case codeLocked = "code.locked"
        case newDevice = "device.new"
        case stepUp = "step-up"
        case linkAdded = "link.added"
        case linkRemoved = "link.removed"
        case delegationGranted = "delegation.granted"
        case delegationRevoked = "delegation.revoked"
        case socialLinked = "social.linked"
        case socialUnlinked = "social.unlinked"
        case emailConfirmed = "email.confirmed"
        case emailChanged = "email.changed"
        /// A support agent opened the line's balance and requests to answer a ticket (Support records it).
        case supportViewed = "support.viewed"
    }

    public var id: Int64?
    public var subscriberID: SubscriberID?
    /// The number the attempt was for (kept for failures on numbers that do not exist, never shown to anyone).
    public var msisdn: String
    public var at: Date
    public var event: Event
    public var method: LoginMethod?
    public var client: ClientInfo
    public var detail: String?

    public init(
        id: Int64? = nil, subscriberID: SubscriberID?, msisdn: String, at: Date, event: Event,
        method: LoginMethod? = nil, client: ClientInfo = ClientInfo(), detail: String? = nil
    ) {
        self.id = id
        self.subscriberID = subscriberID
        self.msisdn = msisdn
        self.at = at
        self.event = event
        self.method = method
        self.client = client
        self.detail = detail
    }
}

/// Rights a line owner gave another number.
public struct Delegation: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var ownerID: SubscriberID
    public var ownerMSISDN: MSISDN
    public var grantee: MSISDN
    public var scopes: Set<AccessScope>
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    public init(
        id: Int64, ownerID: SubscriberID, ownerMSISDN: MSISDN, grantee: MSISDN, scopes: Set<AccessScope>,
        createdAt: Date, expiresAt: Date, revokedAt: Date?
    ) {
        self.id = id
        self.ownerID = ownerID
        self.ownerMSISDN = ownerMSISDN
        self.grantee = grantee
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    public func isActive(at now: Date) -> Bool { revokedAt == nil && now < expiresAt }
}

/// A social identity linked to a line: provider plus the provider's stable subject id (never the e-mail).
public struct LinkedIdentity: Sendable, Hashable {
    public var provider: String
    public var subject: String
    public var subscriberID: SubscriberID
    public var displayName: String?
    public var linkedAt: Date

    public init(provider: String, subject: String, subscriberID: SubscriberID, displayName: String?, linkedAt: Date) {
        self.provider = provider
        self.subject = subject
        self.subscriberID = subscriberID
        self.displayName = displayName
        self.linkedAt = linkedAt
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`, for `Date` arithmetic.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
