import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Subscribers
import Synchronization
import Tariffs
import TariffsStorage
import Testing

/// The in-memory store answers as the SQL store does: one seeded scenario of months of usage (late, duplicate,
/// refused), postings, fees, tariff changes and statements runs through the service on a SQL backend and in memory,
/// and every answer is compared. Row ids that depend on the SQL store's order of lines within a batch or a run of fees
/// are left out.
@Suite struct InMemoryParityTests {
    /// A fast, seedable generator, so both runs see the same inputs.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A movement without its row ids (and without the name of a usage batch's transaction, which comes from the
    /// batch's first line: in SQL an order of lines no test should rely on).
    struct Movement: Hashable {
        var externalID: String?
        var kind: MovementKind
        var amount: Money
        var balanceAfter: Money
        var at: Date
        var explanation: String
        var arguments: [String: String]

        init(_ movement: LedgerMovement) {
            externalID = movement.kind == .usage ? nil : movement.externalID
            kind = movement.kind
            amount = movement.amount
            balanceAfter = movement.balanceAfter
            at = movement.at
            explanation = movement.explanation
            arguments = movement.arguments
        }
    }

    struct Message: Hashable {
        var channel: String
        var subject: String?
        var body: String
        var purpose: String
        var createdAt: Date
    }

    struct Broken: StatementRenderer {
        func render(_ statement: FullStatement, texts: BillingTexts) throws -> StatementFile {
            throw CabinetError.internal("disk full")
        }
    }

    static let numbers = ["+79001000001", "+79001000002", "+79001000003", "+77011000004", "+79001000005"]

    /// Runs the scenario on `bed` and returns every answer, labelled.
    func run(_ bed: BillingTestBed, seed: UInt64, steps: Int) async throws -> [(String, AnyHashable)] {
        var random = SplitMix(state: seed)
        var trace: [(String, AnyHashable)] = []
        func record(_ label: String, _ value: AnyHashable) { trace.append((label, value)) }
        func code(_ error: any Error) -> String { (error as? CabinetError)?.code.rawValue ?? "other: \(error)" }

        let lines = [
            try await bed.line(Self.numbers[0], tariff: "monthly", credit: "1000.00"),
            try await bed.line(Self.numbers[1], tariff: "payg", credit: "50.00"),
            try await bed.line(Self.numbers[2], tariff: "daily", credit: "200.00"),
            try await bed.line(Self.numbers[3], region: "almaty", tariff: "monthly", credit: "5000.00"),
            try await bed.line(Self.numbers[4], tariff: "premium"),
        ]
        let tariffs = ["monthly", "premium", "daily", "payg", "old"].compactMap(TariffID.init(rawValue:))
        var eventIDs: [String] = []
        var externalIDs: [String] = []
        var cursors: [Int: Int64] = [:]
        let moscow = TimeZone(identifier: "Europe/Moscow") ?? .gmt

        for step in 0..<steps {
            let now = bed.clock.now
            let line = lines[Int.random(in: 0..<lines.count, using: &random)]
            switch Int.random(in: 0..<11, using: &random) {
            case 0:
                let seconds = [60, 3600, 6 * 3600, 86_400, 3 * 86_400, 11 * 86_400][
                    Int.random(in: 0..<6, using: &random)]
                bed.clock.advance(by: .milliseconds(seconds * 1000 + Int.random(in: 0..<1000, using: &random)))
                record("advance", bed.clock.now)
            case 1, 2, 3:
                var events: [UsageEvent] = []
                for n in 0..<Int.random(in: 1...40, using: &random) {
                    let reuse = !eventIDs.isEmpty && Int.random(in: 0..<8, using: &random) == 0
                    let id = reuse ? eventIDs[Int.random(in: 0..<eventIDs.count, using: &random)] : "e\(step)-\(n)"
                    if !reuse { eventIDs.append(id) }
                    let pick = Int.random(in: 0...lines.count, using: &random)
                    let msisdn =
                        pick < lines.count ? lines[pick].msisdn : MSISDN(e164: "+79009999999") ?? lines[0].msisdn
                    let ago: TimeInterval =
                        switch Int.random(in: 0..<6, using: &random) {
                        case 0: Double(Int.random(in: 0...40 * 86_400, using: &random))
                        case 1: -Double(Int.random(in: 0...900, using: &random))
                        default: Double(Int.random(in: 0...7200, using: &random))
                        }
                    let at = now.addingTimeInterval(
                        -ago - Double(Int.random(in: 0..<1000, using: &random)) / 1000 - 0.0004)
                    let event: UsageEvent =
                        switch Int.random(in: 0..<4, using: &random) {
                        case 0:
                            UsageEvent(
                                eventID: id, msisdn: msisdn, kind: .call, occurredAt: at,
                                quantity: Int64(Int.random(in: -5...900, using: &random)),
                                callKind: UsageEvent.CallKind.allCases.randomElement(using: &random),
                                otherParty: "+79161234567")
                        case 1:
                            UsageEvent(
                                eventID: id, msisdn: msisdn, kind: .sms, occurredAt: at, quantity: 1,
                                otherParty: "+79161234567")
                        default:
                            UsageEvent(
                                eventID: id, msisdn: msisdn, kind: .data, occurredAt: at,
                                quantity: Int64(Int.random(in: 0...300_000_000, using: &random)))
                        }
                    events.append(event)
                }
                record("ingest", try await bed.service.ingest(events))
            case 4:
                let reuse = !externalIDs.isEmpty && Int.random(in: 0..<5, using: &random) == 0
                let id = reuse ? externalIDs[Int.random(in: 0..<externalIDs.count, using: &random)] : "p\(step)"
                if !reuse { externalIDs.append(id) }
                let currency =
                    Int.random(in: 0..<12, using: &random) == 0
                    ? Currency.kzt : (line.region.rawValue == "almaty" ? .kzt : .rub)
                let amount = Int64(Int.random(in: -40_000...40_000, using: &random) / 10 * 10)
                let legs =
                    Int.random(in: 0..<5, using: &random) == 0
                    ? [LedgerLeg(amount: Money(minorUnits: -500, currency: currency), counterparty: .revenue)] : []
                let posting = LedgerPosting(
                    externalID: id, kind: MovementKind.allCases.randomElement(using: &random) ?? .adjustment,
                    line: line.id,
                    amount: Money(minorUnits: amount, currency: currency),
                    counterparty: SystemAccount.allCases.randomElement(using: &random) ?? .adjustment,
                    explanation: "billing.explain.adjustment",
                    arguments: ["n": "\(step)"], allowsNegativeBalance: Bool.random(using: &random),
                    at: now.addingTimeInterval(-Double(Int.random(in: 0...86_400, using: &random))), extraLegs: legs)
                do {
                    switch try await bed.billingStore.post(posting) {
                    case .posted(_, let balance): record("posted", balance)
                    case .duplicate: record("duplicate", id)
                    case .insufficientFunds(let balance): record("insufficient", balance)
                    }
                } catch {
                    record("post refused", code(error))
                }
            case 5:
                record("fees", try await bed.service.runDueFees(batch: Int.random(in: 1...3, using: &random)))
            case 6:
                let target = tariffs[Int.random(in: 0..<tariffs.count, using: &random)]
                let timing = TariffChangeTiming.allCases.randomElement(using: &random) ?? .immediately
                do {
                    record("preview", try await bed.service.preview(line: bed.access(line), to: target, timing: timing))
                    let (request, preview) = try await bed.service.change(
                        line: bed.access(line), to: target, timing: timing)
                    record("change", [AnyHashable(request), AnyHashable(preview)])
                } catch {
                    record("change refused", code(error))
                }
            case 7:
                let today = LocalDate(now, in: moscow)
                let to = today.adding(days: -Int.random(in: 0...3, using: &random))
                do {
                    let from = to.adding(days: -Int.random(in: 0...20, using: &random))
                    let language: Language = Bool.random(using: &random) ? .ru : .en
                    record(
                        "order",
                        try await bed.service.orderStatement(bed.access(line), from: from, to: to, language: language))
                } catch {
                    record("order refused", code(error))
                }
            case 8:
                let renderers: [any StatementRenderer] =
                    Bool.random(using: &random) ? [StatementCSVRenderer()] : [Broken()]
                let producer = StatementProducer(
                    store: bed.billingStore, rules: bed.rules, lines: bed.directory, renderers: renderers,
                    texts: bed.texts, clock: bed.clock, logger: .test)
                record("statements", try await producer.runOnce(limit: Int.random(in: 1...3, using: &random)))
                bed.clock.advance(by: .seconds(Int.random(in: 0...400, using: &random)))
            case 9:
                record("dashboard", try await bed.service.dashboard(bed.access(line)))
                let kinds = Set(MovementKind.allCases.filter { _ in Int.random(in: 0..<4, using: &random) == 0 })
                let index = lines.firstIndex { $0.id == line.id } ?? 0
                let back = Double(Int.random(in: 0...30 * 86_400, using: &random))
                let from = Bool.random(using: &random) ? now.addingTimeInterval(-back) : nil
                let page = try await bed.service.history(
                    bed.access(line),
                    query: MovementQuery(
                        from: from, kinds: kinds, before: cursors[index], limit: Int.random(in: 1...6, using: &random)))
                cursors[index] = page.last?.entryID
                record("history", page.map(Movement.init))
            default:
                let today = LocalDate(
                    now, in: line.region.rawValue == "almaty" ? TimeZone(identifier: "Asia/Almaty") ?? .gmt : moscow)
                let kinds = Set(UsageEvent.Kind.allCases.filter { _ in Bool.random(using: &random) })
                let from = today.adding(days: -Int.random(in: 0...60, using: &random))
                var statement = try await bed.service.shortStatement(
                    bed.access(line), from: from, to: today, kinds: kinds, after: nil,
                    limit: Int.random(in: 1...7, using: &random))
                record("short", statement)
                if let next = statement.next {
                    statement = try await bed.service.shortStatement(
                        bed.access(line), from: statement.from, to: statement.to, kinds: kinds,
                        after: next, limit: 500)
                    record("short next", statement)
                }
            }
        }

        // Everything each line has, in the end.
        for line in lines {
            record("account", try await bed.billingStore.account(of: line.id))
            // Bucket ids count across lines, which SQL rates in an order of its own.
            var snapshot = try await bed.billingStore.snapshot(of: line.id, at: bed.clock.now)
            for index in snapshot?.buckets.indices ?? 0..<0 { snapshot?.buckets[index].id = 0 }
            record("snapshot", snapshot)
            record(
                "movements",
                try await bed.billingStore.movements(of: line.id, query: MovementQuery(limit: 500)).map(Movement.init))
            let all = UsageQuery(
                from: Date(timeIntervalSince1970: 0), to: bed.clock.now.addingTimeInterval(86_400), limit: 100_000)
            record("rated", try await bed.billingStore.ratedEvents(of: line.id, query: all))
            record("totals", try await bed.billingStore.usageTotals(of: line.id, query: all))
            record("requests", try await bed.requests.requests(of: line.id, before: nil, limit: 100))
            record("tariffs", try await bed.lineTariffs.history(of: line.id))
            record(
                "messages",
                try await bed.queuedMessages(to: line.msisdn.e164).map {
                    Message(
                        channel: $0.channel, subject: $0.subject, body: $0.body, purpose: $0.purpose,
                        createdAt: $0.createdAt)
                })
        }
        record("mail", try await bed.deliverMail())
        record("check", try await bed.check())
        return trace
    }

    func compare(_ sql: [(String, AnyHashable)], _ memory: [(String, AnyHashable)], _ backend: TestDatabase) {
        #expect(sql.count == memory.count)
        for (index, (expected, actual)) in zip(sql, memory).enumerated() where expected != actual {
            Issue.record(
                "answer \(index) differs: \(backend) \(expected.0) \(expected.1)\nmemory \(actual.0) \(actual.1)")
            return
        }
    }

    @Test(arguments: TestDatabase.available)
    func theInMemoryStoreAnswersAsTheSQLStoreDoes(_ backend: TestDatabase) async throws {
        for seed: UInt64 in [1, 2, 3] {
            try await BillingTestBed.with(.sql(backend)) { sqlBed in
                let sql = try await run(sqlBed, seed: seed, steps: 160)
                try await BillingTestBed.with(.memory) { memoryBed in
                    let memory = try await run(memoryBed, seed: seed, steps: 160)
                    compare(sql, memory, backend)
                    #expect(
                        sql.contains { $0.0 == "ingest" } && sql.contains { $0.0 == "change" }
                            && sql.contains { $0.0 == "statements" })
                }
            }
        }
    }

    /// What a store told its listeners, step by step.
    final class Listener: Sendable {
        private let calls = Mutex<(changed: [[Int64]], queued: Int)>(([], 0))
        func changed(_ lines: [SubscriberID]) { calls.withLock { $0.changed.append(lines.map(\.rawValue).sorted()) } }
        func queued() { calls.withLock { $0.queued += 1 } }
        /// What was heard since the last call.
        func take() -> String {
            calls.withLock { calls in
                defer { calls = ([], 0) }
                return "changed \(calls.changed) queued \(calls.queued)"
            }
        }
    }

    /// Drives a store directly and notes, after each write, whom ``BillingStore`` users were told of.
    func listen(_ store: any BillingStore, _ listener: Listener, start: Date) async throws -> [String] {
        var heard: [String] = []
        func note(_ step: String, _ write: () async throws -> Void) async {
            do { try await write() } catch {
                heard.append("\(step): \((error as? CabinetError)?.code.rawValue ?? "\(error)")")
            }
            heard.append("\(step): \(listener.take())")
        }
        let msk = try #require(RegionID(rawValue: "msk"))
        func number(_ text: String) throws -> MSISDN { try #require(MSISDN(e164: text)) }
        let a = SubscriberID(1), b = SubscriberID(2)
        func account(_ line: SubscriberID, _ text: String, _ tariff: String) throws -> NewAccount {
            NewAccount(
                subscriberID: line, msisdn: try number(text), region: msk,
                tariff: try #require(TariffID(rawValue: tariff)),
                from: start)
        }
        func money(_ minor: Int64, _ id: String, negative: Bool = false, at: Date = start) -> LedgerPosting {
            LedgerPosting(
                externalID: id, kind: minor < 0 ? .optionFee : .topUp, line: a,
                amount: Money(minorUnits: minor, currency: .rub),
                counterparty: minor < 0 ? .revenue : .gateway, explanation: "x", allowsNegativeBalance: negative, at: at
            )
        }
        let month = start.addingTimeInterval(31 * 86_400)
        await note("open") { _ = try await store.openAccount(try account(a, "+79001000001", "monthly"), now: start) }
        await note("open again") { _ = try await store.openAccount(try account(a, "+79001000001", "payg"), now: start) }
        await note("top-up") { _ = try await store.post(money(100_000, "t1")) }
        await note("purchase") { _ = try await store.post(money(-10_000, "p1")) }
        await note("refused") { _ = try await store.post(money(-1_000_000, "p2")) }
        await note("duplicate") { _ = try await store.post(money(100_000, "t1")) }
        await note("zero") { _ = try await store.post(money(0, "z")) }
        await note("open b") { _ = try await store.openAccount(try account(b, "+79001000002", "payg"), now: start) }
        await note("rate") {
            let events = try (0..<12).map {
                UsageEvent(
                    eventID: "s\($0)", msisdn: try number($0 % 2 == 0 ? "+79001000001" : "+79001000002"), kind: .sms,
                    occurredAt: start.addingTimeInterval(Double($0)), quantity: 1)
            }
            _ = try await store.rate(events, now: start.addingTimeInterval(60))
        }
        await note("rate seen") {
            let seen = UsageEvent(
                eventID: "s0", msisdn: try number("+79001000001"), kind: .sms, occurredAt: start, quantity: 1)
            _ = try await store.rate([seen], now: start.addingTimeInterval(60))
        }
        await note("rate nobody") {
            let stranger = UsageEvent(
                eventID: "n", msisdn: try number("+79009999999"), kind: .sms, occurredAt: start, quantity: 1)
            _ = try await store.rate([stranger], now: start.addingTimeInterval(60))
        }
        await note("low") {
            _ = try await store.post(money(-85_000, "fee", negative: true, at: start.addingTimeInterval(120)))
        }
        await note("fees") { _ = try await store.openDuePeriods(now: month, limit: 10) }
        await note("fees again") { _ = try await store.openDuePeriods(now: month, limit: 10) }
        await note("top-up 2") { _ = try await store.post(money(200_000, "t2", at: month)) }
        var statement: Int64 = 0
        await note("order") {
            _ = try await store.orderStatement(
                StatementOrder(
                    line: a, from: try #require(LocalDate("2026-12-01")), to: try #require(LocalDate("2026-12-02")),
                    email: "a@example.com",
                    language: .ru, price: Money(minorUnits: 3_000, currency: .rub), now: month))
        }
        await note("claim") {
            statement = try await store.claimStatements(now: month, lease: 300, limit: 5).first?.id ?? 0
        }
        await note("fail") { try await store.failStatement(statement, reason: "x", now: month) }
        await note("complete failed") {
            try await store.completeStatement(
                statement, mail: StatementMail(subject: "s", body: "b", attachments: []), now: month)
        }
        await note("change") {
            let current = try await store.account(of: a)
            _ = try await store.changeTariff(
                TariffChangeOrder(
                    line: a, region: msk, from: try #require(current?.tariffID),
                    to: try #require(TariffID(rawValue: "daily")), timing: .immediately,
                    effectiveAt: month, changeFee: .zero(.rub), newPeriod: nil, now: month))
        }
        heard.append("check \(try await store.check().isClean)")
        return heard
    }

    @Test(arguments: TestDatabase.available)
    func bothStoresTellTheirListenersOfTheSameWrites(_ backend: TestDatabase) async throws {
        let rules = BillingRules(regions: BillingTestBed.regions())
        let texts = BillingTexts(catalog: BillingTestBed.catalog())
        let start = try #require(ISO8601DateFormatter().date(from: BillingTestBed.defaultStart))
        let sql = try await backend.withDatabase(migrations: BillingTestBed.migrations) { database in
            let listener = Listener()
            let store = try await SQLBillingStore.open(
                database: database, rules: rules, texts: texts, lineTariffs: SQLLineTariffStore(database: database),
                logger: .test,
                messagesQueued: { listener.queued() }, balancesChanged: { listener.changed($0) })
            return try await listen(store, listener, start: start)
        }
        let listener = Listener()
        let memory = InMemoryBillingStore(
            rules: rules, texts: texts, messagesQueued: { listener.queued() },
            balancesChanged: { listener.changed($0) })
        #expect(try await listen(memory, listener, start: start) == sql)
        // A top-up alone is not news to auto-payment; a notice (80 % of the SMS, the low balance) wakes the outbox.
        #expect(
            sql.contains("top-up: changed [] queued 0") && sql.contains("rate: changed [[1, 2]] queued 1")
                && sql.contains("low: changed [[1]] queued 1") && sql.contains("fees: changed [[1, 2]] queued 0"),
            "\(sql)")
    }
}
