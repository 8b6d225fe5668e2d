public import CabinetCore
public import Foundation
public import Logging
public import Subscribers
public import Tariffs

/// Billing's operations for the cabinet, the operator and the scheduler, over a ``BillingStore``.
public struct DefaultBillingService: BillingService {
    public let store: any BillingStore
    /// Whether the profile's e-mail is confirmed (Auth's, wired by the server).
    let emails: any ConfirmedEmails
    public let rules: BillingRules
    let lines: any SubscriberDirectory
    let clock: any WallClock
    let logger: Logger
    /// Largest batch one store transaction rates.
    public static let batchSize = 2_000
    /// Largest batch the operator API accepts in one request.
    public static let maxBatch = 10_000
    /// How far ahead of the server's clock an event may be stamped (clock skew of network elements).
    public static let futureTolerance: TimeInterval = 300

    /// Services' rules of options on a tariff change, for the preview (the store applies them).
    let tariffOptionRules: Listeners<any TariffOptionRules>
    /// The options' recurring fees, for the dashboard (`nil`: a Billing without them).
    let recurring: (any RecurringCharges)?
    /// Gigabytes shared between lines (`nil`: not offered by this Billing, e.g. over the in-memory store).
    let sharing: (any DataSharingStore)?
    /// Texts of the messages the service composes itself (a share's SMS to its recipient).
    let texts = BillingTexts(catalog: (try? BillingModule.messages()) ?? MessageCatalog())

    public init(
        store: any BillingStore, rules: BillingRules, lines: any SubscriberDirectory, emails: any ConfirmedEmails,
        clock: any WallClock, logger: Logger, tariffOptionRules: Listeners<any TariffOptionRules> = Listeners(),
        recurring: (any RecurringCharges)? = nil, sharing: (any DataSharingStore)? = nil
    ) {
        self.sharing = sharing
        self.tariffOptionRules = tariffOptionRules
        self.recurring = recurring
        self.emails = emails
        self.store = store
        self.rules = rules
        self.lines = lines
        self.clock = clock
        self.logger = logger
    }

    /// The service's clock reading (pages default their periods to "this month").
    public var now: Date { clock.now }

    // MARK: Accounts

    /// Opens the line's account on the given tariff or the region's default (idempotent).
    @discardableResult
    public func openAccount(for line: Line, tariff: TariffID? = nil, from: Date? = nil) async throws -> BillingAccount {
        guard let settings = rules.regions.region(line.region)?.settings(for: TariffsModule.self) else {
            throw CabinetError(BillingError.noAccount, arguments: ["region": line.region.rawValue])
        }
        let chosen = tariff ?? settings.defaultTariff
        guard let found = settings.tariff(chosen) else {
            throw CabinetError(TariffsError.notInRegion, arguments: ["tariff": chosen.rawValue])
        }
        let now = clock.now
        return try await store.openAccount(
            NewAccount(
                subscriberID: line.id, msisdn: line.msisdn, region: line.region, tariff: found.id, from: from ?? now),
            now: now)
    }

    // MARK: Dashboard and history

    public func account(of line: SubscriberID) async throws -> BillingAccount? { try await store.account(of: line) }

    public func checkLedger() async throws -> LedgerCheckReport { try await store.check() }

    public func dashboard(_ access: LineAccess) async throws -> Dashboard {
        try access.require(.viewBalance)
        // One read: the line's status came with the request's authentication (LineAccess).
        guard let snapshot = try await store.snapshot(of: access.subscriberID, at: clock.now) else {
            throw CabinetError(BillingError.noAccount)
        }
        let account = snapshot.account
        guard let tariff = rules.tariff(account.tariffID, in: account.region) else {
            throw CabinetError(BillingError.tariffMissing, arguments: ["tariff": account.tariffID.rawValue])
        }
        let planned = snapshot.plannedTariff.flatMap { rules.tariff($0, in: account.region) }
        let feeTariff = planned ?? tariff
        var nextFee: Dashboard.NextFee?
        if let calendar = rules.calendar(account.region), feeTariff.fee.amount.isPositive {
            nextFee = .init(
                on: calendar.date(of: account.period.end), amount: feeTariff.fee.amount, tariff: feeTariff.id)
        }
        let remainders = snapshot.buckets.map {
            Dashboard.Remainder(
                unit: $0.unit, left: $0.left, total: $0.total, expiresAt: $0.expiresAt,
                rolledOver: $0.source == .rollover)
        }
        var dashboard = Dashboard(
            msisdn: account.msisdn, region: account.region, status: access.status, restricted: account.restricted,
            balance: account.balance, tariff: tariff, period: account.period, remainders: remainders, nextFee: nextFee,
            plannedTariff: planned)
        if let recurring, let calendar = rules.calendar(account.region) {
            dashboard.optionFees = try await recurring.scheduledCharges(of: access.subscriberID).map {
                let charge = $0.charge
                let ru = charge.arguments["option"] ?? charge.key
                return Dashboard.OptionFee(
                    name: LocalizedText(ru: ru, en: charge.arguments["optionEn"] ?? ru), amount: charge.fee.amount,
                    period: charge.fee.period, on: calendar.date(of: $0.nextAt))
            }
        }
        return dashboard
    }

    /// The balance history ("why is my balance X"), newest first.
    public func history(_ access: LineAccess, query: MovementQuery) async throws -> [LedgerMovement] {
        try access.require(.viewBalance)
        return try await store.movements(of: access.subscriberID, query: query)
    }

    // MARK: Statements

    /// Checks a statement period against the region's history depth; returns its instants in the region's time zone.
    public func statementSpan(_ access: LineAccess, from: LocalDate, to: LocalDate) throws -> (Date, Date) {
        guard let region = rules.region(access.region), let settings = rules.settings(access.region) else {
            throw CabinetError(BillingError.noAccount)
        }
        let today = LocalDate(clock.now, in: region.timeZone)
        guard from <= to, to <= today else {
            throw CabinetError(
                BillingError.periodInvalid,
                arguments: ["from": from.description, "to": to.description, "today": today.description])
        }
        let earliest = today.adding(days: -settings.statements.historyDepthDays)
        guard from >= earliest else {
            throw CabinetError(
                BillingError.periodTooOld,
                arguments: ["earliest": earliest.description, "days": String(settings.statements.historyDepthDays)])
        }
        return (from.startOfDay(in: region.timeZone), to.adding(days: 1).startOfDay(in: region.timeZone))
    }

    /// The free short statement: rated events of a period, with totals over the whole period.
    public func shortStatement(
        _ access: LineAccess, from: LocalDate, to: LocalDate, kinds: Set<UsageEvent.Kind> = [],
        after: UsageCursor? = nil, limit: Int = 100
    ) async throws -> ShortStatement {
        try access.require(.viewBalance)
        let (start, end) = try statementSpan(access, from: from, to: to)
        let pageSize = max(1, min(limit, 500))
        let query = UsageQuery(from: start, to: end, kinds: kinds, after: after, limit: pageSize + 1)
        async let events = store.ratedEvents(of: access.subscriberID, query: query)
        async let totals = store.usageTotals(
            of: access.subscriberID, query: UsageQuery(from: start, to: end, kinds: kinds))
        var page = try await events
        let sums = try await totals
        var next: UsageCursor?
        if page.count > pageSize {
            page.removeLast()
            next = page.last.map { UsageCursor(occurredAt: $0.occurredAt, eventID: $0.eventID) }
        }
        let currency = rules.region(access.region)?.currency ?? .rub
        let charged = sums.reduce(Int64(0)) { $0 + $1.charged.minorUnits }
        return ShortStatement(
            from: from, to: to, events: page, totals: sums, charged: Money(minorUnits: charged, currency: currency),
            next: next)
    }

    /// Orders the full statement by e-mail at the region's price; the worker sends it (or refunds on failure).
    public func orderStatement(_ access: LineAccess, from: LocalDate, to: LocalDate, language: Language) async throws
        -> ServiceRequest
    {
        try access.require(.pay)
        _ = try statementSpan(access, from: from, to: to)
        guard let line = try await lines.line(id: access.subscriberID) else {
            throw CabinetError(BillingError.noAccount)
        }
        guard let email = line.owner.email, !email.isEmpty else {
            throw CabinetError(BillingError.noEmail)
        }
        // The full call detail is private: only to an address the owner has proven to read.
        guard try await emails.isConfirmed(email: email, of: line.id) else {
            throw CabinetError(BillingError.emailNotConfirmed, arguments: ["email": email])
        }
        guard let price = rules.settings(access.region)?.statements.fullByEmail else {
            throw CabinetError(BillingError.noAccount)
        }
        return try await store.orderStatement(
            StatementOrder(
                line: access.subscriberID, from: from, to: to, email: email,
                language: language, price: price, now: clock.now))
    }

    // MARK: Usage

    /// Rates usage from the network: checks each event, then rates in batches. Refused events are reported by position;
    /// the rest are rated.
    public func ingest(_ events: [UsageEvent]) async throws -> IngestReport {
        let now = clock.now
        var rejected: [Int: CabinetError] = [:]
        var valid: [UsageEvent] = []
        var positions: [Int] = []
        valid.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            if let problem = event.validate() {
                rejected[index] = problem
            } else if event.occurredAt.timeIntervalSince(now) > Self.futureTolerance {
                rejected[index] = CabinetError(BillingError.eventInFuture, arguments: ["eventId": event.eventID])
            } else {
                valid.append(event)
                positions.append(index)
            }
        }
        var outcome = RatingOutcome()
        var start = 0
        while start < valid.count {
            let end = min(valid.count, start + Self.batchSize)
            let batch = try await store.rate(Array(valid[start..<end]), now: now)
            outcome.merge(batch, offset: start)
            start = end
        }
        for (validIndex, error) in outcome.rejected { rejected[positions[validIndex]] = error }
        return IngestReport(
            received: events.count, rated: outcome.rated, duplicates: outcome.duplicates, rejected: rejected)
    }

    // MARK: Fees

    /// Opens every period that has come due (what the scheduler runs every minute); returns the number of lines moved.
    @discardableResult
    public func runDueFees(batch: Int = 200) async throws -> Int {
        var total = 0
        while true {
            let moved = try await store.openDuePeriods(now: clock.now, limit: batch)
            total += moved
            if moved < batch { return total }
        }
    }
}
