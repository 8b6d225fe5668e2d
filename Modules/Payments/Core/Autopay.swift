public import CabinetCore
public import Foundation

/// A line's auto-payment rule: top up from the default saved card when the balance falls below a threshold, or on
/// a day of every month; never more than `monthlyCap` a calendar month.
public struct AutopayRule: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case threshold
        case schedule
    }

    public var line: SubscriberID
    public var kind: Kind
    /// `threshold`: top up when the balance is below this.
    public var threshold: Money?
    /// `schedule`: the day of month (1–28) in the region's time zone.
    public var dayOfMonth: Int?
    public var amount: Money
    public var monthlyCap: Money
    public var updatedAt: Date

    public init(
        line: SubscriberID, kind: Kind, threshold: Money?, dayOfMonth: Int?, amount: Money, monthlyCap: Money,
        updatedAt: Date
    ) {
        self.line = line
        self.kind = kind
        self.threshold = threshold
        self.dayOfMonth = dayOfMonth
        self.amount = amount
        self.monthlyCap = monthlyCap
        self.updatedAt = updatedAt
    }
}

/// One occasion to auto-pay (the balance fell below the threshold; the scheduled day came), charged at most once:
/// its key is unique (`schedule:<line>:<YYYY-MM>`, `threshold:<line>:<n>`), each attempt's payment id is derived from
/// it, and the gateway takes that id as its idempotence key.
public struct AutopayTrigger: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable {
        case open
        case paid
        case failed
        /// Not charged: the monthly cap would be exceeded, or there is no card any more.
        case skipped
    }

    public var key: String
    public var line: SubscriberID
    public var amount: Money
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var createdAt: Date

    public init(
        key: String, line: SubscriberID, amount: Money, status: Status, attempts: Int, nextAttemptAt: Date,
        createdAt: Date
    ) {
        self.key = key
        self.line = line
        self.amount = amount
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
    }

    /// The payment of attempt `attempt` (1, 2, …).
    public func paymentID(attempt: Int) -> String {
        "pay_auto_\(key.replacingOccurrences(of: ":", with: "_"))_\(attempt)"
    }
}

/// Lines whose balance changed since the auto-payment job last looked (Billing reports them after each write), so
/// a threshold is acted on within moments instead of at the next full scan.
public actor BalanceWatch {
    private var lines: Set<SubscriberID> = []
    private var lastFullScan: Date = .distantPast

    public init() {}

    public func add(_ changed: [SubscriberID]) {
        lines.formUnion(changed)
    }

    /// The lines to look at now, and whether a full scan of every rule is due (every `interval`).
    public func next(now: Date, interval: TimeInterval) -> (lines: Set<SubscriberID>, fullScan: Bool) {
        defer { lines = [] }
        if now.timeIntervalSince(lastFullScan) >= interval {
            lastFullScan = now
            return ([], true)
        }
        return (lines, false)
    }
}
