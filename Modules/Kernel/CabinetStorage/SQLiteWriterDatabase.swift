import Logging
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLKit's face of ``SQLiteDirectConnection``: each `execute` runs the statement before it returns, without
/// suspending, so a transaction body runs start to end on the writer's thread.
struct SQLiteWriterDatabase: SQLDatabase {
    let connection: SQLiteDirectConnection
    let logger: Logger
    let eventLoop: any EventLoop

    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<
        Void
    > {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, binds) = serialize(query)
        try connection.execute(sql, binds: try binds.map(Self.data)) { onRow($0) }
    }

    /// A bound value as SQLite stores it: the common types directly, anything else through `SQLiteDataEncoder` (which
    /// costs more than the statement on the writer's thread).
    private static func data(_ value: any Encodable & Sendable) throws -> SQLiteData {
        switch value {
        case let integer as Int64: .integer(Int(integer))
        case let integer as Int: .integer(integer)
        case let text as String: .text(text)
        case let real as Double: .float(real)
        default: try SQLiteDataEncoder().encode(value)
        }
    }
}

/// One result row of the writer's connection.
struct SQLiteWriterRow: SQLRow {
    /// A statement's column names, shared by its rows.
    final class Columns: Sendable {
        let names: [String]
        let offsets: [String: Int]

        init(names: [String]) {
            self.names = names
            // As sqlite-nio: when two columns share a name, the first one answers.
            offsets = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    let columns: Columns
    let values: [SQLiteData]

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.offsets[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = columns.offsets[column] else { return true }
        return values[offset] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let offset = columns.offsets[column] else { throw StorageError.missingColumn(column) }
        let value = values[offset]
        if let decoded = Self.direct(value, as: D.self) { return decoded }
        return try SQLiteDataDecoder().decode(D.self, from: value)
    }

    /// The columns stores read most (integers, text, reals, and those optional) without the `Decoder` machinery,
    /// which costs more than the statement on the writer's thread. Anything else, or a value of another storage class
    /// than the type asks for, goes through `SQLiteDataDecoder` as before.
    private static func direct<D>(_ value: SQLiteData, as type: D.Type) -> D? {
        switch value {
        case .integer(let integer):
            if D.self == Int64.self { return unsafeBitCast(Int64(integer), to: D.self) }
            if D.self == Int.self { return unsafeBitCast(integer, to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Int64?(Int64(integer)), to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?(integer), to: D.self) }
        case .text(let text):
            if D.self == String.self { return unsafeBitCast(text, to: D.self) }
            if D.self == String?.self { return unsafeBitCast(String?(text), to: D.self) }
        case .float(let real):
            if D.self == Double.self { return unsafeBitCast(real, to: D.self) }
        case .null:
            if D.self == Int64?.self { return unsafeBitCast(Int64?.none, to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?.none, to: D.self) }
            if D.self == String?.self { return unsafeBitCast(String?.none, to: D.self) }
        case .blob:
            break
        }
        return nil
    }
}
