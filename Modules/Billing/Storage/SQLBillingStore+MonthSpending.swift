import Billing
public import CabinetCore
import CabinetStorage
public import Foundation
import SQLKit
import Synchronization

/// A line and the first instant of one of its region's calendar months.
struct SpendingMonth: Hashable {
    var subscriber: Int64
    var monthStart: Int64
}

/// Month bounds per region, computed once per month met (a rating batch asks for thousands of events).
struct MonthBounds {
    let store: SQLBillingStore
    private var known: [RegionID: (start: Int64, end: Int64)] = [:]

    init(store: SQLBillingStore) {
        self.store = store
    }

    mutating func start(of at: Int64, region: RegionID) -> Int64 {
        if let bounds = known[region], at >= bounds.start, at < bounds.end { return bounds.start }
        let zone = store.rules.region(region)?.timeZone ?? TimeZone(identifier: "UTC") ?? .current
        let day = LocalDate(Date(storageMilliseconds: at), in: zone)
        let first = LocalDate(year: day.year, month: day.month, day: 1) ?? day
        let next =
            LocalDate(year: day.month == 12 ? day.year + 1 : day.year, month: day.month % 12 + 1, day: 1) ?? first
        let bounds = (first.startOfDay(in: zone).storageMilliseconds, next.startOfDay(in: zone).storageMilliseconds)
        known[region] = bounds
        return bounds.0
    }
}

extension SQLBillingStore {
    /// Adds to the lines' monthly spending counters in the surrounding transaction (several deltas of one line and
    /// month are summed first: one statement may not update a row twice on PostgreSQL).
    func addSpending(_ deltas: [SpendingMonth: Int64], on db: any SQLDatabase) async throws {
        let rows = deltas.filter { $0.value != 0 }.sorted {
            ($0.key.subscriber, $0.key.monthStart) < ($1.key.subscriber, $1.key.monthStart)
        }
        for start in stride(from: 0, to: rows.count, by: 300) {
            var sql: SQLQueryString = "INSERT INTO billing_month_spending (subscriber_id, month_start, amount) VALUES "
            for (offset, row) in rows[start..<min(start + 300, rows.count)].enumerated() {
                if offset > 0 { sql = sql + ", " }
                sql = sql + "(\(bind: row.key.subscriber), \(bind: row.key.monthStart), \(bind: row.value))"
            }
            sql =
                sql
                    + """
                     ON CONFLICT (subscriber_id, month_start) DO UPDATE
                    SET amount = billing_month_spending.amount + excluded.amount
                    """
            try await db.raw(sql).run()
        }
    }

    /// The instant from which the counters hold every charge (0: always), read once.
    func spendingSince() async throws -> Int64 {
        if let known = spendingSinceCache.withLock({ $0 }) { return known }
        let value =
            try await database.read { db in
                try await db.raw("SELECT value FROM billing_meta WHERE key = 'spending_since'").first()?
                    .decode(column: "value", as: Int64.self)
            } ?? Int64.max
        spendingSinceCache.withLock { $0 = value }
        return value
    }

    public func monthTotals(of lines: [SubscriberID], monthStart: Date, monthEnd: Date) async throws
        -> [SubscriberID: Int64]
    {
        guard !lines.isEmpty else { return [:] }
        let start = monthStart.storageMilliseconds
        // A month that began before the counters did is summed from its rows.
        guard start >= (try await spendingSince()) else {
            return try await expenses(of: lines, from: monthStart, to: monthEnd).mapValues(\.total)
        }
        let ids = SQLList(Set(lines).map { SQLBind($0.rawValue) })
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT subscriber_id, amount FROM billing_month_spending
                WHERE month_start = \(bind: start) AND subscriber_id IN (\(ids))
                """
            ).all()
        }
        var result: [SubscriberID: Int64] = [:]
        for row in rows {
            result[SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self))] = try row.decode(
                column: "amount", as: Int64.self)
        }
        return result
    }
}
