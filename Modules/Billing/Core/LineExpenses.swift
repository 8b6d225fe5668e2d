public import CabinetCore
public import Foundation

/// What one line spent over a span, by what it was for: usage charged by kind, and the ledger's spending movements
/// (fees, option fees, tariff changes, statements, shared gigabytes, write-offs) by kind, refunds lowering them. Amounts
/// are positive minor units of the line's currency. A company's expense report sums these per line, group and kind.
public struct LineExpenses: Sendable, Hashable {
    public var usage: [UsageEvent.Kind: Int64]
    public var movements: [MovementKind: Int64]

    public init(usage: [UsageEvent.Kind: Int64] = [:], movements: [MovementKind: Int64] = [:]) {
        self.usage = usage
        self.movements = movements
    }

    /// Movement kinds that are spending on the line's own service (top-ups, transfers and repayments are not).
    public static let spendingKinds: Set<MovementKind> = [
        .fee, .optionFee, .tariffChange, .statement, .dataShare, .writeOff,
    ]
}

extension LineExpenses {
    /// Everything spent, in minor units (saturating).
    public var total: Int64 {
        (Array(usage.values) + Array(movements.values)).reduce(Int64(0)) { sum, amount in
            let (next, overflow) = sum.addingReportingOverflow(amount)
            return overflow ? (amount < 0 ? Int64.min : Int64.max) : next
        }
    }
}

extension BillingStore {
    /// From ``expenses(of:from:to:)`` (stores kept in memory); the SQL store reads its monthly counters.
    public func monthTotals(of lines: [SubscriberID], monthStart: Date, monthEnd: Date) async throws
        -> [SubscriberID: Int64]
    {
        try await expenses(of: lines, from: monthStart, to: monthEnd).mapValues(\.total)
    }

    /// Line by line through the per-line reads (stores kept in memory); the SQL store answers with two grouped queries.
    public func expenses(of lines: [SubscriberID], from: Date, to: Date) async throws -> [SubscriberID: LineExpenses] {
        var result: [SubscriberID: LineExpenses] = [:]
        for line in Set(lines) {
            var expenses = LineExpenses()
            for total in try await usageTotals(of: line, query: UsageQuery(from: from, to: to, limit: 100)) {
                expenses.usage[total.kind, default: 0] += total.charged.minorUnits
            }
            var before: Int64?
            repeat {
                let page = try await movements(
                    of: line,
                    query: MovementQuery(
                        from: from, to: to, kinds: LineExpenses.spendingKinds, before: before, limit: 500))
                for movement in page { expenses.movements[movement.kind, default: 0] -= movement.amount.minorUnits }
                before = page.count == 500 ? page.last?.entryID : nil
            } while before != nil
            result[line] = expenses
        }
        return result
    }
}
