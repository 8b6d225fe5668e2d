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

    public init(
        purpose: CodePurpose, key: String, clientAddress: String?, limits: SendLimits, now: Date, issue: CodeIssue?
    ) {
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

    public init(
        subscriberID: SubscriberID?, sessionID: String?, target: String?, codeHash: String, expiresAt: Date,
        message: OutgoingText?
    ) {
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
    /// Wrong codes for one number from one address before that pair is locked for ``lockDuration``.
    public var maxFailuresBeforeLock: Int
    /// Wrong codes for one number from all addresses before codes sent until then stop working for
    /// ``lockDuration`` (a code sent after the lock began still works: the owner is not locked out by strangers).
    public var maxFailuresPerNumber: Int
    public var lockDuration: Duration
    public var clientAddress: String?
    /// Wrong codes one address may enter per hour across all numbers.
    public var maxFailuresPerAddressPerHour: Int
    /// Written to the journal in the same transaction when the check fails (one commit per guess, not two).
    public var failureJournal: JournalEntry?

    public init(
        purpose: CodePurpose, key: String, sessionID: String?, codeHash: String, now: Date, maxAttempts: Int,
        maxFailuresBeforeLock: Int, maxFailuresPerNumber: Int, lockDuration: Duration, clientAddress: String?,
        maxFailuresPerAddressPerHour: Int
    ) {
        self.maxFailuresPerNumber = maxFailuresPerNumber
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

extension CodeCheck {
    /// The failure key of this number from this address.
    public var pairKey: String { key + "|" + (clientAddress ?? "-") }

    /// When a number lock ending at `until` began.
    public func numberLockStart(until: Date) -> Date { until.addingTimeInterval(-lockDuration.timeInterval) }
}

public enum CodeRequestOutcome: Sendable, Hashable {
    /// Recorded (and sent, when there was a code to send). The next code can be asked for at `nextAt`.
    case accepted(nextAt: Date)
    case refused(CabinetError)
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

/// One-time codes, the rate limits on sending and entering them, and the failure counters and locks of every
/// factor (codes, passwords, PUKs).
///
/// Each method is one atomic step: two concurrent requests can never both use one code, both pass a limit, or
/// lose a failure between them.
public protocol CodeStore: Sendable {
    /// Records a request for a code against the limits of its key (and of the client's address) and, when the
    /// request carries an ``CodeIssue``, stores the code as the only valid one of its purpose and key and queues
    /// its message.
    ///
    /// Refused, with the seconds until a retry can succeed, when the last request for the key was less than
    /// `resendInterval` ago, when `maxPerDay` requests fell in the last 24 hours or `maxPerHour` in the last hour,
    /// or when the address made `maxPerAddressPerHour` requests in the last hour. A refused request is not counted.
    func requestCode(_ request: CodeRequest) async throws -> CodeRequestOutcome

    /// Checks an entered code against the newest valid code of its purpose and key (and session, when the check
    /// names one). A right code is used up and clears the key's code failures; a wrong one costs the code an
    /// attempt (the last attempt kills it) and counts a failure for the key and the address, locking the key for
    /// `lockDuration` at `maxFailuresBeforeLock` consecutive failures. Expired or exhausted codes cost nothing.
    /// When the check fails and carries a `failureJournal` entry, the entry is written with the outcome as detail.
    func checkCode(_ check: CodeCheck) async throws -> CodeCheckOutcome

    /// The consecutive failures of a factor (`password`, `puk`, `otp`) for a key (a subscriber id as text, or a
    /// number), and its lock; an empty state when there were none.
    func failureState(factor: String, key: String) async throws -> FailureState

    /// Counts a failure of a factor for a key; locks until `lockUntil(consecutive)` when it returns a date. After a
    /// lock has run out the count starts again from one.
    func recordFailure(factor: String, key: String, now: Date, lockUntil: @escaping @Sendable (Int) -> Date?)
        async throws -> FailureState

    /// Forgets the failures (and the lock) of a factor for a key.
    func clearFailures(factor: String, key: String) async throws
    /// Forgets the failures of every key of a factor (a PUK re-issued lifts its locks from every address).
    func clearFailures(factor: String) async throws
}
