import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit
import Synchronization
import Testing

/// Line stamps: the triggers that raise a line's stamp on every write to a stamped table, the node-local cache that
/// answers only a request that saw the same stamp, and a request that writes reading its own writes.
@Suite struct LineStampTests {
    static let table = Migration(
        "test-001-rows",
        sql: ["CREATE TABLE test_row (id {{pk}}, line_id BIGINT, amount BIGINT NOT NULL)"])
    static let migrations = [table, LineStampSchema.migration("test-002-stamps", stamping: [("test_row", "line_id")])]

    func stamp(_ line: Int64, in database: CabinetDatabase) async throws -> Int64 {
        try await database.read { db in
            try await db.raw("SELECT \(LineStampSchema.column(String(line)))").first()?
                .decode(column: "line_stamp", as: Int64.self)
        } ?? -1
    }

    func write(_ database: CabinetDatabase, _ sql: String) async throws {
        try await database.write { db in try await db.raw(SQLQueryString(sql)).run() }
    }

    @Test(.enabled(if: TestDatabase.available.contains(.postgres)))
    func everyWriteToAStampedTableGivesItsLinesNewStamps() async throws {
        try await TestDatabase.postgres.withDatabase(migrations: Self.migrations) { database throws in
            #expect(try await stamp(7, in: database) == 0, "a line never written has stamp 0")
            var seen: Set<Int64> = [0]
            func changed(_ line: Int64) async throws -> Bool {
                seen.insert(try await stamp(line, in: database)).inserted
            }
            try await write(database, "INSERT INTO test_row (line_id, amount) VALUES (7, 1)")
            #expect(try await changed(7))
            try await write(database, "UPDATE test_row SET amount = 2 WHERE line_id = 7")
            #expect(try await changed(7))
            // Moving a row to another line changes both lines' rows.
            try await write(database, "UPDATE test_row SET line_id = 8 WHERE line_id = 7")
            #expect(try await changed(7))
            #expect(try await changed(8))
            let moved = try await stamp(8, in: database)
            try await write(database, "DELETE FROM test_row WHERE line_id = 8")
            #expect(try await stamp(8, in: database) != moved)
            // A row of no line (a system account) stamps nothing.
            try await write(database, "INSERT INTO test_row (line_id, amount) VALUES (NULL, 1)")
            let rows = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM cabinet_line_stamp").first()?.decode(
                    column: "n", as: Int.self)
            }
            #expect(rows == 2)
            // A rolled-back write leaves the stamp as it was.
            await #expect(throws: (any Error).self) {
                try await database.write { db in
                    try await db.raw("INSERT INTO test_row (line_id, amount) VALUES (9, 1)").run()
                    try await db.raw("INSERT INTO test_row (line_id, amount) VALUES (9, NULL)").run()
                }
            }
            #expect(try await stamp(9, in: database) == 0)
            // A writer whose search path does not name the stamp table still stamps it.
            let before = try await stamp(7, in: database)
            try await database.write { db in
                try await db.raw("SET LOCAL search_path TO pg_catalog").run()
                try await db.raw(
                    "INSERT INTO \(unsafeRaw: try await currentSchema(database)).test_row (line_id, amount) VALUES (7, 5)"
                ).run()
            }
            #expect(try await stamp(7, in: database) != before)
        }
    }

    func currentSchema(_ database: CabinetDatabase) async throws -> String {
        try await database.read { db in
            try await db.raw("SELECT current_schema() AS s").first()?.decode(column: "s", as: String.self)
        } ?? "public"
    }

    @Test(arguments: TestDatabase.available)
    func sqliteHasNoStampsAndKeepsItsOwnCaches(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: Self.migrations) { database throws in
            let cache: LineStampedCache<Int>? = database.stampedCache("test")
            #expect((cache != nil) == (backend == .postgres))
            let tables = try await database.read { db in
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM \(unsafeRaw: backend == .postgres ? "information_schema.tables" : "sqlite_master")
                    WHERE \(unsafeRaw: backend == .postgres ? "table_schema = current_schema() AND table_name" : "name") = 'cabinet_line_stamp'
                    """
                ).first()?.decode(column: "n", as: Int.self)
            }
            #expect(tables == (backend == .postgres ? 1 : 0))
        }
    }

    @Test func theCacheAnswersOnlyARequestThatSawTheSameStamp() async throws {
        let cache = LineStampedCache<String>()
        let line = SubscriberID(7)
        let loads = Mutex(0)
        func read(_ value: String, stamp: Int64) async throws -> String? {
            try await cache.read(line) {
                loads.withLock { $0 += 1 }
                return (value, stamp)
            }
        }
        func request(seeing stamp: Int64, of seen: SubscriberID = SubscriberID(7)) -> LineStamps {
            let request = LineStamps()
            request.record(stamp, of: seen)
            return request
        }
        // Outside a request (a job): always the database, and nothing kept.
        #expect(try await read("v1", stamp: 1) == "v1")
        #expect(cache.count == 0)
        try await LineStamps.$current.withValue(request(seeing: 1)) { () async throws in
            #expect(try await read("v1", stamp: 1) == "v1", "nothing kept yet: read and kept")
            #expect(try await read("unused", stamp: 1) == "v1", "the request saw stamp 1: the kept rows answer")
        }
        #expect(loads.withLock { $0 } == 2)
        try await LineStamps.$current.withValue(request(seeing: 2)) { () async throws in
            #expect(try await read("v2", stamp: 2) == "v2", "another node wrote: stamp 2, read again")
            #expect(try await read("unused", stamp: 2) == "v2")
        }
        #expect(loads.withLock { $0 } == 3)
        // Another line's stamp vouches for nothing; a request that saw none reads (and keeps what it read).
        try await LineStamps.$current.withValue(request(seeing: 2, of: SubscriberID(8))) { () async throws in
            #expect(try await read("v3", stamp: 3) == "v3")
        }
        try await LineStamps.$current.withValue(request(seeing: 2)) { () async throws in
            #expect(try await read("v2 again", stamp: 2) == "v2 again", "the kept rows have stamp 3 now")
        }
        #expect(loads.withLock { $0 } == 5)
    }

    @Test(arguments: TestDatabase.available)
    func aRequestThatWritesReadsItsOwnWrites(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: Self.migrations) { database throws in
            let request = LineStamps()
            request.record(1, of: SubscriberID(7))
            try await LineStamps.$current.withValue(request) { () async throws in
                #expect(request.stamp(of: SubscriberID(7)) == 1)
                try await write(database, "INSERT INTO test_row (line_id, amount) VALUES (7, 1)")
                #expect(request.stamp(of: SubscriberID(7)) == nil)
                request.record(5, of: SubscriberID(7))
                #expect(request.stamp(of: SubscriberID(7)) == nil, "nothing it saw before its write vouches after")
            }
        }
    }
}
