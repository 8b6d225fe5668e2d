public import CabinetStorage
import Foundation
public import Logging
import SQLKit
public import Testing

/// The backends every storage test runs on: SQLite always, PostgreSQL when `CABINET_TEST_POSTGRES_URL` is set.
///
/// Use as `@Test(arguments: TestDatabase.available)`. Each call of ``withDatabase(migrations:_:)`` gets a fresh,
/// migrated database: a temporary SQLite file, or a new schema on the PostgreSQL server, dropped afterwards.
public enum TestDatabase: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// The server tests use, e.g. `postgres://postgres@127.0.0.1:54329/cabinet_test?sslmode=disable`.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["CABINET_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `true` when the test run promised PostgreSQL (`CABINET_TEST_REQUIRE_POSTGRES=1`, as CI sets).
    public static var postgresRequired: Bool {
        ProcessInfo.processInfo.environment["CABINET_TEST_REQUIRE_POSTGRES"] == "1"
    }

    public static var available: [TestDatabase] {
        postgresURL == nil && !postgresRequired ? [.sqlite] : [.sqlite, .postgres]
    }

    public var testDescription: String { rawValue }

    /// Runs `body` against a fresh database with `migrations` applied, then removes it.
    public func withDatabase<T: Sendable>(
        migrations: [Migration], logger: Logger = Logger(label: "cabinet.test"),
        _ body: (CabinetDatabase) async throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("cabinet-test-\(UUID().uuidString.prefix(12))")
            defer { try? FileManager.default.removeItem(at: folder) }
            // As `cabinet serve` opens it: the stores' caches are on, so SQLite runs test them. PostgreSQL runs use the
            // line-stamped caches only inside a request's LineStamps (the tests of line stamps make one).
            let database = try await CabinetDatabase.open(
                .sqlite(path: folder.appendingPathComponent("test.sqlite").path),
                logger: logger, readers: 2, role: .server)
            return try await run(database, migrations: migrations, logger: logger, body)
        case .postgres:
            guard let text = Self.postgresURL else {
                throw TestDatabaseError.postgresNotConfigured
            }
            guard case .postgres(let location) = try DatabaseURL(parsing: text) else {
                throw TestDatabaseError.notPostgres(text)
            }
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            // Small pools: the suite runs many PostgreSQL tests at once against one server's connection limit.
            let admin = try await CabinetDatabase.open(.postgres(location), logger: logger, connections: 2)
            try await admin.write { db in try await db.raw("CREATE SCHEMA \(unsafeRaw: schema)").run() }
            var scoped = location
            scoped.searchPath = schema
            do {
                let database = try await CabinetDatabase.open(.postgres(scoped), logger: logger, connections: 6)
                let result = try await run(database, migrations: migrations, logger: logger, body)
                try await admin.write { db in try await db.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
                await admin.close()
                return result
            } catch {
                try? await admin.write { db in try await db.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
                await admin.close()
                throw error
            }
        }
    }

    private func run<T: Sendable>(
        _ database: CabinetDatabase, migrations: [Migration], logger: Logger,
        _ body: (CabinetDatabase) async throws -> T
    ) async throws -> T {
        do {
            try await Migrator(migrations: migrations).migrate(database, logger: logger)
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }
}

public enum TestDatabaseError: Error, CustomStringConvertible {
    case postgresNotConfigured
    case notPostgres(String)

    public var description: String {
        switch self {
        case .postgresNotConfigured:
            "CABINET_TEST_REQUIRE_POSTGRES=1 but CABINET_TEST_POSTGRES_URL is not set: PostgreSQL tests would be skipped"
        case .notPostgres(let url): "CABINET_TEST_POSTGRES_URL is not a postgres:// URL: \(url)"
        }
    }
}
