import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// SQLite in WAL mode with `synchronous=FULL`: one writer (``SQLiteWriter``, group commit on a thread of its own), a
/// checkpointer (``SQLiteCheckpointer``, on another) and a few readers (``SQLiteReader``, each a read-only connection on
/// a thread of its own). No libsqlite3 call runs on the cooperative pool.
final class SQLiteEngine: DatabaseEngine {
    let backend = CabinetDatabase.Backend.sqlite
    private let writer: SQLiteWriter
    private let checkpointer: SQLiteCheckpointer?
    private let readers: [SQLiteReader]
    private let roundRobin = NIOLockedCounter()
    private let logger: Logger

    private init(writer: SQLiteWriter, checkpointer: SQLiteCheckpointer?, readers: [SQLiteReader], logger: Logger) {
        self.writer = writer
        self.checkpointer = checkpointer
        self.readers = readers
        self.logger = logger
    }

    /// - Parameter path: the file, created with its folder when missing; `nil` for a private in-memory database
    ///   (one connection; reads then also go through the writer).
    static func open(path: String?, readers readerCount: Int, logger: Logger) async throws -> SQLiteEngine {
        if let path {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        let connection = try SQLiteDirectConnection(path: path)
        let writer = SQLiteWriter(connection: connection, logger: logger)
        var checkpointer: SQLiteCheckpointer?
        var readers: [SQLiteReader] = []
        do {
            try await writer.alone { db in try await configureWriter(db, file: path != nil) }
            if let path {
                // Opened once the file is in WAL mode, which a connection learns when it first reads.
                let created = try SQLiteCheckpointer(path: path, logger: logger)
                checkpointer = created
                connection.reportWALGrowth(to: created)
            }
            if let path {
                for _ in 0..<readerCount { readers.append(try SQLiteReader(path: path, logger: logger)) }
            }
            return SQLiteEngine(writer: writer, checkpointer: checkpointer, readers: readers, logger: logger)
        } catch {
            for reader in readers { await reader.close() }
            await writer.close()
            await checkpointer?.close()
            throw error
        }
    }

    private static func configureWriter(_ db: any SQLDatabase, file: Bool) async throws {
        if file {
            let mode = try await db.raw("PRAGMA journal_mode=WAL").first()?.decode(
                column: "journal_mode", as: String.self)
            guard mode?.lowercased() == "wal" else {
                throw StorageError.durabilityNotGuaranteed("SQLite did not switch to WAL (got \(mode ?? "nothing"))")
            }
        }
        // FULL: the WAL is synced on every commit, so an acknowledged payment survives a power cut.
        // A 64 MB page cache for the writer (the default is 2 MB): rating a batch touches pages all over a million
        // lines' accounts and buckets, and each miss is a read from the file.
        for pragma in [
            "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-65536",
            // Statement journals (a multi-row statement's undo inside a transaction) in memory, not in
            // temporary files: they matter only until the statement ends; the WAL keeps durability.
            "PRAGMA temp_store=MEMORY",
            // Pages read through a memory map instead of a read() into the cache for each miss.
            "PRAGMA mmap_size=1073741824",
        ] {
            try await db.raw(SQLQueryString(pragma)).run()
        }
        let synchronous = try await db.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
        guard synchronous == 2 else {
            throw StorageError.durabilityNotGuaranteed("SQLite synchronous is \(synchronous ?? -1), expected FULL (2)")
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !readers.isEmpty else { return try await writer.alone(body) }
        // Inside a grouping, the grouping's reader: already on its thread, so no hand-off.
        if let current = SQLiteReader.grouping, readers.contains(where: { $0 === current }) {
            return try await current.read(body)
        }
        return try await pickReader().read(body)
    }

    /// Round robin, passing over a reader busier than the next (a long read there).
    private func pickReader() -> SQLiteReader {
        let first = roundRobin.next() % readers.count
        let second = (first + 1) % readers.count
        return readers[readers[second].load < readers[first].load ? second : first]
    }

    func groupingReads<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        guard !readers.isEmpty, SQLiteReader.grouping == nil else { return try await body() }
        let reader = pickReader()
        return try await SQLiteReader.$grouping.withValue(reader) { try await reader.run(body) }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writer.transaction(body)
    }

    func statistics() async -> PoolStatistics {
        PoolStatistics(connections: readers.count + 1, writersWaiting: writer.waiting)
    }

    func close() async {
        for reader in readers { await reader.close() }
        await writer.close()
        // After the writer: its connection reports to the checkpointer until closed.
        await checkpointer?.close()
    }
}

/// A tiny thread-safe counter for round robin.
final class NIOLockedCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock { current in
            current = current &+ 1
            return current & Int.max
        }
    }
}
