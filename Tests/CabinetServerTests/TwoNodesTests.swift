import Billing
import CabinetCore
import CabinetMessaging
import CabinetServer
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit
import ServiceLifecycle
import Testing

/// Two servers on one PostgreSQL database, each running every background job and its outbox worker, as two nodes of
/// a deployment do: every period is opened once (the nodes' own counts add up to the database's rows) and every SMS
/// is sent once (the two nodes' senders together received each message once).
@Suite struct TwoNodesTests {
    @Test func twoNodesDoEachUnitOfWorkOnce() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        let clock = ManualClock(iso8601: "2026-11-20T09:00:00Z")
        let logs = [LogRecording(), LogRecording()]
        let senders = [RecordingSMSSender(), RecordingSMSSender()]
        try await withRuntimes(
            2, .postgres,
            configure: {
                $0.feePollInterval = .milliseconds(50)
                $0.outboxPollInterval = .milliseconds(20)
            },
            nodeDependencies: { CabinetDependencies(clock: clock, sms: senders[$0], logger: logs[$0].logger()) }
        ) { nodes in
            let database = nodes[0].database
            func count(_ sql: SQLQueryString) async throws -> Int {
                try await database.read { db in try await db.raw(sql).first()?.decode(column: "n", as: Int.self) } ?? 0
            }
            let lines = try await DemoProvisioner(runtime: nodes[0]).provision().count
            let periodsBefore = try await count("SELECT COUNT(*) AS n FROM billing_period")
            func opened() -> Int {
                logs.flatMap(\.messages).filter { $0.hasPrefix("periods opened") }.compactMap { message in
                    message.split(separator: " ").first { $0.hasPrefix("cabinet.lines=") }
                        .flatMap { Int($0.dropFirst("cabinet.lines=".count)) }
                }.reduce(0, +)
            }
            let openedBefore = opened()

            // Every job and the outbox of both nodes, as `cabinet serve` runs them.
            let work = nodes.flatMap { node in
                (node.jobs + [node.outbox as any Service]).map { job in Task { try await job.run() } }
            }
            for index in 0..<40 {
                let sms = OutgoingSMS(
                    to: MSISDN(e164: "+7900111\(String(format: "%04d", index))")!, text: "message \(index)",
                    purpose: "test")
                _ = try await nodes[index % 2].database.write { db in
                    try await Outbox.enqueue(sms, on: db, now: clock.now)
                }
            }
            for node in nodes { node.outbox.nudge() }
            // A claimed message is another node's after the claim's lease: the shared clock jumps a month only once
            // nothing is in flight (real time does not jump).
            func outboxEmptied() async throws {
                var waited = 0
                while try await count("SELECT COUNT(*) AS n FROM messaging_outbox WHERE status = 'pending'") > 0 {
                    waited += 1
                    try #require(waited < 1000, "the outbox was not emptied")
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            try await outboxEmptied()

            // Three months: each time every line's period opens, on one node or the other, once.
            for _ in 1...3 {
                clock.advance(by: .seconds(31 * 86_400))
                let now = clock.now.storageMilliseconds
                var waited = 0
                while try await count(
                    "SELECT COUNT(*) AS n FROM billing_account WHERE subscriber_id IS NOT NULL AND period_end_at <= \(bind: now)"
                ) > 0 {
                    waited += 1
                    try #require(waited < 1000, "the periods were not opened")
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await outboxEmptied()
            }
            for task in work { task.cancel() }
            for task in work { _ = await task.result }

            let periods = try await count("SELECT COUNT(*) AS n FROM billing_period") - periodsBefore
            #expect(periods >= lines * 3)
            #expect(opened() - openedBefore == periods, "the nodes opened as many periods as the database holds")
            let texts = senders.flatMap(\.sent).map(\.text).filter { $0.hasPrefix("message ") }
            #expect(texts.count == 40)
            #expect(Set(texts).count == 40, "each message sent once")
            let sent = try await count(
                "SELECT COUNT(*) AS n FROM messaging_outbox WHERE channel = 'sms' AND status = 'sent'")
            #expect(senders.map(\.sent.count).reduce(0, +) == sent)
            #expect(try await nodes[1].services.billing.service.checkLedger().isClean)
        }
    }
}
