public import CabinetCore
public import Foundation
import SQLKit

/// ``RateLimiter`` in `cabinet_rate_window`: one row per key with the start of its current window and the events in
/// it, changed by one upsert, so concurrent hits on several nodes count exactly.
public struct SQLRateLimiter: RateLimiter {
    let database: CabinetDatabase

    public init(database: CabinetDatabase) {
        self.database = database
    }

    public static let migrations: [Migration] = [
        Migration(
            "kernel-004-rate-window",
            sql: [
                """
                CREATE TABLE cabinet_rate_window (
                    key TEXT PRIMARY KEY,
                    window_start BIGINT NOT NULL,
                    window_end BIGINT NOT NULL,
                    count BIGINT NOT NULL
                )
                """,
                "CREATE INDEX cabinet_rate_window_end ON cabinet_rate_window (window_end)",
            ])
    ]

    public func hit(_ key: String, limit: RateLimit, at now: Date) async throws -> RateDecision {
        let nowMs = now.storageMilliseconds
        let endMs = nowMs + Int64(limit.window * 1000)
        let row = try await database.write { db in
            // A window that has ended starts again at this event; otherwise the event joins it.
            try await db.raw(
                """
                INSERT INTO cabinet_rate_window (key, window_start, window_end, count)
                VALUES (\(bind: key), \(bind: nowMs), \(bind: endMs), 1)
                ON CONFLICT (key) DO UPDATE SET
                    count = CASE WHEN cabinet_rate_window.window_end <= \(bind: nowMs) THEN 1
                                 ELSE cabinet_rate_window.count + 1 END,
                    window_start = CASE WHEN cabinet_rate_window.window_end <= \(bind: nowMs) THEN \(bind: nowMs)
                                 ELSE cabinet_rate_window.window_start END,
                    window_end = CASE WHEN cabinet_rate_window.window_end <= \(bind: nowMs) THEN \(bind: endMs)
                                 ELSE cabinet_rate_window.window_end END
                RETURNING count, window_end
                """
            ).first()
        }
        guard let row else { throw CabinetError.internal("rate window upsert returned no row") }
        let count = try row.decode(column: "count", as: Int64.self)
        let end = try row.decode(column: "window_end", as: Int64.self)
        guard count > Int64(limit.limit) else { return .allowed }
        return .refused(retryAfter: max(1, Int((end - nowMs + 999) / 1000)))
    }

    public func purge(before cutoff: Date) async throws -> Int {
        try await database.write { db in
            try await db.raw(
                """
                DELETE FROM cabinet_rate_window WHERE window_end < \(bind: cutoff.storageMilliseconds) RETURNING key
                """
            ).all().count
        }
    }
}
