public import CabinetCore
import Foundation
import SQLKit

/// ``JobLeasing`` in `cabinet_job_lease`: one row per job with its holder and when the lease lapses, taken or renewed
/// by one upsert that succeeds only for the holder or once the lease has lapsed — the same SQL on SQLite and
/// PostgreSQL, atomic on both.
public struct SQLJobLeases: JobLeasing {
    let database: CabinetDatabase
    let clock: any WallClock
    /// This process (a random id per start), as the rows name it.
    public let holder: String

    public init(database: CabinetDatabase, clock: any WallClock, holder: String = Hex.random(bytes: 8)) {
        self.database = database
        self.clock = clock
        self.holder = holder
    }

    public static let migrations: [Migration] = [
        Migration(
            "kernel-006-job-leases",
            sql: [
                """
                CREATE TABLE cabinet_job_lease (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """
            ])
    ]

    public func acquire(_ job: String, for duration: Duration) async throws -> Bool {
        let now = clock.now
        let (seconds, attoseconds) = duration.components
        let until = now.addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18).storageMilliseconds
        let holder = holder
        return try await database.write { db in
            try await db.raw(
                """
                INSERT INTO cabinet_job_lease (name, holder, expires_at)
                VALUES (\(bind: job), \(bind: holder), \(bind: until))
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE cabinet_job_lease.holder = excluded.holder
                   OR cabinet_job_lease.expires_at <= \(bind: now.storageMilliseconds)
                RETURNING holder
                """
            ).first() != nil
        }
    }

    public func release(_ job: String) async throws {
        let holder = holder
        try await database.write { db in
            try await db.raw(
                "DELETE FROM cabinet_job_lease WHERE name = \(bind: job) AND holder = \(bind: holder)"
            ).run()
        }
    }

    /// Who holds a job's lease now, if anyone (for operators and tests).
    public func holder(of job: String) async throws -> String? {
        let now = clock.now.storageMilliseconds
        return try await database.read { db in
            try await db.raw(
                "SELECT holder FROM cabinet_job_lease WHERE name = \(bind: job) AND expires_at > \(bind: now)"
            ).first()?.decode(column: "holder", as: String.self)
        }
    }
}
