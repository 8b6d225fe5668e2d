public import CabinetCore
public import Foundation

/// What a line spent in one calendar month (of its region), by kind: the charts of the dashboard and the balance page.
public struct MonthSpending: Sendable, Hashable {
    /// The kinds a person recognises on their bill.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Tariff and option fees, tariff changes.
        case fees
        case calls
        case sms
        case internet
        /// Statements, gigabytes given away, write-offs.
        case other
    }

    /// The month's first day.
    public var month: LocalDate
    public var amounts: [Kind: Money]
    public var currency: Currency

    public init(month: LocalDate, amounts: [Kind: Money], currency: Currency) {
        self.month = month
        self.amounts = amounts
        self.currency = currency
    }

    public func amount(_ kind: Kind) -> Money { amounts[kind] ?? .zero(currency) }

    /// The month's total (saturating: a chart never fails on an absurd figure).
    public var total: Money {
        Money(
            minorUnits: Kind.allCases.reduce(Int64(0)) { sum, kind in
                let (next, overflow) = sum.addingReportingOverflow(amount(kind).minorUnits)
                return overflow ? Int64.max : next
            }, currency: currency)
    }
}

extension DefaultBillingService {
    /// Movement kinds that are spending on the line's own service (top-ups, transfers and repayments are not).
    static let spendingKinds: [MovementKind: MonthSpending.Kind] = [
        .fee: .fees, .optionFee: .fees, .tariffChange: .fees, .statement: .other, .dataShare: .other,
        .writeOff: .other,
    ]

    /// The last `months` calendar months of the line's region, oldest first, the current one last: usage charges from
    /// the rated events, fees and the rest from the ledger (refunds of a kind lower it).
    public func spending(_ access: LineAccess, months: Int) async throws -> [MonthSpending] {
        try access.require(.viewBalance)
        guard let region = rules.region(access.region) else { throw CabinetError(BillingError.noAccount) }
        let zone = region.timeZone
        let today = LocalDate(clock.now, in: zone)
        var result: [MonthSpending] = []
        for back in stride(from: max(1, min(months, 24)) - 1, through: 0, by: -1) {
            let first = Self.firstOfMonth(today, back: back)
            let next = Self.firstOfMonth(today, back: back - 1)
            let from = first.startOfDay(in: zone)
            let to = next.startOfDay(in: zone)
            var amounts: [MonthSpending.Kind: Int64] = [:]
            let usage = try await store.usageTotals(
                of: access.subscriberID, query: UsageQuery(from: from, to: to, limit: 100))
            for total in usage where total.charged.currency == region.currency {
                let kind: MonthSpending.Kind =
                    switch total.kind {
                    case .call: .calls
                    case .sms: .sms
                    case .data: .internet
                    }
                amounts[kind, default: 0] += total.charged.minorUnits
            }
            var before: Int64?
            // Fees are a few a day: pages of 500 reach every one of a month.
            repeat {
                let page = try await store.movements(
                    of: access.subscriberID,
                    query: MovementQuery(
                        from: from, to: to, kinds: Set(Self.spendingKinds.keys), before: before, limit: 500))
                for movement in page where movement.amount.currency == region.currency {
                    if let kind = Self.spendingKinds[movement.kind] {
                        amounts[kind, default: 0] -= movement.amount.minorUnits
                    }
                }
                before = page.count == 500 ? page.last?.entryID : nil
            } while before != nil
            result.append(
                MonthSpending(
                    month: first,
                    amounts: amounts.mapValues { Money(minorUnits: max(0, $0), currency: region.currency) },
                    currency: region.currency))
        }
        return result
    }

    public func spentThisMonth(of lines: [SubscriberID], region regionID: RegionID) async throws
        -> [SubscriberID: Money]
    {
        guard let region = rules.region(regionID) else { throw CabinetError(BillingError.noAccount) }
        let today = LocalDate(clock.now, in: region.timeZone)
        let first = Self.firstOfMonth(today, back: 0)
        let next = Self.firstOfMonth(today, back: -1)
        var result: [SubscriberID: Money] = [:]
        let unique = Array(Set(lines))
        for start in stride(from: 0, to: unique.count, by: 1000) {
            let totals = try await store.monthTotals(
                of: Array(unique[start..<min(start + 1000, unique.count)]),
                monthStart: first.startOfDay(in: region.timeZone), monthEnd: next.startOfDay(in: region.timeZone))
            for (line, minor) in totals { result[line] = Money(minorUnits: max(0, minor), currency: region.currency) }
        }
        return result
    }

    public func expenses(of lines: [SubscriberID], from: Date, to: Date) async throws -> [SubscriberID: LineExpenses] {
        let unique = Array(Set(lines)).sorted { $0.rawValue < $1.rawValue }
        // Chunks keep each statement's list of ids well under both engines' limits on bound values; two run at a
        // time (a whole company's month is millions of rows, and a database answers two readers at once as well as
        // one — PostgreSQL's own aggregate of the same rows takes two workers).
        let chunks = stride(from: 0, to: unique.count, by: 1000).map {
            Array(unique[$0..<min($0 + 1000, unique.count)])
        }
        let store = self.store
        return try await withThrowingTaskGroup(of: [SubscriberID: LineExpenses].self) { group in
            var result: [SubscriberID: LineExpenses] = [:]
            var next = 0
            while next < min(2, chunks.count) {
                let chunk = chunks[next]
                group.addTask { try await store.expenses(of: chunk, from: from, to: to) }
                next += 1
            }
            while let part = try await group.next() {
                result.merge(part) { first, _ in first }
                if next < chunks.count {
                    let chunk = chunks[next]
                    group.addTask { try await store.expenses(of: chunk, from: from, to: to) }
                    next += 1
                }
            }
            return result
        }
    }

    /// The first day of the month `back` months before `date`'s (negative: after).
    static func firstOfMonth(_ date: LocalDate, back: Int) -> LocalDate {
        let index = date.year * 12 + (date.month - 1) - back
        return LocalDate(year: index / 12, month: index % 12 + 1, day: 1) ?? date
    }
}
