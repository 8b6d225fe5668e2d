public import SQLKit

/// A value of a multi-row statement. Numbers and Cabinet's own enum words go into the SQL text (they cannot carry
/// anything but digits and letters); every other text is bound. Binding costs a dynamic cast and an encoder call per
/// value in the drivers, which is most of a batch's CPU when every value is bound.
public enum SQLValue: Sendable {
    case int(Int64)
    /// Text from outside (event ids, numbers the network sent): always bound.
    case text(String)
    /// A word of Cabinet's own vocabulary (`call`, `RUB`, `seconds`): letters, digits and `_` only, else bound.
    case word(String)
    case null

    public static func optional(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }
    public static func optional(word: String?) -> SQLValue { word.map { .word($0) } ?? .null }
    public static func optional(_ value: Int64?) -> SQLValue { value.map { .int($0) } ?? .null }
}

/// Multi-row statements for batch work (Billing's rating, imports): one statement per chunk of rows instead of one per row, with the
/// chunks under both engines' limits on bound parameters (SQLite 32 766, PostgreSQL 65 535) and on statement size.
public enum SQLBatch {
    static let maxBinds = 15_000
    static let maxRows = 1_000

    /// Appends `values` as `(…)`, keeping literal text together so the query has few fragments.
    private static func append(_ values: [SQLValue], to query: inout SQLQueryString, pending text: inout String) {
        text += "("
        for (position, value) in values.enumerated() {
            if position > 0 { text += ", " }
            switch value {
            case .int(let number): text += String(number)
            case .null: text += "NULL"
            case .word(let word) where word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }):
                text += "'" + word + "'"
            case .word(let word), .text(let word):
                query.appendLiteral(text)
                text = ""
                query.appendInterpolation(bind: word)
            }
        }
        text += ")"
    }

    private static func binds(_ row: [SQLValue]) -> Int {
        row.reduce(0) { count, value in
            switch value {
            case .text, .word: count + 1
            case .int, .null: count
            }
        }
    }

    /// Splits rows into chunks under the limits.
    private static func chunks(_ rows: [[SQLValue]]) -> [ArraySlice<[SQLValue]>] {
        var result: [ArraySlice<[SQLValue]>] = []
        var start = 0
        var binds = 0
        for (index, row) in rows.enumerated() {
            let rowBinds = Self.binds(row)
            if index > start, index - start >= maxRows || binds + rowBinds > maxBinds {
                result.append(rows[start..<index])
                start = index
                binds = 0
            }
            binds += rowBinds
        }
        if start < rows.count { result.append(rows[start..<rows.count]) }
        return result
    }

    /// `prefix VALUES (…), (…) suffix`, chunked; returns the rows of a `RETURNING` suffix.
    @discardableResult
    public static func insert(
        _ prefix: String, rows: [[SQLValue]], suffix: String = "", returning: Bool = false,
        on db: any SQLDatabase
    ) async throws -> [any SQLRow] {
        var result: [any SQLRow] = []
        for chunk in chunks(rows) {
            var query = SQLQueryString("")
            var text = prefix + " VALUES "
            for (offset, row) in chunk.enumerated() {
                if offset > 0 { text += ", " }
                append(row, to: &query, pending: &text)
            }
            if !suffix.isEmpty { text += " " + suffix }
            query.appendLiteral(text)
            if returning {
                result += try await db.raw(query).all()
            } else {
                try await db.raw(query).run()
            }
        }
        return result
    }

    /// `UPDATE table SET a = v.column2, … FROM (VALUES (id, a, …), …) AS v WHERE table.id = v.column1`: one statement
    /// per chunk, every value a number (SQLite ≥ 3.33 and PostgreSQL both name VALUES columns column1, column2, …).
    public static func update(
        _ table: String, columns: [String], rows: [(id: Int64, values: [Int64])], on db: any SQLDatabase
    ) async throws {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        let set = columns.enumerated().map { "\($1) = v.column\($0 + 2)" }.joined(separator: ", ")
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + maxRows)
            var text = "UPDATE \(table) SET \(set) FROM (VALUES "
            for index in start..<end {
                if index > start { text += ", " }
                text += "(" + String(rows[index].id)
                for value in rows[index].values { text += ", " + String(value) }
                text += ")"
            }
            text += ") AS v WHERE \(table).id = v.column1"
            try await db.raw(SQLQueryString(text)).run()
            start = end
        }
    }

    /// Runs `SELECT … WHERE column IN (…) …` over chunks of text keys (bound).
    public static func select(
        _ prefix: String, keys: [String], suffix: String = "", chunk: Int = 1000,
        on db: any SQLDatabase
    ) async throws -> [any SQLRow] {
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

    /// `SELECT … WHERE column IN (1, 2, …) …` over chunks of numbers, written into the SQL.
    public static func select(
        _ prefix: String, numbers: [Int64], suffix: String = "", chunk: Int = 2000,
        on db: any SQLDatabase
    ) async throws -> [any SQLRow] {
        var result: [any SQLRow] = []
        var start = 0
        while start < numbers.count {
            let end = min(numbers.count, start + chunk)
            let list = numbers[start..<end].map(String.init).joined(separator: ", ")
            result += try await db.raw(
                SQLQueryString(prefix + " (" + list + ")" + (suffix.isEmpty ? "" : " " + suffix))
            ).all()
            start = end
        }
        return result
    }
}
