public import Billing
import CabinetCore
import CabinetStorage
public import Foundation
import SQLKit
import Tariffs

/// One line's part of a rating batch.
private struct LineWork {
    var account: AccountRow
    var events: [Int] = []
    var charged: Int64 = 0
}

extension SQLBillingStore {
    public func rate(_ events: [UsageEvent], now: Date) async throws -> RatingOutcome {
        guard !events.isEmpty else { return RatingOutcome() }
        let queued = Flag()
        let outcome = try await writing { db, touched in
            try await self.rateBatch(events, now: now, queued: queued, touched: touched, on: db)
        }
        if queued.isSet { messagesQueued() }
        return outcome
    }

    /// Rates a batch in the caller's transaction with a fixed number of statements per chunk of rows: reads of the
    /// lines (locked, in id order, so two batches cannot deadlock), the seen ids, the buckets (and the periods of late
    /// events); writes of the usage rows, bucket remainders, one ledger transaction for the batch, the charged lines'
    /// entries and balances.
    private func rateBatch(
        _ events: [UsageEvent], now: Date, queued: Flag, touched: TouchedKeys<Int64>, on db: any SQLDatabase
    )
        async throws -> RatingOutcome
    {
        var outcome = RatingOutcome()
        // 1. Duplicates within the batch.
        var firstIndex: [String: Int] = [:]
        firstIndex.reserveCapacity(events.count)
        var candidates: [Int] = []
        candidates.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            if firstIndex[event.eventID] == nil {
                firstIndex[event.eventID] = index
                candidates.append(index)
            } else {
                outcome.duplicates += 1
            }
        }

        // 2. The lines, locked.
        let numbers = Array(Set(candidates.map { events[$0].msisdn.e164 })).sorted()
        let rows = try await SQLBatch.select(
            "SELECT \(Self.accountColumnList) FROM billing_account WHERE msisdn IN", keys: numbers,
            suffix: "ORDER BY id" + (backend == .postgres ? " FOR UPDATE" : ""), on: db)
        var lines: [String: LineWork] = [:]
        lines.reserveCapacity(rows.count)
        for row in rows {
            let account = try AccountRow(row)
            lines[account.msisdn.e164] = LineWork(account: account)
        }
        touched.insert(contentsOf: lines.values.map(\.account.subscriberID.rawValue))
        for index in candidates {
            let number = events[index].msisdn.e164
            guard lines[number] != nil else {
                outcome.rejected[index] = CabinetError(BillingError.unknownLine, arguments: ["msisdn": number])
                continue
            }
            lines[number]?.events.append(index)
        }

        // Seen before? Asked only now, under the lines' locks: a batch that rated the same event (always of the same
        // line) has committed by the time this one holds the line, so READ COMMITTED sees its rows.
        let asked = lines.values.flatMap { $0.events.map { events[$0].eventID } }
        guard !asked.isEmpty else { return outcome }
        let seen = try await SQLBatch.select(
            "SELECT event_id FROM billing_usage WHERE event_id IN", keys: asked, on: db)
        if !seen.isEmpty {
            let seenIDs = Set(try seen.map { try $0.decode(column: "event_id", as: String.self) })
            outcome.duplicates += seenIDs.count
            for key in Array(lines.keys) { lines[key]?.events.removeAll { seenIDs.contains(events[$0].eventID) } }
        }

        // 3. Periods that have come due by the events' time open first (fee, package, rollover), as the scheduler would.
        var minTime = Int64.max
        for (number, work) in lines where !work.events.isEmpty {
            let times = work.events.map { events[$0].occurredAt.storageMilliseconds }
            minTime = min(minTime, times.min() ?? .max)
            let latest = times.max() ?? 0
            if latest >= work.account.periodEnd {
                var account = work.account
                try await rollForward(&account, through: latest, now: now, queued: queued, on: db)
                lines[number]?.account = account
            }
        }
        let active = lines.values.filter { !$0.events.isEmpty }
        guard !active.isEmpty else { return outcome }

        // 4. Buckets the events can draw on; the periods only of lines with an event older than their current period
        // (the current period's tariff is on the account row).
        var buckets: [Int64: [Bucket]] = [:]
        for row in try await SQLBatch.select(
            "SELECT \(Self.bucketColumnList) FROM billing_bucket WHERE expires_at > \(minTime) AND subscriber_id IN",
            numbers: active.map(\.account.subscriberID.rawValue), on: db)
        {
            buckets[try row.decode(column: "subscriber_id", as: Int64.self), default: []].append(
                try Self.decodeBucket(row))
        }
        let late = active.filter { work in
            work.events.contains { events[$0].occurredAt.storageMilliseconds < work.account.periodStart }
        }
        var periods: [Int64: [TariffPeriod]] = [:]
        if !late.isEmpty {
            for row in try await SQLBatch.select(
                "SELECT subscriber_id, tariff_id, start_at, end_at FROM billing_period WHERE end_at > \(minTime) AND subscriber_id IN",
                numbers: late.map(\.account.subscriberID.rawValue), on: db)
            {
                let tariff = try row.decode(column: "tariff_id", as: String.self)
                guard let tariffID = TariffID(rawValue: tariff) else {
                    throw CabinetError.internal("stored period has tariff \(tariff)")
                }
                periods[try row.decode(column: "subscriber_id", as: Int64.self), default: []].append(
                    TariffPeriod(
                        tariffID: tariffID, start: try row.decode(column: "start_at", as: Int64.self),
                        end: try row.decode(column: "end_at", as: Int64.self)))
            }
        }

        // 5. Price every event in time order per line.
        var tariffs: [String: Tariff] = [:]
        var rated: [(index: Int, event: RatedEvent)] = []
        rated.reserveCapacity(candidates.count)
        var changedBuckets: [(id: Int64, values: [Int64])] = []
        var charged: [LineWork] = []
        var notices: [(account: AccountRow, before: [Bucket], after: [Bucket])] = []
        for var work in active {
            let line = work.account.subscriberID
            var lineBuckets = buckets[line.rawValue] ?? []
            let before = lineBuckets
            let current = TariffPeriod(
                tariffID: work.account.tariffID, start: work.account.periodStart, end: work.account.periodEnd)
            let spans = periods[line.rawValue] ?? []
            let order = work.events.sorted { (events[$0].occurredAt, $0) < (events[$1].occurredAt, $1) }
            for index in order {
                let event = events[index]
                let at = event.occurredAt.storageMilliseconds
                guard let span = Rater.period(of: at, current: current, earlier: spans) else {
                    outcome.rejected[index] = CabinetError(
                        BillingError.beforeActivation,
                        arguments: ["eventId": event.eventID])
                    continue
                }
                let key = work.account.region.rawValue + "/" + span.tariffID.rawValue
                guard let tariff = tariffs[key] ?? rules.tariff(span.tariffID, in: work.account.region) else {
                    throw CabinetError(BillingError.tariffMissing, arguments: ["tariff": span.tariffID.rawValue])
                }
                tariffs[key] = tariff
                let result = Rater.rate(event, line: line, tariff: tariff, buckets: &lineBuckets)
                work.charged += result.charged.minorUnits
                rated.append((index, result))
            }
            for (old, new) in zip(before, lineBuckets) where old.left != new.left {
                changedBuckets.append((new.id, [new.left]))
            }
            if before != lineBuckets { notices.append((work.account, before, lineBuckets)) }
            if work.charged > 0 { charged.append(work) }
        }
        guard !rated.isEmpty else { return outcome }

        // 6. Money: one ledger transaction per currency for the whole batch, named after its first rated event (an id
        // unique forever): an entry per charged line and one for revenue.
        let at = now.storageMilliseconds
        var transactionIDs: [Currency: Int64] = [:]
        var externalIDs: [Currency: String] = [:]
        for currency in Set(charged.map(\.account.currency)).sorted(by: { $0.code < $1.code }) {
            let firstEvent =
                rated.first { $0.event.charged.currency == currency && $0.event.charged.isPositive }?.event.eventID
                ?? ""
            externalIDs[currency] = "usage:\(currency.code):\(firstEvent)"
            guard
                let id = try await db.raw(
                    """
                    INSERT INTO billing_transaction (external_id, kind, at, explanation, arguments)
                    VALUES (\(bind: "usage:\(currency.code):\(firstEvent)"), \(bind: MovementKind.usage.rawValue), \(bind: at),
                            'billing.explain.usage', '{}')
                    RETURNING id
                    """
                ).first()?.decode(column: "id", as: Int64.self)
            else { throw CabinetError.internal("usage transaction not stored") }
            transactionIDs[currency] = id
        }
        if !charged.isEmpty {
            var entries: [[SQLValue]] = []
            var balances: [(id: Int64, values: [Int64])] = []
            var revenue: [Currency: Int64] = [:]
            // Company lines: their companies pay the batch's charges (CompanyAccounts), in this transaction.
            let covers = try await self.covers(
                of: charged.map { ($0.account, $0.charged) }, kind: .usage, at: now, on: db)
            var afterCharge: [Int64: Int64] = [:]
            for var work in charged {
                guard let transaction = transactionIDs[work.account.currency] else { continue }
                let before = work.account.balance
                work.account.balance -= work.charged
                afterCharge[work.account.id] = work.account.balance
                entries.append([
                    .int(transaction), .int(work.account.id), .int(-work.charged), .word(work.account.currency.code),
                    .int(work.account.balance), .int(at),
                ])
                work.account.balance += covers[work.account.id]?.amount ?? 0
                work.account.restricted = work.account.balance < 0
                balances.append((work.account.id, [work.account.balance, work.account.restricted ? 1 : 0]))
                revenue[work.account.currency, default: 0] += work.charged
                try await noticeLowBalance(work.account, before: before, at: now, queued: queued, on: db)
            }
            for (currency, amount) in revenue {
                guard let transaction = transactionIDs[currency] else { continue }
                entries.append([
                    .int(transaction), .int(try systemAccount(.revenue, currency)), .int(amount), .word(currency.code),
                    .null,
                    .int(at),
                ])
                outcome.charged[currency, default: 0] += amount
            }
            try await SQLBatch.insert(
                "INSERT INTO billing_entry (transaction_id, account_id, amount, currency, balance_after, at)",
                rows: entries, on: db)
            for currency in Set(covers.values.map(\.account.currency)).sorted(by: { $0.code < $1.code }) {
                guard let externalID = externalIDs[currency] else { continue }
                try await postCovers(
                    covers.filter { $0.value.account.currency == currency }, balances: &afterCharge,
                    currency: currency, externalID: externalID, at: now, on: db)
            }
            try await SQLBatch.update("billing_account", columns: ["balance", "restricted"], rows: balances, on: db)
        }

        // 7. Packages and the rated events themselves.
        try await SQLBatch.update("billing_bucket", columns: ["remaining"], rows: changedBuckets, on: db)
        var usageRows: [[SQLValue]] = []
        usageRows.reserveCapacity(rated.count)
        for (index, result) in rated {
            let event = events[index]
            let transaction = result.charged.isPositive ? transactionIDs[result.charged.currency] : nil
            usageRows.append([
                .text(event.eventID), .int(result.subscriberID.rawValue), .word(event.kind.rawValue),
                .optional(word: event.callKind?.rawValue),
                .int(event.occurredAt.storageMilliseconds), .int(event.quantity), .int(result.units),
                .int(result.fromPackage),
                .int(result.charged.minorUnits), .word(result.charged.currency.code), .optional(event.otherParty),
                .optional(transaction), .int(at),
            ])
        }
        try await SQLBatch.insert(Self.usageInsert, rows: usageRows, on: db)
        outcome.rated = rated.count
        // The lines' monthly spending counters, by the month each event happened in.
        var regionOf: [Int64: RegionID] = [:]
        for work in charged { regionOf[work.account.subscriberID.rawValue] = work.account.region }
        var bounds = MonthBounds(store: self)
        var spending: [SpendingMonth: Int64] = [:]
        for (index, result) in rated where result.charged.isPositive {
            guard let region = regionOf[result.subscriberID.rawValue] else { continue }
            let month = bounds.start(of: events[index].occurredAt.storageMilliseconds, region: region)
            spending[SpendingMonth(subscriber: result.subscriberID.rawValue, monthStart: month), default: 0] +=
                result.charged.minorUnits
        }
        try await addSpending(spending, on: db)

        // 8. Notices for the current period's packages (80 % used, used up), once per period each.
        for (account, before, after) in notices {
            try await noticePackages(account: account, before: before, after: after, now: now, queued: queued, on: db)
        }
        return outcome
    }

    /// The usage table's insert (the benchmark's bare insert uses the same statement shape).
    public static let usageInsert = """
        INSERT INTO billing_usage (event_id, subscriber_id, kind, call_kind, occurred_at, quantity, units, from_package, charged,
                                   currency, other_party, transaction_id, rated_at)
        """

    /// Texts "80 % of the package is used" and "the package is used up" when a batch crosses those marks.
    private func noticePackages(
        account: AccountRow, before: [Bucket], after: [Bucket], now: Date, queued: Flag,
        on db: any SQLDatabase
    ) async throws {
        for crossed in BillingNotice.packages(before: before, after: after, periodStart: account.period.start) {
            try await notice(crossed.kind, account: account, at: now, text: crossed.text(texts), queued: queued, on: db)
        }
    }
}
