import Foundation
import Logging
import NIOCore
import SQLiteNIO
import Synchronization
// The SQLite that sqlite-nio builds (its symbols are prefixed `sqlite_nio_`). The writer calls it directly so that the
// process holds one SQLite library: two copies on one file would each keep their own POSIX locks, and closing a file in
// one drops the other's locks.
import VaporCSQLite

/// A connection to the SQLite file of our own: libsqlite3 called synchronously, with prepared statements kept. The
/// writer, the checkpointer and each reader have one.
///
/// sqlite-nio runs each statement as a job on its thread pool and each row as a job on an event loop, so a write
/// transaction of twenty statements pays forty thread hand-offs; this connection runs the whole transaction on the
/// thread that calls it. Its owner uses it from one thread at a time, hence `@unchecked Sendable`.
final class SQLiteDirectConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Prepared statements by SQL text, with their column names once known. SQLite re-prepares a statement by itself
    /// when the schema changes; its columns are then read again.
    private var statements: [String: (statement: OpaquePointer, columns: SQLiteWriterRow.Columns?)] = [:]
    let path: String

    /// Statements longer than this (the rating's many-row inserts, each with its own row count) are prepared per use.
    static let cachedStatementLength = 4_096
    static let cachedStatementCount = 512

    /// Held for each statement: a reader's thread may run several bodies, and a body that awaited elsewhere may resume
    /// on another thread; the kept statements must never be stepped by two at once.
    private let lock = Mutex(())

    /// Opens (creating) the file, or a private in-memory database when `path` is `nil`; `readOnly` opens an existing
    /// file for reading only.
    init(path: String?, readOnly: Bool = false) throws(SQLiteFailure) {
        self.path = path ?? ":memory:"
        var opened: OpaquePointer?
        let access = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        let flags = access | SQLITE_OPEN_FULLMUTEX
        let status = sqlite_nio_sqlite3_open_v2(self.path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            let message = opened.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            sqlite_nio_sqlite3_close(opened)
            throw SQLiteFailure(code: status, message: "\(message) (\(self.path))")
        }
        handle = opened
        sqlite_nio_sqlite3_extended_result_codes(opened, 1)
    }

    deinit {
        close()
    }

    /// Finalizes every statement and closes the file (after any statement another thread is stepping).
    func close() {
        lock.withLock { _ in
            for cached in statements.values { sqlite_nio_sqlite3_finalize(cached.statement) }
            statements.removeAll()
            if let handle { sqlite_nio_sqlite3_close(handle) }
            handle = nil
        }
    }

    /// Calls `checkpointer` after every commit with the WAL's size in frames. SQLite then checkpoints nothing itself.
    func reportWALGrowth(to checkpointer: SQLiteCheckpointer) {
        guard let handle else { return }
        let context = Unmanaged.passUnretained(checkpointer).toOpaque()
        _ = sqlite_nio_sqlite3_wal_hook(
            handle,
            { context, _, _, frames in
                if let context {
                    Unmanaged<SQLiteCheckpointer>.fromOpaque(context).takeUnretainedValue().walGrew(frames: Int(frames))
                }
                return SQLITE_OK
            }, context)
    }

    /// Copies the WAL into the database file as far as readers allow (`PASSIVE`), or waits for readers and the writer
    /// so that the WAL can start over (`RESTART`). Returns the frames in the WAL and those checkpointed.
    func checkpoint(restart: Bool) throws -> (frames: Int, checkpointed: Int) {
        guard let handle else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
        var frames: Int32 = 0, done: Int32 = 0
        let status = sqlite_nio_sqlite3_wal_checkpoint_v2(
            handle, nil, restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE,
            &frames, &done)
        guard status == SQLITE_OK else { throw failure(status) }
        return (Int(frames), Int(done))
    }

    func busyTimeout(milliseconds: Int32) {
        if let handle { sqlite_nio_sqlite3_busy_timeout(handle, milliseconds) }
    }

    /// Runs one statement with `binds`, handing each result row to `onRow` as it is stepped.
    func execute(_ sql: String, binds: [SQLiteData], onRow: (SQLiteWriterRow) throws -> Void) throws {
        try lock.withLock { _ in try executeLocked(sql, binds: binds, onRow: onRow) }
    }

    private func executeLocked(_ sql: String, binds: [SQLiteData], onRow: (SQLiteWriterRow) throws -> Void) throws {
        guard let handle else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the writer connection is closed") }
        let cacheable = sql.utf8.count <= Self.cachedStatementLength
        let statement: OpaquePointer
        var columns: SQLiteWriterRow.Columns?
        if cacheable, let cached = statements[sql] {
            statement = cached.statement
            columns = cached.columns
        } else {
            var prepared: OpaquePointer?
            let flags: UInt32 = cacheable ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
            let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, flags, &prepared, nil)
            guard status == SQLITE_OK, let prepared else { throw failure(status) }
            if cacheable {
                if statements.count >= Self.cachedStatementCount {
                    for old in statements.values { sqlite_nio_sqlite3_finalize(old.statement) }
                    statements.removeAll(keepingCapacity: true)
                }
                statements[sql] = (prepared, nil)
            }
            statement = prepared
        }
        defer {
            if cacheable {
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            } else {
                sqlite_nio_sqlite3_finalize(statement)
            }
            if Self.changesSchema(sql) {
                // Kept statements may return other columns now: SQLite re-prepares them, but the names kept are old.
                for key in statements.keys { statements[key]?.columns = nil }
            }
        }
        try bind(binds, to: statement)
        while true {
            let status = sqlite_nio_sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw failure(status) }
            let count = Int(sqlite_nio_sqlite3_column_count(statement))
            if columns?.names.count != count {
                // First row, or the statement was re-prepared for a changed schema.
                let read = Self.columns(of: statement)
                columns = read
                if cacheable { statements[sql]?.columns = read }
            }
            guard let names = columns else { return }
            var values: [SQLiteData] = []
            values.reserveCapacity(count)
            for index in 0..<Int32(count) {
                values.append(Self.value(of: statement, at: index))
            }
            try onRow(SQLiteWriterRow(columns: names, values: values))
        }
    }

    /// `CREATE`, `ALTER` or `DROP` (migrations).
    static func changesSchema(_ sql: String) -> Bool {
        // Runs for every statement on the writer's thread: look at the first letter before building anything.
        switch sql.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }) {
        case UInt8(ascii: "C"), UInt8(ascii: "c"), UInt8(ascii: "A"), UInt8(ascii: "a"), UInt8(ascii: "D"),
            UInt8(ascii: "d"):
            break
        default: return false
        }
        let start = sql.drop { $0.isWhitespace }.prefix(6).uppercased()
        return start.hasPrefix("CREATE") || start.hasPrefix("ALTER") || start.hasPrefix("DROP")
    }

    private func bind(_ binds: [SQLiteData], to statement: OpaquePointer) throws {
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32 =
                switch value {
                case .integer(let integer):
                    sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
                case .float(let double):
                    sqlite_nio_sqlite3_bind_double(statement, index, double)
                case .text(let text):
                    sqlite_nio_sqlite3_bind_text64(
                        statement, index, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
                case .blob(let buffer):
                    buffer.withUnsafeReadableBytes {
                        sqlite_nio_sqlite3_bind_blob64(
                            statement, index, $0.baseAddress, UInt64($0.count), Self.transient)
                    }
                case .null:
                    sqlite_nio_sqlite3_bind_null(statement, index)
                }
            guard status == SQLITE_OK else { throw failure(status) }
        }
    }

    private static func columns(of statement: OpaquePointer) -> SQLiteWriterRow.Columns {
        let count = sqlite_nio_sqlite3_column_count(statement)
        return SQLiteWriterRow.Columns(
            names: (0..<count).map { index in
                sqlite_nio_sqlite3_column_name(statement, index).map { String(cString: $0) } ?? ""
            })
    }

    private static func value(of statement: OpaquePointer, at index: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else { return .null }
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, index) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }

    private func failure(_ status: Int32) -> SQLiteFailure {
        let code = handle.map { sqlite_nio_sqlite3_extended_errcode($0) } ?? status
        let message =
            handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "SQLite error \(status)"
        return SQLiteFailure(code: code == SQLITE_OK ? status : code, message: message)
    }

    /// SQLite copies bound text and blobs before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A failure libsqlite3 reported to the writer: its extended result code and message.
public struct SQLiteFailure: Error, CustomStringConvertible, Sendable {
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE` is 2067); the primary code is its low byte.
    public let code: Int32
    public let message: String

    public var primaryCode: Int32 { code & 0xFF }
    public var description: String { "SQLite error \(code): \(message)" }

    static let constraintUnique: Int32 = 2067
    static let constraintPrimaryKey: Int32 = 1555
    static let constraintCheck: Int32 = 275
    static let constraintNotNull: Int32 = 1299
}
