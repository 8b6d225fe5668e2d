import Foundation
public import Logging
import SQLKit

/// Applies migrations in order, each in its own transaction, and records them in `cabinet_schema_migrations`.
///
/// Refuses to run when the database holds a migration this build does not know: an older binary must not
/// write into a newer schema.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration]) {
        self.migrations = migrations
    }

    /// Applies what is missing; returns the ids applied now.
    @discardableResult
    public func migrate(_ database: CabinetDatabase, logger: Logger) async throws -> [String] {
        try await ensureTable(database)
        let applied = try await appliedIDs(database)
        let unknown = applied.subtracting(migrations.map(\.id)).sorted()
        guard unknown.isEmpty else { throw StorageError.schemaNewer(unknownMigrations: unknown) }

        var done: [String] = []
        let backend = database.backend
        if database.writesRefused, migrations.contains(where: { !applied.contains($0.id) }) {
            // The running server is older than this binary: migrating under it would change its schema.
            throw StorageError.serverRunning("\(database.url)")
        }
        for migration in migrations where !applied.contains(migration.id) {
            do {
                let ranNow = try await database.write { db -> Bool in
                    // Another process may have applied it meanwhile; the write lock makes this check safe (on
                    // PostgreSQL the lock is taken here: nodes of a deployment starting together migrate one by one).
                    try await Self.lock(db, backend: backend)
                    let exists =
                        try await db.raw(
                            "SELECT id FROM cabinet_schema_migrations WHERE id = \(bind: migration.id)"
                        ).first() != nil
                    guard !exists else { return false }
                    try await migration.run(on: db, backend: backend)
                    try await db.raw(
                        """
                        INSERT INTO cabinet_schema_migrations (id, applied_at)
                        VALUES (\(bind: migration.id), \(bind: Date().storageMilliseconds))
                        """
                    ).run()
                    return true
                }
                if ranNow {
                    logger.info("applied migration", metadata: ["cabinet.migration": "\(migration.id)"])
                    done.append(migration.id)
                }
            } catch let error as StorageError {
                throw error
            } catch {
                throw StorageError.migrationFailed(id: migration.id, reason: "\(error)")
            }
        }
        return done
    }

    /// Migrations this build knows that the database has not applied yet.
    public func pending(_ database: CabinetDatabase) async throws -> [String] {
        try await ensureTable(database)
        let applied = try await appliedIDs(database)
        return migrations.map(\.id).filter { !applied.contains($0) }
    }

    private func ensureTable(_ database: CabinetDatabase) async throws {
        // Beside a running server (which migrated at its start) a command only reads: no write unless one is needed.
        if database.writesRefused { return }
        let backend = database.backend
        try await database.write { db in
            // Two PostgreSQL sessions creating one table "if not exists" at once can both try: one waits here.
            try await Self.lock(db, backend: backend)
            try await db.raw(
                """
                CREATE TABLE IF NOT EXISTS cabinet_schema_migrations (
                    id TEXT PRIMARY KEY,
                    applied_at BIGINT NOT NULL
                )
                """
            ).run()
        }
    }

    /// On PostgreSQL, a lock held until the transaction ends (never one held by the session: behind PgBouncer's
    /// transaction pooling the session is not ours); SQLite has one writer already.
    private static func lock(_ db: any SQLDatabase, backend: CabinetDatabase.Backend) async throws {
        guard backend == .postgres else { return }
        try await db.raw("SELECT pg_advisory_xact_lock(\(literal: migrationLockKey))").run()
    }

    /// The advisory lock key of migrations ("cabinet" in ASCII, folded to 32 bits).
    static let migrationLockKey = 0x6361_6269

    private func appliedIDs(_ database: CabinetDatabase) async throws -> Set<String> {
        let rows = try await database.read { db in
            try await db.raw("SELECT id FROM cabinet_schema_migrations").all()
        }
        return Set(try rows.map { try $0.decode(column: "id", as: String.self) })
    }
}
