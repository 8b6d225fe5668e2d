import ArgumentParser
import Auth
import CabinetCore
import CabinetServer
import CabinetStorage
import Foundation
import Logging
import Payments
import SQLKit
import VaporCSQLite

/// Pending card payments for the top-up benchmark, and the sandbox's signed webhooks that will credit them: one line
/// per payment, `signature<TAB>body`, so every request of the benchmark credits a different payment.
struct TopUpSeed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topup-seed",
        abstract: "Create pending payments over seeded lines and write their signed webhooks.")

    @Option(help: "Database URL of a seeded database (cabinet-bench seed).") var database: String
    @Option(help: "Pending payments to create.") var count: Int = 100_000
    @Option(help: "File to write the webhooks to.") var out: String

    func run() async throws {
        var logger = Logger(label: "cabinet-bench")
        logger.logLevel = .warning
        let db = try await CabinetDatabase.open(try DatabaseURL(parsing: database), logger: logger)
        do {
            // The server reads the same setting at start, so its sandbox verifies what is signed here.
            let secret = try await db.setting("payments.sandbox.secret") {
                AuthSecrets.generate().base64EncodedString()
            }
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
                    return [
                        .text("pay_bench_\(index)"), .int(line), .text(msisdn), .int(10_000), .word("RUB"),
                        .word("card"), .word("pending"),
                        .word("sandbox"), .text("sbx_bench_\(index)"), .int(now), .int(now),
                    ]
                }
                try await db.write { db in
                    _ = try await SQLBatch.insert(
                        """
                        INSERT INTO payments_payment (id, subscriber_id, msisdn, amount, currency, method, status, gateway, gateway_payment_id,
                            created_at, updated_at)
                        """, rows: rows, on: db)
                }
            }
            for index in 0..<count {
                let body =
                    #"{"amount":"100.00","currency":"RUB","maskedCard":"•••• 4242","orderId":"pay_bench_\#(index)","paymentId":"sbx_bench_\#(index)","status":"succeeded"}"#
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
/// commits each write on its own can do at best on this disk. libsqlite3 is called directly (prepared statements, no
/// threads, no async), so nothing but SQLite and the disk is measured.
struct BareCommits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bare-commits", abstract: "Commit one small row per transaction for a while.")

    @Option(help: "SQLite file to create.") var file: String
    @Option(help: "Seconds to run.") var seconds: Double = 10

    func run() throws {
        var handle: OpaquePointer?
        guard sqlite_nio_sqlite3_open_v2(file, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK,
            let handle
        else {
            throw CabinetError.internal("cannot open \(file)")
        }
        defer { sqlite_nio_sqlite3_close(handle) }
        func exec(_ sql: String) throws {
            guard sqlite_nio_sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else {
                throw CabinetError.internal("\(sql): \(String(cString: sqlite_nio_sqlite3_errmsg(handle)))")
            }
        }
        try exec("PRAGMA journal_mode=WAL")
        try exec("PRAGMA synchronous=FULL")
        try exec("CREATE TABLE bare (id INTEGER PRIMARY KEY, value BIGINT NOT NULL)")
        var begin: OpaquePointer?, insert: OpaquePointer?, commit: OpaquePointer?
        sqlite_nio_sqlite3_prepare_v2(handle, "BEGIN IMMEDIATE", -1, &begin, nil)
        sqlite_nio_sqlite3_prepare_v2(handle, "INSERT INTO bare (value) VALUES (?)", -1, &insert, nil)
        sqlite_nio_sqlite3_prepare_v2(handle, "COMMIT", -1, &commit, nil)
        defer { for statement in [begin, insert, commit] { sqlite_nio_sqlite3_finalize(statement) } }
        let start = Date()
        var rows = 0
        while Date().timeIntervalSince(start) < seconds {
            sqlite_nio_sqlite3_bind_int64(insert, 1, Int64(rows))
            for statement in [begin, insert, commit] {
                guard sqlite_nio_sqlite3_step(statement) == SQLITE_DONE else {
                    throw CabinetError.internal(String(cString: sqlite_nio_sqlite3_errmsg(handle)))
                }
                sqlite_nio_sqlite3_reset(statement)
            }
            rows += 1
        }
        let elapsed = Date().timeIntervalSince(start)
        print(String(format: "FIGURES bare_commits_per_s=%.0f rows=%d", Double(rows) / elapsed, rows))
    }
}

/// The same one-row commits through ``CabinetDatabase/write(_:)``, one at a time: what the writer adds to a bare
/// commit (the hand-offs to its thread and back).
struct CabinetCommits: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cabinet-commits", abstract: "Commit one small row per write through Cabinet's SQL layer.")

    @Option(help: "SQLite file to create.") var file: String
    @Option(help: "Seconds to run.") var seconds: Double = 10

    func run() async throws {
        var logger = Logger(label: "cabinet-bench")
        logger.logLevel = .warning
        let db = try await CabinetDatabase.open(.sqlite(path: file), logger: logger)
        do {
            try await db.write { db in
                try await db.raw("CREATE TABLE bare (id INTEGER PRIMARY KEY, value BIGINT NOT NULL)").run()
            }
            let start = Date()
            var rows = 0
            while Date().timeIntervalSince(start) < seconds {
                let value = Int64(rows)
                try await db.write { db in try await db.raw("INSERT INTO bare (value) VALUES (\(bind: value))").run() }
                rows += 1
            }
            let elapsed = Date().timeIntervalSince(start)
            await db.close()
            print(String(format: "FIGURES cabinet_commits_per_s=%.0f rows=%d", Double(rows) / elapsed, rows))
        } catch {
            await db.close()
            throw error
        }
    }
}
