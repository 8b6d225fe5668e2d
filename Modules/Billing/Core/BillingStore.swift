public import CabinetCore
public import Foundation
public import Tariffs

/// Billing's storage: every money rule that must hold under concurrency (funds, exactly-once fees, one charge per
/// usage event) is decided inside the store's transactions. Implemented over SQL in BillingStorage.
public protocol BillingStore: BalanceLedger {
    /// Opens the line's account with its first tariff and period (fee charged, package granted). Idempotent: an
    /// existing account is returned unchanged.
    func openAccount(_ new: NewAccount, now: Date) async throws -> BillingAccount
    func account(of line: SubscriberID) async throws -> BillingAccount?
    func snapshot(of line: SubscriberID, at now: Date) async throws -> AccountSnapshot?

    /// Rates a batch of events that passed ``UsageEvent/validate()``: each event id is charged once, ever.
    func rate(_ events: [UsageEvent], now: Date) async throws -> RatingOutcome
    /// Opens the periods that have come due (fees, packages, rollover) for up to `limit` lines; returns how many lines
    /// moved on. Safe to run on several nodes at once and again after a crash.
    func openDuePeriods(now: Date, limit: Int) async throws -> Int

    /// Applies an immediate tariff change or plans one for the next period, charging what the preview showed;
    /// re-checks funds and the current tariff under the line's lock.
    func changeTariff(_ change: TariffChangeOrder) async throws -> ServiceRequest

    func movements(of line: SubscriberID, query: MovementQuery) async throws -> [LedgerMovement]
    func ratedEvents(of line: SubscriberID, query: UsageQuery) async throws -> [RatedEvent]
    func usageTotals(of line: SubscriberID, query: UsageQuery) async throws -> [UsageTotal]
    /// What each of `lines` spent from `from` until `to`, by kind (see ``LineExpenses``).
    func expenses(of lines: [SubscriberID], from: Date, to: Date) async throws -> [SubscriberID: LineExpenses]
    /// What each of `lines` spent in the calendar month that begins at `monthStart` (in the lines' region), in minor
    /// units: the same total as ``expenses(of:from:to:)`` over the month, from a counter kept with every charge where
    /// the store has one.
    func monthTotals(of lines: [SubscriberID], monthStart: Date, monthEnd: Date) async throws -> [SubscriberID: Int64]

    /// Charges the statement price and queues the order; the statement worker produces and sends it.
    func orderStatement(_ order: StatementOrder) async throws -> ServiceRequest
    /// Orders waiting to be produced, oldest first, claimed for `lease` so another node does not take them too.
    func claimStatements(now: Date, lease: TimeInterval, limit: Int) async throws -> [ClaimedStatement]
    /// Sends the mail (through the outbox, in the same transaction) and marks the request done.
    func completeStatement(_ id: Int64, mail: StatementMail, now: Date) async throws
    /// Refunds the charge and marks the request failed.
    func failStatement(_ id: Int64, reason: String, now: Date) async throws

    /// Proves the ledger's invariants.
    func check() async throws -> LedgerCheckReport
}

/// What rating a batch did.
public struct RatingOutcome: Sendable, Hashable {
    /// Events charged now.
    public var rated: Int
    /// Events seen before (or twice in the batch): not charged again.
    public var duplicates: Int
    /// Events refused, by position in the batch.
    public var rejected: [Int: CabinetError]
    /// Money charged, per currency.
    public var charged: [Currency: Int64]

    public init(
        rated: Int = 0, duplicates: Int = 0, rejected: [Int: CabinetError] = [:], charged: [Currency: Int64] = [:]
    ) {
        self.rated = rated
        self.duplicates = duplicates
        self.rejected = rejected
        self.charged = charged
    }

    public mutating func merge(_ other: RatingOutcome, offset: Int) {
        rated += other.rated
        duplicates += other.duplicates
        for (index, error) in other.rejected { rejected[index + offset] = error }
        for (currency, amount) in other.charged { charged[currency, default: 0] += amount }
    }
}

/// A tariff change as the store applies it: the figures come from the preview the subscriber saw.
public struct TariffChangeOrder: Sendable, Hashable {
    public var line: SubscriberID
    public var region: RegionID
    /// The tariff the preview started from; the store refuses when it is no longer current.
    public var from: TariffID
    public var to: TariffID
    public var timing: TariffChangeTiming
    public var effectiveAt: Date
    public var changeFee: Money
    /// For an immediate change: the new period (prorated fee and package).
    public var newPeriod: PeriodPlan?
    public var now: Date

    public init(
        line: SubscriberID, region: RegionID, from: TariffID, to: TariffID, timing: TariffChangeTiming,
        effectiveAt: Date,
        changeFee: Money, newPeriod: PeriodPlan?, now: Date
    ) {
        self.line = line
        self.region = region
        self.from = from
        self.to = to
        self.timing = timing
        self.effectiveAt = effectiveAt
        self.changeFee = changeFee
        self.newPeriod = newPeriod
        self.now = now
    }
}

/// Filters of the balance history.
public struct MovementQuery: Sendable, Hashable {
    public var from: Date?
    public var to: Date?
    public var kinds: Set<MovementKind>
    /// Entries older than this entry id (keyset paging).
    public var before: Int64?
    public var limit: Int

    public init(
        from: Date? = nil, to: Date? = nil, kinds: Set<MovementKind> = [], before: Int64? = nil, limit: Int = 50
    ) {
        self.from = from
        self.to = to
        self.kinds = kinds
        self.before = before
        self.limit = limit
    }
}

/// Filters of the call-detail statement.
public struct UsageQuery: Sendable, Hashable {
    public var from: Date
    public var to: Date
    public var kinds: Set<UsageEvent.Kind>
    /// Events after this position (`occurredAt` ms, event id) for keyset paging.
    public var after: UsageCursor?
    public var limit: Int

    public init(from: Date, to: Date, kinds: Set<UsageEvent.Kind> = [], after: UsageCursor? = nil, limit: Int = 100) {
        self.from = from
        self.to = to
        self.kinds = kinds
        self.after = after
        self.limit = limit
    }
}

/// A position in a statement: the last event shown.
public struct UsageCursor: Sendable, Hashable {
    public var occurredAt: Date
    public var eventID: String

    public init(occurredAt: Date, eventID: String) {
        self.occurredAt = occurredAt
        self.eventID = eventID
    }

    /// `<ms>~<event id>`, opaque to clients.
    public var token: String { "\(occurredAt.timeIntervalSince1970Milliseconds)~\(eventID)" }

    public init?(token: String) {
        guard let separator = token.firstIndex(of: "~"), let ms = Int64(token[..<separator]) else { return nil }
        self.occurredAt = Date(timeIntervalSince1970: Double(ms) / 1000)
        self.eventID = String(token[token.index(after: separator)...])
        guard !eventID.isEmpty else { return nil }
    }
}

extension Date {
    var timeIntervalSince1970Milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}

/// Totals of one kind of usage in a statement.
public struct UsageTotal: Sendable, Hashable {
    public var kind: UsageEvent.Kind
    public var events: Int
    public var units: Int64
    public var fromPackage: Int64
    public var charged: Money

    public init(kind: UsageEvent.Kind, events: Int, units: Int64, fromPackage: Int64, charged: Money) {
        self.kind = kind
        self.events = events
        self.units = units
        self.fromPackage = fromPackage
        self.charged = charged
    }
}

/// A full statement ordered by a subscriber.
public struct StatementOrder: Sendable, Hashable {
    public var line: SubscriberID
    public var from: LocalDate
    public var to: LocalDate
    public var email: String
    public var language: Language
    public var price: Money
    public var now: Date

    public init(
        line: SubscriberID, from: LocalDate, to: LocalDate, email: String, language: Language, price: Money, now: Date
    ) {
        self.line = line
        self.from = from
        self.to = to
        self.email = email
        self.language = language
        self.price = price
        self.now = now
    }
}

/// An order the worker took to produce.
public struct ClaimedStatement: Sendable, Hashable {
    public var id: Int64
    public var requestID: Int64
    public var account: BillingAccount
    public var from: LocalDate
    public var to: LocalDate
    public var email: String
    public var language: Language
    public var price: Money
    public var attempts: Int

    public init(
        id: Int64, requestID: Int64, account: BillingAccount, from: LocalDate, to: LocalDate, email: String,
        language: Language, price: Money, attempts: Int
    ) {
        self.id = id
        self.requestID = requestID
        self.account = account
        self.from = from
        self.to = to
        self.email = email
        self.language = language
        self.price = price
        self.attempts = attempts
    }
}

/// The e-mail that carries a statement.
public struct StatementMail: Sendable, Hashable {
    public var subject: String
    public var body: String
    public var attachments: [StatementFile]

    public init(subject: String, body: String, attachments: [StatementFile]) {
        self.subject = subject
        self.body = body
        self.attachments = attachments
    }
}

/// A produced statement file.
public struct StatementFile: Sendable, Hashable {
    public var fileName: String
    public var contentType: String
    public var data: Data

    public init(fileName: String, contentType: String, data: Data) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
    }
}
