import ArgumentParser
import Auth
import CabinetCore
import CabinetServer
import CabinetStorage
import Foundation
import Logging
import Payments
import SQLKit

/// Pending card payments for the top-up benchmark, and the sandbox's signed webhooks that will credit them: one line
/// per payment, `signature<TAB>body`, so every request of the benchmark credits a different payment.
struct TopUpSeed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topup-seed", abstract: "Create pending payments over seeded lines and write their signed webhooks.")

    @Option(help: "Database URL of a seeded database (cabinet-bench seed).") var database: String
    @Option(help: "Pending payments to create.") var count: Int = 100_000
    @Option(help: "File to write the webhooks to.") var out: String

    func run() async throws {
        var logger = Logger(label: "cabinet-bench")
        logger.logLevel = .warning
        let db = try await CabinetDatabase.open(try DatabaseURL(parsing: database), logger: logger)
        do {
            // The server reads the same setting at start, so its sandbox verifies what is signed here.
            let secret = try await db.setting("payments.sandbox.secret") { AuthSecrets.generate().base64EncodedString() }
            let signer = WebhookSignature(secret: Data(secret.utf8))
            let lines = try await db.read { db in
                try await db.raw("SELECT id, msisdn FROM subscribers_line ORDER BY id LIMIT 10000").all().map {
                    (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "msisdn", as: String.self))
                }
            }
            guard !lines.isEmpty else { throw CabinetError.internal("seed lines first (cabinet-bench seed)") }
            let now = Date().storageMilliseconds
            var output = ""
            output.reserveCapacity(count * 200)
            for start in stride(from: 0, to: count, by: 5_000) {
                let rows: [[SQLValue]] = (start..<min(count, start + 5_000)).map { index in
                    let (line, msisdn) = lines[index % lines.count]
                    return [.text("pay_bench_\(index)"), .int(line), .text(msisdn), .int(10_000), .word("RUB"), .word("card"), .word("pending"),
                            .word("sandbox"), .text("sbx_bench_\(index)"), .int(now), .int(now)]
                }
                try await db.write { db in
                    _ = try await SQLBatch.insert("""
                        INSERT INTO payments_payment (id, subscriber_id, msisdn, amount, currency, method, status, gateway, gateway_payment_id,
                            created_at, updated_at)
                        """, rows: rows, on: db)
                }
            }
            for index in 0..<count {
                let body = #"{"amount":"100.00","currency":"RUB","maskedCard":"•••• 4242","orderId":"pay_bench_\#(index)","paymentId":"sbx_bench_\#(index)","status":"succeeded"}"#
                output += signer.sign(Data(body.utf8)) + "\t" + body + "\n"
            }
            try output.write(toFile: out, atomically: true, encoding: .utf8)
            await db.close()
            print("\(count) pending payments over \(lines.count) lines")
        } catch {
            await db.close()
            throw error
        }
    }
}

/// The baseline: one small row committed per transaction, one at a time, with `synchronous=FULL` — what a server that
/// commits each write on its own can do at best on this disk.
struct BareCommits: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bare-commits", abstract: "Commit one small row per transaction for a while.")

    @Option(help: "SQLite file to create.") var file: String
    @Option(help: "Seconds to run.") var seconds: Double = 10

    func run() async throws {
        var logger = Logger(label: "cabinet-bench")
        logger.logLevel = .warning
        let db = try await CabinetDatabase.open(.sqlite(path: file), logger: logger)
        do {
            try await db.write { db in try await db.raw("CREATE TABLE bare (id INTEGER PRIMARY KEY, value BIGINT NOT NULL)").run() }
            let start = Date()
            var rows = 0
            while Date().timeIntervalSince(start) < seconds {
                let value = Int64(rows)
                try await db.write { db in try await db.raw("INSERT INTO bare (value) VALUES (\(bind: value))").run() }
                rows += 1
            }
            let elapsed = Date().timeIntervalSince(start)
            await db.close()
            print(String(format: "FIGURES bare_commits_per_s=%.0f rows=%d", Double(rows) / elapsed, rows))
        } catch {
            await db.close()
            throw error
        }
    }
}
