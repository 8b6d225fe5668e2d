import CabinetCore
public import Foundation
import SQLKit

/// Tables of the kernel itself: process-wide settings such as the generated development secret.
public enum KernelSchema: SchemaOwner {
    public static let migrations: [Migration] = [
        Migration(
            "kernel-001-settings",
            sql: [
                "CREATE TABLE cabinet_setting (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at BIGINT NOT NULL)"
            ])
    ]
}

extension CabinetDatabase {
    /// A stored setting's value, or `nil` when it was never stored.
    public func storedValue(_ key: String) async throws -> String? {
        try await read { db in
            try await db.raw("SELECT value FROM cabinet_setting WHERE key = \(bind: key)").first()?
                .decode(column: "value", as: String.self)
        }
    }

    /// Stores a setting's value, replacing the one there.
    public func store(_ key: String, value: String, at now: Date) async throws {
        try await write { db in
            try await db.raw(
                """
                INSERT INTO cabinet_setting (key, value, updated_at) VALUES (\(bind: key), \(bind: value), \(bind: now.storageMilliseconds))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    /// A stored setting, created from `make()` the first time (atomically: two processes agree on one value).
    public func setting(_ key: String, orCreate make: @escaping @Sendable () -> String) async throws -> String {
        // Read first: a command beside a running server may not write, and the setting is there already.
        if let row = try await read({ db in
            try await db.raw("SELECT value FROM cabinet_setting WHERE key = \(bind: key)").first()
        }) {
            return try row.decode(column: "value", as: String.self)
        }
        return try await write { db in
            // Nodes starting together each make a value: the first insert wins and every node reads that one.
            try await db.raw(
                """
                INSERT INTO cabinet_setting (key, value, updated_at) VALUES (\(bind: key), \(bind: make()), \(bind: Date().storageMilliseconds))
                ON CONFLICT (key) DO NOTHING
                """
            ).run()
            guard let row = try await db.raw("SELECT value FROM cabinet_setting WHERE key = \(bind: key)").first()
            else {
                throw CabinetError.internal("setting \(key) vanished")
            }
            return try row.decode(column: "value", as: String.self)
        }
    }
}
