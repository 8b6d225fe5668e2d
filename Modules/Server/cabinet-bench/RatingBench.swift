import Billing
import BillingStorage
import CabinetCore
import CabinetServer
import CabinetStorage
import Foundation
import Logging
import SQLKit
import Tariffs
import TariffsStorage

/// Rates `events` usage events over `lines` lines through the real store (durably, in batches, idempotently) and, in the
/// same run and database, inserts the same rows into a bare table in the same batches: the ratio is what rating costs.
struct RatingBench {
    let database: CabinetDatabase
    let lines: Int
    let events: Int
    let batch: Int
    let logger: Logger

    struct Figures {
        var seedSeconds: Double
        var ratedPerSecond: Double
        var rawPerSecond: Double
        var rated: Int
        var duplicatesOnResend: Int
        var charged: Int64
        var ledgerClean: Bool
    }

    func run() async throws -> Figures {
        let regions = try CabinetModules.regionLoader.loadCatalog(directory: URL(fileURLWithPath: "Regions"))
        let rules = BillingRules(regions: regions)
        let region = RegionID(rawValue: "msk")!
        guard let calendar = rules.calendar(region),
            let packaged = rules.tariff(TariffID(rawValue: "moy-online")!, in: region),
            let payg = rules.tariff(TariffID(rawValue: "classic")!, in: region)
        else { throw CabinetError.internal("Regions/msk.yaml must have moy-online and classic") }
        let now = Date()
        let period = calendar.period(containing: now, feePeriod: .month)

        // 1. Lines as opening accounts would leave them (bulk, so a million take a minute, not an hour).
        let seedStart = ContinuousClock.now
        try await LineSeeder(database: database, lines: lines, withSubscribers: false)
            .seed(packaged: packaged, payg: payg, period: period, now: now)
        let seedSeconds = seconds(since: seedStart)
        log("seeded \(lines) lines in \(String(format: "%.1f", seedSeconds)) s")

        // 2. The events: calls, SMS and data spread over the lines and the last hours.
        var generator = SplitMix(seed: 42)
        let span = min(now.timeIntervalSince(period.start) - 60, 6 * 3600)
        let all: [UsageEvent] = (0..<events).map { index in
            let line = Int(generator.next() % UInt64(lines))
            let msisdn = LineSeeder.msisdn(line)
            let at = now.addingTimeInterval(-Double(generator.next() % UInt64(max(1, Int(span)))) - 1)
            switch generator.next() % 10 {
            case 0...4:
                return UsageEvent(
                    eventID: "b\(index)", msisdn: msisdn, kind: .call, occurredAt: at,
                    quantity: Int64(20 + generator.next() % 300),
                    callKind: generator.next() % 4 == 0 ? .onNet : .offNet, otherParty: "+79161234567")
            case 5, 6:
                return UsageEvent(
                    eventID: "b\(index)", msisdn: msisdn, kind: .sms, occurredAt: at, quantity: 1,
                    otherParty: "+79161234567")
            default:
                return UsageEvent(
                    eventID: "b\(index)", msisdn: msisdn, kind: .data, occurredAt: at,
                    quantity: Int64(100_000 + generator.next() % 5_000_000))
            }
        }

        // 3. Rating through the store, batch by batch.
        let store = try await SQLBillingStore.open(
            database: database, rules: rules, texts: BillingTexts(catalog: MessageCatalog()),
            lineTariffs: SQLLineTariffStore(database: database), logger: logger)
        var rated = 0
        var charged: Int64 = 0
        let rateStart = ContinuousClock.now
        var next = 0
        while next < all.count {
            let end = min(all.count, next + batch)
            let outcome = try await store.rate(Array(all[next..<end]), now: now)
            rated += outcome.rated
            charged += outcome.charged.values.reduce(0, +)
            next = end
            if (next / batch) % 50 == 0 { log("rated \(next)/\(all.count)") }
        }
        let rateSeconds = seconds(since: rateStart)
        let resend = try await store.rate(Array(all.prefix(batch)), now: now)

        // 4. The same rows into a bare table, in the same batches, same database, same durability.
        try await database.write { db in
            try await db.raw(
                """
                CREATE TABLE bench_raw_usage (
                    event_id TEXT NOT NULL PRIMARY KEY, subscriber_id BIGINT NOT NULL, kind TEXT NOT NULL, call_kind TEXT,
                    occurred_at BIGINT NOT NULL, quantity BIGINT NOT NULL, units BIGINT NOT NULL, from_package BIGINT NOT NULL,
                    charged BIGINT NOT NULL, currency TEXT NOT NULL, other_party TEXT, transaction_id BIGINT, rated_at BIGINT NOT NULL)
                """
            ).run()
            try await db.raw(
                "CREATE INDEX bench_raw_usage_line ON bench_raw_usage (subscriber_id, occurred_at, event_id)"
            ).run()
        }
        let rawStart = ContinuousClock.now
        next = 0
        let at = now.storageMilliseconds
        while next < all.count {
            let end = min(all.count, next + batch)
            // The usage rows rating writes, in the same statement shape and batches, without the rating.
            let rows: [[SQLValue]] = all[next..<end].map { event in
                [
                    .text(event.eventID), .int(Int64(event.msisdn.nationalNumber.suffix(7)) ?? 0),
                    .word(event.kind.rawValue),
                    .optional(word: event.callKind?.rawValue), .int(event.occurredAt.storageMilliseconds),
                    .int(event.quantity),
                    .int(Rater.units(of: event)), .int(0), .int(0), .word("RUB"), .optional(event.otherParty), .null,
                    .int(at),
                ]
            }
            try await database.write { db in
                try await SQLBatch.insert(
                    SQLBillingStore.usageInsert.replacingOccurrences(of: "billing_usage", with: "bench_raw_usage"),
                    rows: rows, on: db)
            }
            next = end
        }
        let rawSeconds = seconds(since: rawStart)
        let check = try await store.check()
        return Figures(
            seedSeconds: seedSeconds, ratedPerSecond: Double(rated) / rateSeconds,
            rawPerSecond: Double(all.count) / rawSeconds,
            rated: rated, duplicatesOnResend: resend.duplicates, charged: charged, ledgerClean: check.isClean)
    }

    func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    func log(_ text: String) { FileHandle.standardError.write(Data("  \(text)\n".utf8)) }
}

/// A small deterministic generator, so every run rates the same events.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Lines as provisioning and opening accounts would leave them, written in big multi-row statements so a million take
/// a minute: subscriber rows (for the HTTP bench), accounts, tariff spans, periods and package buckets. Every third line is
/// on the pay-as-you-go tariff, so rating moves money as well as package units. Balances start at zero with no entries,
/// which the ledger check accepts.
struct LineSeeder {
    let database: CabinetDatabase
    let lines: Int
    let withSubscribers: Bool

    /// `+7 900 0NN NN NN`-style numbers, one per line index.
    static func msisdn(_ index: Int) -> MSISDN {
        MSISDN(e164: "+7958" + String(format: "%07d", index))!
    }

    func seed(packaged: Tariff, payg: Tariff, period: BillingPeriod, now: Date) async throws {
        let start = period.start.storageMilliseconds
        let end = period.end.storageMilliseconds
        let created = now.storageMilliseconds
        let chunk = 2000
        var first = 0
        while first < lines {
            let last = min(lines, first + chunk)
            let range = first..<last
            try await database.write { db in
                func insert(_ prefix: String, _ rows: [[any Encodable & Sendable]]) async throws {
                    var query = SQLQueryString(prefix + " VALUES")
                    for (index, row) in rows.enumerated() {
                        query.appendLiteral(index == 0 ? " (" : ", (")
                        query.appendInterpolation(binds: row)
                        query.appendLiteral(")")
                    }
                    try await db.raw(query).run()
                }
                let ids = range.map { Int64($0 + 1) }
                let tariff = { (id: Int64) in id % 3 == 0 ? payg : packaged }
                if withSubscribers {
                    try await insert(
                        """
                        INSERT INTO subscribers_line (id, msisdn, region, status, activated_on, full_name, email, created_at, updated_at)
                        """,
                        ids.map { id in
                            [
                                id, Self.msisdn(Int(id - 1)).e164, "msk", "active", "2025-01-01", "Абонент \(id)",
                                Optional<String>.none,
                                created, created,
                            ]
                        })
                }
                try await insert(
                    """
                    INSERT INTO billing_account (code, subscriber_id, msisdn, region, currency, balance, restricted, tariff_id,
                                                 period_start_at, period_end_at, created_at)
                    """,
                    ids.map { id in
                        [
                            "line:\(id)", id, Self.msisdn(Int(id - 1)).e164, "msk", "RUB", Int64(0), 0,
                            tariff(id).id.rawValue, start, end, created,
                        ]
                    })
                try await insert(
                    "INSERT INTO tariffs_line_tariff (subscriber_id, region, tariff_id, since_at)",
                    ids.map { id in [id, "msk", tariff(id).id.rawValue, start] })
                let periodIDs = try await {
                    var query = SQLQueryString(
                        "INSERT INTO billing_period (subscriber_id, tariff_id, start_at, end_at, fee) VALUES")
                    for (index, id) in ids.enumerated() {
                        query.appendLiteral(index == 0 ? " (" : ", (")
                        query.appendInterpolation(
                            binds: [id, tariff(id).id.rawValue, start, end, Int64(0)] as [any Encodable & Sendable])
                        query.appendLiteral(")")
                    }
                    query.appendLiteral(" RETURNING id, subscriber_id")
                    var result: [Int64: Int64] = [:]
                    for row in try await db.raw(query).all() {
                        result[try row.decode(column: "subscriber_id", as: Int64.self)] = try row.decode(
                            column: "id", as: Int64.self)
                    }
                    return result
                }()
                var buckets: [[any Encodable & Sendable]] = []
                for id in ids where tariff(id).id == packaged.id {
                    for (unit, amount) in packaged.packages.amounts where amount > 0 {
                        buckets.append([id, periodIDs[id] ?? 0, unit.rawValue, "package", amount, amount, start, end])
                    }
                }
                if !buckets.isEmpty {
                    try await insert(
                        """
                        INSERT INTO billing_bucket (subscriber_id, period_id, unit, source, total, remaining, valid_from, expires_at)
                        """, buckets)
                }
            }
            first = last
            if first % 100_000 == 0 { log("seeded \(first)/\(lines)") }
        }
    }

    func log(_ text: String) { FileHandle.standardError.write(Data("  \(text)\n".utf8)) }
}
