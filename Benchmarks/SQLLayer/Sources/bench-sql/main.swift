// Point read and small write transaction through Cabinet's SQL layer and through GRDB, on SQLite in WAL mode with
// synchronous=FULL, one operation at a time and 16 at once. Prints microseconds per operation and one RESULT line.
import CabinetStorage
import Foundation
import GRDB
import Logging
import SQLKit

let rows = Int(ProcessInfo.processInfo.environment["BENCH_ROWS"] ?? "") ?? 100_000
let seconds = Double(ProcessInfo.processInfo.environment["BENCH_SECONDS"] ?? "") ?? 3
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-sql-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }

var logger = Logger(label: "bench")
logger.logLevel = .error

let schema = [
    "CREATE TABLE line (id INTEGER PRIMARY KEY, msisdn TEXT NOT NULL UNIQUE, region TEXT NOT NULL, balance BIGINT NOT NULL)",
    "CREATE TABLE entry (id INTEGER PRIMARY KEY AUTOINCREMENT, line_id BIGINT NOT NULL, amount BIGINT NOT NULL, external_id TEXT NOT NULL UNIQUE)",
]

func msisdn(_ i: Int) -> String { "+79" + String(format: "%09d", i) }

/// Runs `operation` for about `seconds` with `concurrency` tasks; returns microseconds per operation (wall time).
func measure(concurrency: Int, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
    let deadline = ContinuousClock.now + .seconds(seconds)
    let start = ContinuousClock.now
    let counts = try await withThrowingTaskGroup(of: Int.self) { group in
        for worker in 0..<concurrency {
            group.addTask {
                var done = 0
                var i = worker * 7919
                while ContinuousClock.now < deadline {
                    try await operation(i)
                    i += 1
                    done += 1
                }
                return done
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = ContinuousClock.now - start
    let (s, atto) = elapsed.components
    return (Double(s) * 1e6 + Double(atto) / 1e12) / Double(counts)
}

// MARK: Cabinet's layer

let cabinetPath = folder.appendingPathComponent("cabinet.sqlite").path
let cabinet = try await CabinetDatabase.open(.sqlite(path: cabinetPath), logger: logger)
try await cabinet.write { db in
    for statement in schema { try await db.raw(SQLQueryString(statement)).run() }
}
try await cabinet.write { db in
    var i = 0
    while i < rows {
        let batch = min(1000, rows - i)
        var values: [String] = []
        for j in i..<(i + batch) { values.append("(\(j), '\(msisdn(j))', 'msk', 100000)") }
        try await db.raw(
            SQLQueryString("INSERT INTO line (id, msisdn, region, balance) VALUES " + values.joined(separator: ","))
        ).run()
        i += batch
    }
}

let counter = Counter()
func cabinetRead(_ i: Int) async throws {
    let number = msisdn(i % rows)
    let row = try await cabinet.read { db in
        try await db.raw("SELECT id, msisdn, region, balance FROM line WHERE msisdn = \(bind: number)").first()
    }
    guard let row, try row.decode(column: "balance", as: Int64.self) > 0 else { throw BenchError.missing(number) }
}
func cabinetWrite(_ i: Int) async throws {
    let id = Int64(i % rows)
    let external = "c-\(counter.next())"
    try await cabinet.write { db in
        try await db.raw("UPDATE line SET balance = balance - 1 WHERE id = \(bind: id)").run()
        try await db.raw("INSERT INTO entry (line_id, amount, external_id) VALUES (\(bind: id), -1, \(bind: external))")
            .run()
    }
}

// MARK: GRDB

var configuration = Configuration()
configuration.prepareDatabase { db in
    try db.execute(sql: "PRAGMA synchronous = FULL")
}
let pool = try DatabasePool(path: folder.appendingPathComponent("grdb.sqlite").path, configuration: configuration)
try await pool.write { db in
    for statement in schema { try db.execute(sql: statement) }
    let insert = try db.makeStatement(
        sql: "INSERT INTO line (id, msisdn, region, balance) VALUES (?, ?, 'msk', 100000)")
    for j in 0..<rows { try insert.execute(arguments: [j, msisdn(j)]) }
}
func grdbReadRow(_ i: Int) async throws {
    let number = msisdn(i % rows)
    let row = try await pool.read { db in
        try Row.fetchOne(db, sql: "SELECT id, msisdn, region, balance FROM line WHERE msisdn = ?", arguments: [number])
    }
    guard let row, (row["balance"] as Int64) > 0 else { throw BenchError.missing(number) }
}
func grdbWrite(_ i: Int) async throws {
    let id = Int64(i % rows)
    let external = "g-\(counter.next())"
    try await pool.write { db in
        try db.execute(sql: "UPDATE line SET balance = balance - 1 WHERE id = ?", arguments: [id])
        try db.execute(
            sql: "INSERT INTO entry (line_id, amount, external_id) VALUES (?, -1, ?)", arguments: [id, external])
    }
}

// Interleave the two so machine drift hits both alike; keep the best of three rounds.
var results: [String: [Double]] = [:]
for round in 1...3 {
    for (name, concurrency, operation) in [
        ("cabinet_read_c1", 1, cabinetRead), ("grdb_read_c1", 1, grdbReadRow),
        ("cabinet_read_c16", 16, cabinetRead), ("grdb_read_c16", 16, grdbReadRow),
        ("cabinet_write_c1", 1, cabinetWrite), ("grdb_write_c1", 1, grdbWrite),
        ("cabinet_write_c16", 16, cabinetWrite), ("grdb_write_c16", 16, grdbWrite),
    ] as [(String, Int, @Sendable (Int) async throws -> Void)] {
        let micros = try await measure(concurrency: concurrency, operation)
        results[name, default: []].append(micros)
        print(String(format: "round %d  %-22@ %9.1f µs/op", round, name as NSString, micros))
    }
}
await cabinet.close()

@MainActor func best(_ name: String) -> Double { results[name]?.min() ?? .nan }
let readRatio = best("cabinet_read_c1") / best("grdb_read_c1")
let writeRatio = best("cabinet_write_c1") / best("grdb_write_c1")
print(
    String(
        format: "RESULT rows=%d cabinet_read_us=%.1f grdb_read_us=%.1f read_ratio=%.2f "
            + "cabinet_read_c16_us=%.1f grdb_read_c16_us=%.1f cabinet_write_us=%.1f grdb_write_us=%.1f write_ratio=%.2f "
            + "cabinet_write_c16_us=%.1f grdb_write_c16_us=%.1f",
        rows, best("cabinet_read_c1"), best("grdb_read_c1"), readRatio,
        best("cabinet_read_c16"), best("grdb_read_c16"), best("cabinet_write_c1"), best("grdb_write_c1"), writeRatio,
        best("cabinet_write_c16"), best("grdb_write_c16")))

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
enum BenchError: Error { case missing(String) }
