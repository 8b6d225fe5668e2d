public import Billing
public import CabinetCore
import CabinetStorage
public import Foundation
import SQLKit

extension SQLBillingStore: RecurringCharges {
    public func start(_ charge: RecurringCharge, at instant: Date, in transaction: any WriteTransaction) async throws {
        let db = try transaction.sql()
        guard let calendar = rules.calendar(charge.region) else {
            throw CabinetError.internal("region \(charge.region.rawValue) has no billing calendar")
        }
        let next = calendar.period(containing: instant, feePeriod: charge.fee.period).end
        let arguments = String(decoding: try JSONEncoder().encode(charge.arguments), as: UTF8.self)
        let inserted = try await db.raw(
            """
            INSERT INTO billing_recurring (key, subscriber_id, region, amount, currency, period, kind, explanation,
                arguments, next_at, started_at, while_inactive, ends_at)
            VALUES (\(bind: charge.key), \(bind: charge.line.rawValue), \(bind: charge.region.rawValue),
                \(bind: charge.fee.amount.minorUnits), \(bind: charge.fee.amount.currency.code),
                \(bind: charge.fee.period.rawValue), \(bind: charge.kind.rawValue), \(bind: charge.explanation),
                \(bind: arguments), \(bind: next.storageMilliseconds), \(bind: instant.storageMilliseconds),
                \(literal: charge.whileInactive ? 1 : 0), \(bind: charge.endsAt?.storageMilliseconds))
            ON CONFLICT (key) DO NOTHING RETURNING key
            """
        ).first()
        guard inserted != nil else {
            throw CabinetError.internal("recurring charge \(charge.key) runs already")
        }
    }

    @discardableResult
    public func stop(key: String, in transaction: any WriteTransaction) async throws -> Bool {
        let db = try transaction.sql()
        return try await db.raw("DELETE FROM billing_recurring WHERE key = \(bind: key) RETURNING key").first() != nil
    }

    public func scheduledCharges(of line: SubscriberID) async throws -> [ScheduledCharge] {
        if let stampedRecurring {
            // The line's stamp comes in every case, with no charge at all too.
            return try await stampedRecurring.read(line) {
                let rows = try await database.read { db in
                    try await db.raw(
                        """
                        SELECT s.line_stamp, \(Self.recurringColumns)
                        FROM (SELECT \(LineStampSchema.column(String(line.rawValue)))) s
                        LEFT JOIN billing_recurring r ON r.subscriber_id = \(bind: line.rawValue) ORDER BY next_at, key
                        """
                    ).all()
                }
                guard let first = rows.first else { return nil }
                let charges = try rows.filter { try $0.decode(column: "key", as: String?.self) != nil }
                    .compactMap(Self.scheduled)
                return (charges, try first.decode(column: "line_stamp", as: Int64.self))
            } ?? []
        }
        return try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.recurringColumns) FROM billing_recurring
                WHERE subscriber_id = \(bind: line.rawValue) ORDER BY next_at, key
                """
            ).all().compactMap(Self.scheduled)
        }
    }

    public func chargeDue(now: Date, limit: Int) async throws -> Int {
        let at = now.storageMilliseconds
        let skipLocked: SQLQueryString = backend == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let rules = self.rules
        return try await transaction(lines: []) { db, writer -> Int in
            let due = try await db.raw(
                """
                SELECT \(Self.recurringColumns) FROM billing_recurring
                WHERE next_at <= \(bind: at) ORDER BY next_at LIMIT \(literal: limit)\(skipLocked)
                """
            ).all().compactMap(Self.scheduled)
            var posted = 0
            for scheduled in due {
                let charge = scheduled.charge
                guard let calendar = rules.calendar(charge.region) else { continue }
                var start = scheduled.nextAt
                var periods = 0
                // Every period that has begun, each charged once (its external id), at most a year of days per run.
                while start <= now, periods < BillingRules.maxPeriodsPerRun {
                    if let end = charge.endsAt, start >= end { break }
                    let period = calendar.period(containing: start, feePeriod: charge.fee.period)
                    let balance = try await writer.lockedBalance(of: charge.line)
                    let waits =
                        charge.whileInactive || charge.fee.period != .day
                        ? false : try await self.isInactive(charge.line, on: db)
                    if waits
                        || balance.map({
                            rules.skipsRestrictedDay(charge.fee.period, region: charge.region, balance: $0)
                        }) == true
                    {
                        // A blocked or suspended line, or a restricted day the region does not charge: the charge
                        // moves on past the period.
                        start = period.end
                        periods += 1
                        continue
                    }
                    var arguments = charge.arguments
                    arguments["from"] = calendar.date(of: period.start).description
                    arguments["to"] = calendar.date(of: period.end.addingTimeInterval(-1)).description
                    let result = try await writer.post(
                        LedgerPosting(
                            externalID: charge.externalID(periodStart: period.start), kind: charge.kind,
                            line: charge.line, amount: try charge.fee.amount.negated(), counterparty: .revenue,
                            explanation: charge.explanation, arguments: arguments, allowsNegativeBalance: true,
                            at: period.start))
                    if case .posted = result { posted += 1 }
                    start = period.end
                    periods += 1
                }
                if let end = charge.endsAt, start >= end {
                    // Its last period is charged: the charge ends by itself.
                    try await db.raw("DELETE FROM billing_recurring WHERE key = \(bind: charge.key)").run()
                } else {
                    try await db.raw(
                        """
                        UPDATE billing_recurring SET next_at = \(bind: start.storageMilliseconds) WHERE key = \(bind: charge.key)
                        """
                    ).run()
                }
            }
            return posted
        }
    }

    static let recurringColumns: SQLQueryString =
        "key, subscriber_id, region, amount, currency, period, kind, explanation, arguments, next_at, while_inactive, ends_at"

    static func scheduled(_ row: any SQLRow) throws -> ScheduledCharge? {
        guard let region = RegionID(rawValue: try row.decode(column: "region", as: String.self)),
            let currency = Currency(code: try row.decode(column: "currency", as: String.self)),
            let period = RecurringFee.Period(rawValue: try row.decode(column: "period", as: String.self)),
            let kind = MovementKind(rawValue: try row.decode(column: "kind", as: String.self))
        else { return nil }
        let arguments =
            (try? JSONDecoder().decode(
                [String: String].self, from: Data(try row.decode(column: "arguments", as: String.self).utf8))) ?? [:]
        return ScheduledCharge(
            charge: RecurringCharge(
                key: try row.decode(column: "key", as: String.self),
                line: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)), region: region,
                fee: RecurringFee(
                    amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: currency),
                    period: period),
                kind: kind, explanation: try row.decode(column: "explanation", as: String.self), arguments: arguments,
                whileInactive: try row.decode(column: "while_inactive", as: Int.self) != 0,
                endsAt: try row.decode(column: "ends_at", as: Int64?.self).map(Date.init(storageMilliseconds:))),
            nextAt: Date(storageMilliseconds: try row.decode(column: "next_at", as: Int64.self)))
    }
}
