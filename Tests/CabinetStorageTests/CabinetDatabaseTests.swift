import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct CabinetDatabaseTests {
    static let counters = Migration(
        "test-001-counters",
        sql: [
            "CREATE TABLE test_counter (id TEXT PRIMARY KEY, value BIGINT NOT NULL CHECK (value >= 0))",
            "INSERT INTO test_counter (id, value) VALUES ('a', 1000)",
            "CREATE TABLE test_blob (id {{pk}}, data {{blob}} NOT NULL, note TEXT)",
        ])

    @Test func postgresIsNotSilentlySkipped() {
        if TestDatabase.postgresRequired {
            #expect(TestDatabase.postgresURL != nil, "CABINET_TEST_REQUIRE_POSTGRES=1 needs CABINET_TEST_POSTGRES_URL")
            #expect(TestDatabase.available.contains(.postgres))
        }
    }

    /// Nodes of a deployment starting at once on an empty database: each migration is applied by one of them, and
    /// none fails on what another created meanwhile.
    @Test(arguments: TestDatabase.available)
    func nodesStartingTogetherMigrateOnce(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: []) { database throws in
            let migrations = [
                Self.counters, Migration("test-002-more", sql: ["CREATE TABLE test_more (id {{pk}}, name TEXT)"]),
            ]
            let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask { try await Migrator(migrations: migrations).migrate(database, logger: .test) }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(applied.sorted() == ["test-001-counters", "test-002-more"])
            let rows = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM test_counter").first()?.decode(column: "n", as: Int.self)
            }
            #expect(rows == 1, "the seed row is in once")
        }
    }

    /// A request pinned to one version of the region files keeps it inside its writes, whichever task runs them
    /// (on SQLite the writer's own loop does).
    @Test(arguments: TestDatabase.available)
    func aWriteRunsOnTheRegionsItsCallerRunsOn(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: []) { database throws in
            let catalog = RegionCatalog(regions: [.fixture(name: "Старое")])
            let msk = try #require(RegionID(rawValue: "msk"))
            let seen = try await catalog.pinned { () -> [String] in
                catalog.replace(with: RegionCatalog(regions: [.fixture(name: "Новое")]))
                let written = try await database.write { _ in catalog.region(msk)?.name.ru ?? "-" }
                let read = try await database.read { _ in catalog.region(msk)?.name.ru ?? "-" }
                return [written, read]
            }
            #expect(seen == ["Старое", "Старое"])
            #expect(try await database.write { _ in catalog.region(msk)?.name.ru } == "Новое")
        }
    }

    /// Nodes starting together each make a development secret: all of them end up with the first one stored.
    @Test(arguments: TestDatabase.available)
    func nodesStartingTogetherAgreeOnAGeneratedSetting(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: KernelSchema.migrations) { database throws in
            let values = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<8 {
                    group.addTask { try await database.setting("test.secret") { "made-by-\(index)" } }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(values.count == 1)
            #expect(try await database.storedValue("test.secret") == values.first)
        }
    }

    @Test(arguments: TestDatabase.available)
    func migrationsApplyOnceAndAreRecorded(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: [Self.counters]) { database throws in
            let migrator = Migrator(migrations: [Self.counters])
            #expect(try await migrator.migrate(database, logger: .test) == [])
            #expect(try await migrator.pending(database) == [])
            let next = Migration("test-002-more", sql: ["CREATE TABLE test_more (id {{pk}}, name TEXT)"])
            let two = Migrator(migrations: [Self.counters, next])
            #expect(try await two.pending(database) == ["test-002-more"])
            #expect(try await two.migrate(database, logger: .test) == ["test-002-more"])
            let id = try await database.write { db in
                try await db.raw("INSERT INTO test_more (name) VALUES ('x') RETURNING id").first()?.decode(
                    column: "id", as: Int64.self)
            }
            #expect(id == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func refusesASchemaNewerThanTheBuild(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: [Self.counters]) { database throws in
            let older = Migrator(migrations: [])
            await #expect(throws: StorageError.schemaNewer(unknownMigrations: ["test-001-counters"])) {
                try await older.migrate(database, logger: .test)
            }
        }
    }

    /// Concurrent writes are committed together on SQLite; one that fails undoes only itself.
    @Test(arguments: TestDatabase.available)
    func concurrentWritesCommitTogetherAndFailAlone(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: [Self.counters]) { database throws in
            struct Boom: Error {}
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<60 {
                    group.addTask {
                        do {
                            try await database.write { db in
                                try await db.raw(
                                    "INSERT INTO test_blob (data, note) VALUES (\(bind: Data([1])), \(bind: "w\(index)"))"
                                ).run()
                                try await db.raw("UPDATE test_counter SET value = value - 1 WHERE id = 'a'").run()
                                if index % 7 == 0 { throw Boom() }
                            }
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let committed = outcomes.filter { $0 }.count
            #expect(committed == 60 - 9)
            #expect(try await value(database) == Int64(1000 - committed))
            let notes = try await database.read { db in try await db.raw("SELECT note FROM test_blob").all() }
                .compactMap { try? $0.decode(column: "note", as: String.self) }
            #expect(notes.count == committed)
            #expect(!notes.contains("w7") && !notes.contains("w0") && notes.contains("w1"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func aFailedTransactionLeavesNothing(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: [Self.counters]) { database throws in
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await database.write { db in
                    try await db.raw("UPDATE test_counter SET value = 0 WHERE id = 'a'").run()
                    throw Boom()
                }
            }
            #expect(try await value(database) == 1000)
        }
    }

    @Test(arguments: TestDatabase.available)
    func concurrentReadModifyWriteTransactionsLoseNothing(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: [Self.counters]) { database throws in
            let lock: SQLQueryString = database.backend == .postgres ? " FOR UPDATE" : ""
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await database.write { db in
                            let current =
                                try await db.raw("SELECT value FROM test_counter WHERE id = 'a'\(lock)").first()?
                                .decode(column: "value", as: Int64.self) ?? 0
                            try await db.raw("UPDATE test_counter SET value = \(bind: current - 1) WHERE id = 'a'")
                                .run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await value(database) == 950)
        }
    }

    @Test(arguments: TestDatabase.available)
    func constraintViolationsAreClassifiedTheSameOnBothBackends(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: [Self.counters]) { database throws in
            do {
                try await database.write { db in
                    try await db.raw("INSERT INTO test_counter (id, value) VALUES ('a', 1)").run()
                }
                Issue.record("duplicate key accepted")
            } catch {
                #expect(StorageErrors.isUniqueViolation(error))
                #expect(!StorageErrors.isRetryable(error))
            }
            do {
                try await database.write { db in
                    try await db.raw("UPDATE test_counter SET value = -1 WHERE id = 'a'").run()
                }
                Issue.record("check constraint not enforced")
            } catch {
                #expect(StorageErrors.isCheckViolation(error))
                #expect(!StorageErrors.isUniqueViolation(error))
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func binaryAndTextRoundTrip(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: [Self.counters]) { database throws in
            let bytes = Data((0...255).map(UInt8.init))
            let note = "Привет, ₽ ₸ — \u{0}?"
            try await database.write { db in
                try await db.raw(
                    "INSERT INTO test_blob (data, note) VALUES (\(bind: bytes), \(bind: note.replacingOccurrences(of: "\u{0}", with: "")))"
                ).run()
            }
            let row = try await database.read { db in try await db.raw("SELECT data, note FROM test_blob").first() }
            #expect(try row?.decode(column: "data", as: Data.self) == bytes)
            #expect(try row?.decode(column: "note", as: String.self) == "Привет, ₽ ₸ — ?")
        }
    }

    /// The rows a write's own statements return (SQLite's writer decodes them itself, not through sqlite-nio), and
    /// statements the writer keeps prepared still right after the table changes under them.
    @Test(arguments: TestDatabase.available)
    func writesSeeTheirRowsAndKeptStatementsFollowSchemaChanges(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: [Self.counters]) { database throws in
            let bytes = Data([0, 1, 2, 255])
            let insert: @Sendable (any SQLDatabase, String) async throws -> (any SQLRow)? = { db, note in
                try await db.raw(
                    """
                    INSERT INTO test_blob (data, note) VALUES (\(bind: bytes), \(bind: note))
                    RETURNING id, data, note, NULL AS empty_value, CAST(1.5 AS REAL) AS ratio
                    """
                ).first()
            }
            let row = try await database.write { db in try await insert(db, "первый") }
            #expect(try row?.decode(column: "data", as: Data.self) == bytes)
            #expect(try row?.decode(column: "note", as: String.self) == "первый")
            #expect(try row?.decodeNil(column: "empty_value") == true)
            #expect(try row?.decode(column: "ratio", as: Double.self) == 1.5)
            #expect(row?.contains(column: "absent") == false)
            #expect(throws: (any Error).self) { try row?.decode(column: "absent", as: Int.self) }

            try await database.write { db in try await db.raw("ALTER TABLE test_blob ADD COLUMN extra TEXT").run() }
            let again = try await database.write { db -> (any SQLRow)? in
                _ = try await insert(db, "второй")
                return try await db.raw("SELECT * FROM test_blob ORDER BY id").all().last
            }
            #expect(again?.allColumns.contains("extra") == true)
            #expect(try again?.decode(column: "note", as: String.self) == "второй")
            let count = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM test_blob").first()?.decode(column: "n", as: Int.self)
            }
            #expect(count == 2)
        }
    }

    /// The WAL is copied into the database file by the checkpointer's thread, not inside the writer's commits, and
    /// does not grow without end.
    @Test func theCheckpointerCopiesTheWALIntoTheFile() async throws {
        try await TestDatabase.sqlite.withDatabase(migrations: [Self.counters]) { database throws in
            guard case .sqlite(let path) = database.url else { return }
            let sizeBefore = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            let page = Data(repeating: 7, count: 4_000)
            for _ in 0..<30 {
                try await database.write { db in
                    for _ in 0..<100 { try await db.raw("INSERT INTO test_blob (data) VALUES (\(bind: page))").run() }
                }
            }
            var size = sizeBefore
            for _ in 0..<100 where size < sizeBefore + 4_000_000 {
                try await Task.sleep(for: .milliseconds(50))
                size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            }
            #expect(size >= sizeBefore + 4_000_000, "12 MB went through the WAL; at least a third must be in the file")
            let wal = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
            #expect(wal < 40_000_000)
        }
    }

    /// An in-memory database has one connection: reads queue with the writes and see every committed one.
    /// Reads grouped by `groupingReads` run on one SQLite reader's thread (alone, each goes to the next reader); they
    /// still see what commits meanwhile, writes inside a group work, and a group inside a group is the same group.
    @Test(arguments: TestDatabase.available)
    func groupedReadsShareOneReader(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: [Self.counters]) { database in
            @Sendable func threadOfARead() async throws -> UInt {
                try await database.read { db in
                    _ = try await db.raw("SELECT value FROM test_counter WHERE id = 'a'").first()
                    return UInt(pthread_self())
                }
            }
            @Sendable func value() async throws -> Int? {
                try await database.read { db in
                    try await db.raw("SELECT value FROM test_counter WHERE id = 'a'").first()?.decode(
                        column: "value", as: Int.self)
                }
            }
            var alone: Set<UInt> = []
            for _ in 0..<8 { alone.insert(try await threadOfARead()) }
            let (grouped, seen) = try await database.groupingReads { () async throws -> (Set<UInt>, [Int?]) in
                var threads: Set<UInt> = []
                for _ in 0..<8 { threads.insert(try await threadOfARead()) }
                let before = try await value()
                try await database.write { db in
                    try await db.raw("UPDATE test_counter SET value = value + 1 WHERE id = 'a'").run()
                }
                let after = try await value()
                let nested = try await database.groupingReads { try await threadOfARead() }
                threads.insert(nested)
                return (threads, [before, after])
            }
            #expect(seen == [1000, 1001])
            if backend == .sqlite {
                #expect(alone.count > 1, "reads alone take turns on the readers")
                #expect(grouped.count == 1, "grouped reads stay on one reader: \(grouped)")
            }
        }
    }

    @Test func anInMemoryDatabaseReadsThroughItsWriter() async throws {
        let database = try await CabinetDatabase.open(.sqliteInMemory, logger: .test)
        try await database.write { db in
            try await db.raw("CREATE TABLE memo (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)").run()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<50 {
                group.addTask {
                    try await database.write { db in try await db.raw("INSERT INTO memo (n) VALUES (\(bind: n))").run()
                    }
                }
                group.addTask {
                    _ = try await database.read { db in try await db.raw("SELECT COUNT(*) AS c FROM memo").first() }
                }
            }
            try await group.waitForAll()
        }
        let total = try await database.read { db in
            try await db.raw("SELECT SUM(n) AS s FROM memo").first()?.decode(column: "s", as: Int.self)
        }
        #expect(total == (0..<50).reduce(0, +))
        await database.close()
        await #expect(throws: StorageError.closed) {
            try await database.write { db in try await db.raw("INSERT INTO memo (n) VALUES (1)").run() }
        }
    }

    @Test(arguments: TestDatabase.available)
    func healthPingAndPoolStatistics(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: []) { database throws in
            try await database.ping()
            let statistics = await database.poolStatistics()
            #expect(statistics.writersWaiting == 0)
        }
    }

    @Test func sqliteRunsInWALWithFullSync() async throws {
        try await TestDatabase.sqlite.withDatabase(migrations: []) { database throws in
            let mode = try await database.read { db in
                try await db.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
            }
            #expect(mode == "wal")
        }
    }

    private func value(_ database: CabinetDatabase) async throws -> Int64? {
        try await database.read { db in
            try await db.raw("SELECT value FROM test_counter WHERE id = 'a'").first()?.decode(
                column: "value", as: Int64.self)
        }
    }
}
