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

/// A period as rating needs it: which tariff priced which span.
private struct PeriodSpan {
    var tariffID: TariffID
    var start: Int64
    var end: Int64
}

extension SQLBillingStore {
    public func rate(_ events: [UsageEvent], now: Date) async throws -> RatingOutcome {
        guard !events.isEmpty else { return RatingOutcome() }
        let queued = Flag()
        let outcome = try await database.write { db in try await self.rateBatch(events, now: now, queued: queued, on: db) }
        if queued.isSet { messagesQueued() }
        return outcome
    }

    /// Rates a batch in the caller's transaction with a fixed number of statements per chunk of rows: reads of the
    /// seen ids, the accounts (locked), periods and buckets; writes of the usage rows, bucket remainders, ledger
    /// transactions, entries and balances. Lines are locked in id order so two batches cannot deadlock.
    private func rateBatch(_ events: [UsageEvent], now: Date, queued: Flag, on db: any SQLDatabase) async throws -> RatingOutcome {
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
        var minTime = Int64.max
        for index in candidates {
            let event = events[index]
            guard lines[event.msisdn.e164] != nil else {
                outcome.rejected[index] = CabinetError(BillingError.unknownLine, kind: .invalidInput,
                                                       arguments: ["msisdn": event.msisdn.e164])
                continue
            }
            lines[event.msisdn.e164]?.events.append(index)
            minTime = min(minTime, event.occurredAt.storageMilliseconds)
        }
        guard minTime != .max else { return outcome }
        // Seen before? Asked only now, under the lines' locks: a batch that rated the same event (always of the same
        // line) has committed by the time this one holds the line, so READ COMMITTED sees its rows.
        let seen = try await SQLBatch.select(
            "SELECT event_id FROM billing_usage WHERE event_id IN",
            keys: lines.values.flatMap { $0.events.map { events[$0].eventID } }, on: db)
        if !seen.isEmpty {
            let seenIDs = Set(try seen.map { try $0.decode(column: "event_id", as: String.self) })
            outcome.duplicates += seenIDs.count
            for key in Array(lines.keys) { lines[key]?.events.removeAll { seenIDs.contains(events[$0].eventID) } }
            minTime = lines.values.flatMap { $0.events.map { events[$0].occurredAt.storageMilliseconds } }.min() ?? .max
            guard minTime != .max else { return outcome }
        }

        // 3. Periods that have come due by the events' time open first (fee, package, rollover), as the scheduler would.
        for (number, work) in lines where !work.events.isEmpty {
            let latest = work.events.map { events[$0].occurredAt.storageMilliseconds }.max() ?? 0
            if latest >= work.account.periodEnd {
                var account = work.account
                try await rollForward(&account, through: latest, now: now, queued: queued, on: db)
                lines[number]?.account = account
            }
        }
        let active = lines.values.filter { !$0.events.isEmpty }
        let subscriberIDs = active.map(\.account.subscriberID.rawValue)

        // 4. Periods and buckets the events can fall into.
        var periods: [Int64: [PeriodSpan]] = [:]
        for row in try await SQLBatch.select(
            "SELECT subscriber_id, tariff_id, start_at, end_at FROM billing_period WHERE end_at > \(minTime) AND subscriber_id IN",
            keys: subscriberIDs, on: db)
        {
            let tariff = try row.decode(column: "tariff_id", as: String.self)
            guard let tariffID = TariffID(rawValue: tariff) else { throw CabinetError.internal("stored period has tariff \(tariff)") }
            periods[try row.decode(column: "subscriber_id", as: Int64.self), default: []].append(
                PeriodSpan(tariffID: tariffID, start: try row.decode(column: "start_at", as: Int64.self),
                           end: try row.decode(column: "end_at", as: Int64.self)))
        }
        var buckets: [Int64: [Bucket]] = [:]
        for row in try await SQLBatch.select(
            "SELECT \(Self.bucketColumnList) FROM billing_bucket WHERE expires_at > \(minTime) AND subscriber_id IN",
            keys: subscriberIDs, on: db)
        {
            buckets[try row.decode(column: "subscriber_id", as: Int64.self), default: []].append(try Self.decodeBucket(row))
        }

        // 5. Price every event in time order per line.
        var tariffs: [String: Tariff] = [:]
        var rated: [(index: Int, event: RatedEvent)] = []
        rated.reserveCapacity(candidates.count)
        var changedBuckets: [Int64: Int64] = [:]
        var touched: [String: LineWork] = [:]
        var notices: [(account: AccountRow, before: [Bucket], after: [Bucket])] = []
        for var work in active {
            let line = work.account.subscriberID
            var lineBuckets = buckets[line.rawValue] ?? []
            let before = lineBuckets
            let spans = periods[line.rawValue] ?? []
            let order = work.events.sorted { (events[$0].occurredAt, $0) < (events[$1].occurredAt, $1) }
            for index in order {
                let event = events[index]
                let at = event.occurredAt.storageMilliseconds
                guard let span = spans.first(where: { $0.start <= at && at < $0.end }) else {
                    outcome.rejected[index] = CabinetError(BillingError.beforeActivation, kind: .invalidInput,
                                                           arguments: ["eventId": event.eventID])
                    continue
                }
                let key = work.account.region.rawValue + "/" + span.tariffID.rawValue
                guard let tariff = tariffs[key] ?? rules.tariff(span.tariffID, in: work.account.region) else {
                    throw CabinetError(BillingError.tariffMissing, kind: .internal, arguments: ["tariff": span.tariffID.rawValue])
                }
                tariffs[key] = tariff
                let result = Rater.rate(event, line: line, tariff: tariff, buckets: &lineBuckets)
                work.charged += result.charged.minorUnits
                rated.append((index, result))
            }
            for (old, new) in zip(before, lineBuckets) where old.left != new.left { changedBuckets[new.id] = new.left }
            if work.charged > 0 || before != lineBuckets { notices.append((work.account, before, lineBuckets)) }
            touched[work.account.msisdn.e164] = work
        }
        guard !rated.isEmpty else { return outcome }

        // 6. Money: one ledger transaction per charged line, named after its first event of the batch (unique forever).
        let at = now.storageMilliseconds
        var transactionRows: [[any Encodable & Sendable]] = []
        var externalIDs: [String: String] = [:]
        for work in touched.values where work.charged > 0 {
            let first = work.events.min { (events[$0].occurredAt, $0) < (events[$1].occurredAt, $1) } ?? work.events[0]
            let external = "usage:" + events[first].eventID
            externalIDs[work.account.msisdn.e164] = external
            transactionRows.append([external, MovementKind.usage.rawValue, at, "billing.explain.usage",
                                    Self.encode(["events": String(work.events.count)])])
        }
        var transactionIDs: [String: Int64] = [:]
        if !transactionRows.isEmpty {
            for row in try await SQLBatch.insert(
                "INSERT INTO billing_transaction (external_id, kind, at, explanation, arguments)", rows: transactionRows,
                suffix: "RETURNING id, external_id", returning: true, on: db)
            {
                transactionIDs[try row.decode(column: "external_id", as: String.self)] = try row.decode(column: "id", as: Int64.self)
            }
            var entries: [[any Encodable & Sendable]] = []
            var balances: [(id: Int64, values: [Int64])] = []
            for (number, original) in touched where original.charged > 0 {
                var work = original
                guard let external = externalIDs[number], let transaction = transactionIDs[external] else {
                    throw CabinetError.internal("usage transaction \(externalIDs[number] ?? number) not stored")
                }
                let revenue = try systemAccount(.revenue, work.account.currency)
                let before = work.account.balance
                work.account.balance -= work.charged
                work.account.restricted = work.account.balance < 0
                entries.append([transaction, work.account.id, -work.charged, work.account.currency.code, work.account.balance, at])
                entries.append([transaction, revenue, work.charged, work.account.currency.code, Int64?.none, at])
                balances.append((id: work.account.id, values: [work.account.balance, work.account.restricted ? 1 : 0]))
                outcome.charged[work.account.currency, default: 0] += work.charged
                touched[number] = work
                try await noticeLowBalance(work.account, before: before, at: now, queued: queued, on: db)
            }
            try await SQLBatch.insert(
                "INSERT INTO billing_entry (transaction_id, account_id, amount, currency, balance_after, at)", rows: entries, on: db)
            try await SQLBatch.update("billing_account", columns: ["balance", "restricted"], rows: balances, on: db)
        }

        // 7. Packages and the rated events themselves.
        try await SQLBatch.update("billing_bucket", columns: ["remaining"], rows: changedBuckets.map { (id: $0.key, values: [$0.value]) }, on: db)
        var usageRows: [[any Encodable & Sendable]] = []
        usageRows.reserveCapacity(rated.count)
        for (index, result) in rated {
            let event = events[index]
            let number = event.msisdn.e164
            let transaction = result.charged.isPositive ? externalIDs[number].flatMap { transactionIDs[$0] } : nil
            usageRows.append([
                event.eventID, result.subscriberID.rawValue, event.kind.rawValue, event.callKind?.rawValue,
                event.occurredAt.storageMilliseconds, event.quantity, result.units, result.fromPackage, result.charged.minorUnits,
                result.charged.currency.code, event.otherParty, transaction, at,
            ])
        }
        try await SQLBatch.insert("""
            INSERT INTO billing_usage (event_id, subscriber_id, kind, call_kind, occurred_at, quantity, units, from_package, charged,
                                       currency, other_party, transaction_id, rated_at)
            """, rows: usageRows, on: db)
        outcome.rated = rated.count

        // 8. Notices for the current period's packages (80 % used, used up), once per period each.
        for (account, before, after) in notices {
            try await noticePackages(account: account, before: before, after: after, now: now, queued: queued, on: db)
        }
        return outcome
    }

    /// Texts "80 % of the package is used" and "the package is used up" when a batch crosses those marks.
    private func noticePackages(account: AccountRow, before: [Bucket], after: [Bucket], now: Date, queued: Flag,
                                on db: any SQLDatabase) async throws {
        for unit in PackageUnit.allCases {
            let current = { (bucket: Bucket) in bucket.unit == unit && bucket.validFrom.storageMilliseconds == account.periodStart }
            let total = after.filter(current).reduce(Int64(0)) { $0 + $1.total }
            guard total > 0 else { continue }
            let leftBefore = before.filter(current).reduce(Int64(0)) { $0 + $1.left }
            let leftAfter = after.filter(current).reduce(Int64(0)) { $0 + $1.left }
            guard leftAfter < leftBefore else { continue }
            if leftAfter == 0 {
                try await notice("packageOut:\(unit.rawValue)", account: account, at: now, text: texts.packageExhausted(unit),
                                 queued: queued, on: db)
            } else if (total - leftBefore) * 5 < total * 4, (total - leftAfter) * 5 >= total * 4 {
                try await notice("package80:\(unit.rawValue)", account: account, at: now,
                                 text: texts.packageMostlyUsed(unit, left: leftAfter), queued: queued, on: db)
            }
        }
    }
}
