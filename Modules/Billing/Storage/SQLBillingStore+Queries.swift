public import Billing
public import CabinetCore
import CabinetStorage
public import Foundation
import SQLKit

extension SQLBillingStore {
    public func movements(of line: SubscriberID, query: MovementQuery) async throws -> [LedgerMovement] {
        var sql = SQLQueryString(
            """
            SELECT e.id AS entry_id, e.transaction_id, t.external_id, t.kind, e.amount, e.currency, e.balance_after, e.at,
                   t.explanation, t.arguments
            FROM billing_entry e JOIN billing_transaction t ON t.id = e.transaction_id
            WHERE e.account_id = (SELECT id FROM billing_account WHERE subscriber_id =
            """)
        sql.appendInterpolation(bind: line.rawValue)
        sql.appendLiteral(")")
        if let before = query.before {
            sql.appendLiteral(" AND e.id < ")
            sql.appendInterpolation(bind: before)
        }
        if let from = query.from {
            sql.appendLiteral(" AND e.at >= ")
            sql.appendInterpolation(bind: from.storageMilliseconds)
        }
        if let to = query.to {
            sql.appendLiteral(" AND e.at < ")
            sql.appendInterpolation(bind: to.storageMilliseconds)
        }
        if !query.kinds.isEmpty {
            sql.appendLiteral(" AND t.kind IN (")
            sql.appendInterpolation(binds: query.kinds.map(\.rawValue).sorted())
            sql.appendLiteral(")")
        }
        sql.appendLiteral(" ORDER BY e.id DESC LIMIT ")
        sql.appendInterpolation(literal: max(1, min(query.limit, 500)))
        let statement = sql
        return try await database.read { db in try await db.raw(statement).all() }.map { row in
            let currencyCode = try row.decode(column: "currency", as: String.self)
            guard let currency = Currency(code: currencyCode),
                let kind = MovementKind(rawValue: try row.decode(column: "kind", as: String.self))
            else { throw CabinetError.internal("stored entry has currency \(currencyCode)") }
            return LedgerMovement(
                entryID: try row.decode(column: "entry_id", as: Int64.self),
                transactionID: try row.decode(column: "transaction_id", as: Int64.self),
                externalID: try row.decode(column: "external_id", as: String.self), kind: kind,
                amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: currency),
                balanceAfter: Money(
                    minorUnits: try row.decode(column: "balance_after", as: Int64?.self) ?? 0, currency: currency),
                at: Date(storageMilliseconds: try row.decode(column: "at", as: Int64.self)),
                explanation: try row.decode(column: "explanation", as: String.self),
                arguments: Self.decodeArguments(try row.decode(column: "arguments", as: String.self)))
        }
    }

    /// `subscriber_id = ? AND occurred_at in [from, to) AND kind IN (…)`.
    private func usageFilter(_ line: SubscriberID, _ query: UsageQuery) -> SQLQueryString {
        var sql = SQLQueryString(" WHERE subscriber_id = ")
        sql.appendInterpolation(bind: line.rawValue)
        sql.appendLiteral(" AND occurred_at >= ")
        sql.appendInterpolation(bind: query.from.storageMilliseconds)
        sql.appendLiteral(" AND occurred_at < ")
        sql.appendInterpolation(bind: query.to.storageMilliseconds)
        if !query.kinds.isEmpty {
            sql.appendLiteral(" AND kind IN (")
            sql.appendInterpolation(binds: query.kinds.map(\.rawValue).sorted())
            sql.appendLiteral(")")
        }
        return sql
    }

    public func ratedEvents(of line: SubscriberID, query: UsageQuery) async throws -> [RatedEvent] {
        var sql =
            SQLQueryString(
                """
                SELECT event_id, subscriber_id, kind, call_kind, occurred_at, units, from_package, charged, currency, other_party
                FROM billing_usage
                """) + usageFilter(line, query)
        if let after = query.after {
            let at = after.occurredAt.storageMilliseconds
            sql +=
                " AND (occurred_at > \(bind: at) OR (occurred_at = \(bind: at) AND event_id > \(bind: after.eventID)))"
        }
        sql += " ORDER BY occurred_at, event_id LIMIT \(literal: max(1, min(query.limit, 100_000)))"
        let statement = sql
        return try await database.read { db in try await db.raw(statement).all() }.map(Self.decodeRated)
    }

    public func usageTotals(of line: SubscriberID, query: UsageQuery) async throws -> [UsageTotal] {
        let sql =
            SQLQueryString(
                """
                SELECT kind, currency, COUNT(*) AS events, CAST(SUM(units) AS BIGINT) AS units,
                       CAST(SUM(from_package) AS BIGINT) AS from_package, CAST(SUM(charged) AS BIGINT) AS charged FROM billing_usage
                """) + usageFilter(line, query) + " GROUP BY kind, currency ORDER BY kind"
        return try await database.read { db in try await db.raw(sql).all() }.map { row in
            guard let kind = UsageEvent.Kind(rawValue: try row.decode(column: "kind", as: String.self)),
                let currency = Currency(code: try row.decode(column: "currency", as: String.self))
            else { throw CabinetError.internal("stored usage total has an unknown kind or currency") }
            return UsageTotal(
                kind: kind, events: try row.decode(column: "events", as: Int.self),
                units: try row.decode(column: "units", as: Int64.self),
                fromPackage: try row.decode(column: "from_package", as: Int64.self),
                charged: Money(minorUnits: try row.decode(column: "charged", as: Int64.self), currency: currency))
        }
    }

    static func decodeRated(_ row: any SQLRow) throws -> RatedEvent {
        let kindText = try row.decode(column: "kind", as: String.self)
        guard let kind = UsageEvent.Kind(rawValue: kindText),
            let currency = Currency(code: try row.decode(column: "currency", as: String.self))
        else { throw CabinetError.internal("stored usage has kind \(kindText)") }
        return RatedEvent(
            eventID: try row.decode(column: "event_id", as: String.self),
            subscriberID: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)), kind: kind,
            callKind: try row.decode(column: "call_kind", as: String?.self).flatMap(
                UsageEvent.CallKind.init(rawValue:)),
            occurredAt: Date(storageMilliseconds: try row.decode(column: "occurred_at", as: Int64.self)),
            units: try row.decode(column: "units", as: Int64.self),
            fromPackage: try row.decode(column: "from_package", as: Int64.self),
            charged: Money(minorUnits: try row.decode(column: "charged", as: Int64.self), currency: currency),
            otherParty: try row.decode(column: "other_party", as: String?.self))
    }

    public func check() async throws -> LedgerCheckReport {
        try await database.read { db in
            func count(_ sql: SQLQueryString) async throws -> Int {
                try await db.raw(sql).first()?.decode(column: "n", as: Int.self) ?? 0
            }
            // Each check is one statement, so each sees one consistent snapshot even while money keeps moving.
            let unbalanced = try await db.raw(
                """
                SELECT transaction_id AS id FROM billing_entry GROUP BY transaction_id HAVING SUM(amount) <> 0 OR COUNT(*) < 2
                UNION SELECT t.id FROM billing_transaction t WHERE NOT EXISTS (SELECT 1 FROM billing_entry e WHERE e.transaction_id = t.id)
                ORDER BY id LIMIT 100
                """
            ).all().map { try $0.decode(column: "id", as: Int64.self) }
            let mismatched = try await db.raw(
                """
                SELECT a.id FROM billing_account a
                LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM billing_entry GROUP BY account_id) s ON s.account_id = a.id
                WHERE a.subscriber_id IS NOT NULL
                  AND (a.balance <> COALESCE(s.total, 0) OR a.restricted <> CASE WHEN a.balance < 0 THEN 1 ELSE 0 END)
                ORDER BY a.id LIMIT 100
                """
            ).all().map { try $0.decode(column: "id", as: Int64.self) }
            let duplicates = try await db.raw(
                """
                SELECT external_id FROM billing_transaction GROUP BY external_id HAVING COUNT(*) > 1 ORDER BY external_id LIMIT 100
                """
            ).all().map { try $0.decode(column: "external_id", as: String.self) }
            return LedgerCheckReport(
                transactions: try await count("SELECT COUNT(*) AS n FROM billing_transaction"),
                entries: try await count("SELECT COUNT(*) AS n FROM billing_entry"),
                accounts: try await count("SELECT COUNT(*) AS n FROM billing_account"),
                unbalancedTransactions: unbalanced, mismatchedAccounts: mismatched, duplicateExternalIDs: duplicates,
                currencyMismatches: try await count(
                    """
                    SELECT COUNT(*) AS n FROM billing_entry e JOIN billing_account a ON a.id = e.account_id WHERE e.currency <> a.currency
                    """))
        }
    }
}

extension SQLBillingStore {
    /// Two grouped reads for the whole list: usage charged by line and kind (over `billing_usage_line`), and spending
    /// movements by line and kind (the lines' entries in the span, joined to their transactions' kind).
    public func expenses(of lines: [SubscriberID], from: Date, to: Date) async throws -> [SubscriberID: LineExpenses] {
        guard !lines.isEmpty else { return [:] }
        let ids = SQLList(Set(lines).map { SQLBind($0.rawValue) })
        let kinds = SQLList(LineExpenses.spendingKinds.map { SQLBind($0.rawValue) })
        let start = from.storageMilliseconds
        let end = to.storageMilliseconds
        let (usage, movements) = try await database.read { db in
            let usage = try await db.raw(
                """
                SELECT subscriber_id, kind, CAST(SUM(charged) AS BIGINT) AS charged FROM billing_usage
                WHERE subscriber_id IN (\(ids)) AND occurred_at >= \(bind: start) AND occurred_at < \(bind: end)
                GROUP BY subscriber_id, kind
                """
            ).all()
            let movements = try await db.raw(
                """
                SELECT a.subscriber_id, t.kind, CAST(SUM(e.amount) AS BIGINT) AS amount
                FROM billing_account a
                JOIN billing_entry e ON e.account_id = a.id
                JOIN billing_transaction t ON t.id = e.transaction_id
                WHERE a.subscriber_id IN (\(ids)) AND e.at >= \(bind: start) AND e.at < \(bind: end)
                  AND t.kind IN (\(kinds))
                GROUP BY a.subscriber_id, t.kind
                """
            ).all()
            return (usage, movements)
        }
        var result: [SubscriberID: LineExpenses] = [:]
        for row in usage {
            guard let kind = UsageEvent.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else {
                continue
            }
            let line = SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self))
            result[line, default: LineExpenses()].usage[kind, default: 0] += try row.decode(
                column: "charged", as: Int64.self)
        }
        for row in movements {
            guard let kind = MovementKind(rawValue: try row.decode(column: "kind", as: String.self)) else { continue }
            let line = SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self))
            result[line, default: LineExpenses()].movements[kind, default: 0] -= try row.decode(
                column: "amount", as: Int64.self)
        }
        return result
    }
}
