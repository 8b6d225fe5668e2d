import CabinetCore
import SQLKit

/// Multi-row statements for batch work (rating): one statement per chunk instead of one per row. Chunks stay under
/// both engines' limits on bound parameters (SQLite 32 766, PostgreSQL 65 535).
enum SQLBatch {
    static let maxBinds = 15_000

    /// `prefix VALUES (…), (…) suffix`, chunked; returns the rows of a `RETURNING` suffix.
    @discardableResult
    static func insert(_ prefix: String, rows: [[any Encodable & Sendable]], suffix: String = "", returning: Bool = false,
                       on db: any SQLDatabase) async throws -> [any SQLRow] {
        guard let width = rows.first?.count, width > 0 else { return [] }
        let perChunk = max(1, maxBinds / width)
        var result: [any SQLRow] = []
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + perChunk)
            var query = SQLQueryString(prefix + " VALUES ")
            for index in start..<end {
                query.appendLiteral(index == start ? "(" : ", (")
                query.appendInterpolation(binds: rows[index])
                query.appendLiteral(")")
            }
            if !suffix.isEmpty { query.appendLiteral(" " + suffix) }
            if returning {
                result += try await db.raw(query).all()
            } else {
                try await db.raw(query).run()
            }
            start = end
        }
        return result
    }

    /// `UPDATE table SET column = CASE id WHEN … THEN … END, … WHERE id IN (…)` for rows keyed by an `id` column.
    static func update(_ table: String, columns: [String], rows: [(id: Int64, values: [Int64])], on db: any SQLDatabase) async throws {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        let perChunk = max(1, maxBinds / (columns.count * 2 + 1))
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + perChunk)
            let chunk = rows[start..<end]
            var query = SQLQueryString("UPDATE " + table + " SET ")
            for (position, column) in columns.enumerated() {
                query.appendLiteral((position == 0 ? "" : ", ") + column + " = CASE id")
                for row in chunk {
                    query.appendLiteral(" WHEN ")
                    query.appendInterpolation(bind: row.id)
                    query.appendLiteral(" THEN ")
                    query.appendInterpolation(bind: row.values[position])
                }
                query.appendLiteral(" END")
            }
            query.appendLiteral(" WHERE id IN (")
            query.appendInterpolation(binds: chunk.map(\.id))
            query.appendLiteral(")")
            try await db.raw(query).run()
            start = end
        }
    }

    /// Runs `SELECT … WHERE column IN (…) …` over chunks of `keys`.
    static func select<Key: Encodable & Sendable>(_ prefix: String, keys: [Key], suffix: String = "", chunk: Int = 1000,
                                                   on db: any SQLDatabase) async throws -> [any SQLRow] {
        var result: [any SQLRow] = []
        var start = 0
        while start < keys.count {
            let end = min(keys.count, start + chunk)
            var query = SQLQueryString(prefix + " (")
            query.appendInterpolation(binds: Array(keys[start..<end]))
            query.appendLiteral(")" + (suffix.isEmpty ? "" : " " + suffix))
            result += try await db.raw(query).all()
            start = end
        }
        return result
    }
}
