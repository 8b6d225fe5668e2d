import Billing
import CabinetCore
import CabinetStorage
public import Foundation
import Logging
import SQLKit
import Subscribers
import Tariffs

/// The period a new one follows, for rollover.
struct PreviousPeriod: Sendable {
    var id: Int64
    var tariffID: TariffID
    var span: BillingPeriod
    var rollover: Bool
}

extension SQLBillingStore {
    public func openDuePeriods(now: Date, limit: Int) async throws -> Int {
        let at = now.storageMilliseconds
        let skipLocked: SQLQueryString = backend == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let queued = Flag()
        let moved = try await writing { db, touched -> Int in
            let due = try await db.raw(
                """
                SELECT subscriber_id FROM billing_account
                WHERE subscriber_id IS NOT NULL AND period_end_at <= \(bind: at)
                ORDER BY period_end_at LIMIT \(literal: limit)\(skipLocked)
                """
            ).all().map { try $0.decode(column: "subscriber_id", as: Int64.self) }
            var moved = 0
            touched.insert(contentsOf: due)
            for subscriber in due {
                guard var row = try await self.lockAccount(SubscriberID(subscriber), on: db) else { continue }
                do {
                    if try await self.rollForward(&row, through: at, now: now, queued: queued, on: db) > 0 {
                        moved += 1
                    }
                } catch let error as CabinetError where error.code == BillingError.tariffMissing {
                    // A tariff removed from the region file must not stop every other line's fees.
                    self.logger.error(
                        "cannot open the next period: the line's tariff is not in the region file",
                        metadata: ["cabinet.subscriber": "\(subscriber)", "cabinet.tariff": "\(row.tariffID)"])
                }
            }
            return moved
        }
        if queued.isSet { messagesQueued() }
        return moved
    }

    /// Opens every period of the line that starts at or before `instant`; returns how many were opened.
    @discardableResult
    func rollForward(_ row: inout AccountRow, through instant: Int64, now: Date, queued: Flag, on db: any SQLDatabase)
        async throws -> Int
    {
        var opened = 0
        while row.periodEnd <= instant, opened < BillingRules.maxPeriodsPerRun {
            let start = Date(storageMilliseconds: row.periodEnd)
            let span = try await self.lineTariffs.tariff(of: row.subscriberID, at: start, in: SQLWriteTransaction(db))
            let tariffID = span?.tariffID ?? row.tariffID
            guard let tariff = rules.tariff(tariffID, in: row.region) else {
                throw CabinetError(BillingError.tariffMissing, arguments: ["tariff": tariffID.rawValue])
            }
            var plan = try rules.plan(tariff: tariff, region: row.region, from: start)
            // A day that opens with the line blocked or suspended is not charged; a month is (a short suspension on
            // the fee day must not waive the whole month; days of a month are not refunded).
            let inactive = tariff.fee.period == .day ? try await self.isInactive(row.subscriberID, on: db) : false
            if inactive || rules.skipsRestrictedDay(tariff.fee.period, region: row.region, balance: row.balance) {
                plan = plan.unpaid
            }
            let previousID = try await db.raw(
                """
                SELECT id FROM billing_period WHERE subscriber_id = \(bind: row.subscriberID.rawValue) AND start_at = \(bind: row.periodStart)
                """
            ).first()?.decode(column: "id", as: Int64.self)
            let previous = previousID.map {
                PreviousPeriod(
                    id: $0, tariffID: row.tariffID, span: row.period,
                    rollover: rules.tariff(row.tariffID, in: row.region)?.rollover ?? false)
            }
            let before = row.tariffID
            try await openPeriod(plan, for: &row, previous: previous, now: now, queued: queued, on: db)
            if before != tariffID {
                // A planned change takes effect: the options follow the new tariff in the same transaction.
                for optionRules in tariffOptionRules.all {
                    try await optionRules.apply(
                        line: row.subscriberID, region: row.region, from: before, to: tariffID, at: start,
                        in: SQLWriteTransaction(db))
                }
            }
            if let span, span.since == start, let request = span.requestID {
                try await SQLRequestRegistry.update(request, status: .done, detail: nil, at: now, on: db)
            }
            opened += 1
        }
        return opened
    }

    /// Whether the line is blocked or suspended now (read in the transaction): its daily periods open unpaid, its daily
    /// recurring fees wait, but for those meant for that state.
    func isInactive(_ line: SubscriberID, on db: any SQLDatabase) async throws -> Bool {
        guard let status = try await statuses?.status(of: line, in: SQLWriteTransaction(db)) else { return false }
        return status == .blocked || status == .suspended
    }

    /// Opens one period: the period row (unique per line and start, so a fee is charged once), the fee, the package
    /// buckets and the rollover of the previous period's unused units when the tariff continues and allows it.
    func openPeriod(
        _ plan: PeriodPlan, for row: inout AccountRow, previous: PreviousPeriod?, now: Date, queued: Flag,
        on db: any SQLDatabase
    ) async throws {
        let start = plan.period.start.storageMilliseconds
        let end = plan.period.end.storageMilliseconds
        let line = row.subscriberID.rawValue
        guard
            let periodID = try await db.raw(
                """
                INSERT INTO billing_period (subscriber_id, tariff_id, start_at, end_at, fee)
                VALUES (\(bind: line), \(bind: plan.tariffID.rawValue), \(bind: start), \(bind: end), \(bind: plan.fee.minorUnits))
                ON CONFLICT (subscriber_id, start_at) DO NOTHING RETURNING id
                """
            ).first()?.decode(column: "id", as: Int64.self)
        else {
            // Every opening holds the account's lock and moves its period on, so this means the rows disagree.
            throw CabinetError.internal(
                "period of line \(line) starting \(start) exists but the account points before it")
        }
        row.tariffID = plan.tariffID
        row.periodStart = start
        row.periodEnd = end
        try await db.raw(
            """
            UPDATE billing_account SET tariff_id = \(bind: plan.tariffID.rawValue), next_tariff_id = NULL,
                period_start_at = \(bind: start), period_end_at = \(bind: end) WHERE id = \(bind: row.id)
            """
        ).run()
        if let posting = try plan.feePosting(line: row.subscriberID, calendar: rules.calendar(row.region), now: now) {
            let transaction = try await postLocked(posting, account: &row, queued: queued, on: db)
            try await db.raw(
                "UPDATE billing_period SET transaction_id = \(bind: transaction) WHERE id = \(bind: periodID)"
            ).run()
        }
        for (unit, amount) in plan.grants {
            try await db.raw(
                """
                INSERT INTO billing_bucket (subscriber_id, period_id, unit, source, total, remaining, valid_from, expires_at)
                VALUES (\(bind: line), \(bind: periodID), \(bind: unit.rawValue), 'package', \(bind: amount), \(bind: amount),
                        \(bind: start), \(bind: end))
                """
            ).run()
        }
        guard let previous, plan.takesOverUnused(from: previous.tariffID, rollover: previous.rollover) else { return }
        let buckets = try await db.raw(
            """
            SELECT \(Self.bucketColumns) FROM billing_bucket
            WHERE period_id = \(bind: previous.id) AND shared_from IS NULL ORDER BY id
            """
        ).all().map { try Self.decodeBucket($0) }
        for (emptied, carried) in plan.rollover(of: buckets, from: previous.span) {
            try await db.raw(
                """
                INSERT INTO billing_bucket (subscriber_id, period_id, unit, source, total, remaining, valid_from, expires_at,
                                            carried_from_start, carried_from_end)
                VALUES (\(bind: line), \(bind: periodID), \(bind: carried.unit.rawValue), 'rollover',
                        \(bind: carried.total), \(bind: carried.left), \(bind: start), \(bind: end),
                        \(bind: previous.span.start.storageMilliseconds), \(bind: previous.span.end.storageMilliseconds))
                """
            ).run()
            // The units moved: a late event of the old period now draws from the rollover bucket (see Bucket.serves).
            try await db.raw("UPDATE billing_bucket SET remaining = 0 WHERE id = \(bind: emptied.id)").run()
        }
    }
}
