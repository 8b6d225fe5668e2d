public import CabinetCore
public import Foundation
import SQLKit

/// ``IdempotencyStore`` in `cabinet_idempotency`. The primary key decides races: of two concurrent first uses of a
/// key exactly one inserts the row and runs; the other sees it in progress.
public struct SQLIdempotencyStore: IdempotencyStore {
    let database: CabinetDatabase

    public init(database: CabinetDatabase) {
        self.database = database
    }

    public static let migrations: [Migration] = [
        Migration(
            "kernel-003-idempotency",
            sql: [
                """
                CREATE TABLE cabinet_idempotency (
                    scope TEXT NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    status BIGINT,
                    body {{blob}},
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (scope, key)
                )
                """,
                "CREATE INDEX cabinet_idempotency_created ON cabinet_idempotency (created_at)",
            ])
    ]

    public func claim(scope: String, key: String, fingerprint: String, at now: Date) async throws -> IdempotencyClaim {
        try await database.write { db in
            let inserted = try await db.raw(
                """
                INSERT INTO cabinet_idempotency (scope, key, fingerprint, created_at)
                VALUES (\(bind: scope), \(bind: key), \(bind: fingerprint), \(bind: now.storageMilliseconds))
                ON CONFLICT (scope, key) DO NOTHING RETURNING key
                """
            ).first()
            if inserted != nil { return .claimed }
            guard
                let row = try await db.raw(
                    """
                    SELECT fingerprint, status, body FROM cabinet_idempotency WHERE scope = \(bind: scope) AND key = \(bind: key)
                    """
                ).first()
            else { return .inProgress }
            guard try row.decode(column: "fingerprint", as: String.self) == fingerprint else { return .mismatch }
            guard let status = try row.decode(column: "status", as: Int64?.self),
                let body = try row.decode(column: "body", as: Data?.self)
            else { return .inProgress }
            return .replay(IdempotentAnswer(status: Int(status), body: body))
        }
    }

    public func complete(scope: String, key: String, answer: IdempotentAnswer) async throws {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE cabinet_idempotency SET status = \(bind: Int64(answer.status)), body = \(bind: answer.body)
                WHERE scope = \(bind: scope) AND key = \(bind: key)
                """
            ).run()
        }
    }

    public func release(scope: String, key: String) async throws {
        try await database.write { db in
            try await db.raw(
                """
                DELETE FROM cabinet_idempotency WHERE scope = \(bind: scope) AND key = \(bind: key) AND status IS NULL
                """
            ).run()
        }
    }

    public func purge(before cutoff: Date) async throws -> Int {
        try await database.write { db in
            try await db.raw(
                """
                DELETE FROM cabinet_idempotency WHERE created_at < \(bind: cutoff.storageMilliseconds) RETURNING key
                """
            ).all().count
        }
    }
}
