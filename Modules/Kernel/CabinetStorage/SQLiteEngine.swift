import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// SQLite in WAL mode with `synchronous=FULL`: one writer (``SQLiteWriter``, group commit on a thread of its own), a
/// checkpointer (``SQLiteCheckpointer``, on another) and a few read-only sqlite-nio connections. No libsqlite3 call runs
/// on the cooperative pool.
final class SQLiteEngine: DatabaseEngine {
    let backend = CabinetDatabase.Backend.sqlite
    private let writer: SQLiteWriter
    private let checkpointer: SQLiteCheckpointer?
    private let readers: [SQLiteConnection]
    private let nextReader = NIOLockedCounter()
    private let threadPool: NIOThreadPool
    private let logger: Logger

    private init(
        writer: SQLiteWriter, checkpointer: SQLiteCheckpointer?, readers: [SQLiteConnection], threadPool: NIOThreadPool,
        logger: Logger
    ) {
        self.writer = writer
        self.checkpointer = checkpointer
        self.readers = readers
        self.threadPool = threadPool
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
        let threadPool = NIOThreadPool(numberOfThreads: max(1, readerCount))
        threadPool.start()
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        var readers: [SQLiteConnection] = []
        do {
            try await writer.alone { db in try await configureWriter(db, file: path != nil) }
            if let path {
                // Opened once the file is in WAL mode, which a connection learns when it first reads.
                let created = try SQLiteCheckpointer(path: path, logger: logger)
                checkpointer = created
                connection.reportWALGrowth(to: created)
            }
            if let path {
                for _ in 0..<readerCount {
                    let reader = try await SQLiteConnection.open(
                        storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
                    readers.append(reader)
                    let rdb = reader.sql(queryLogLevel: nil)
                    for pragma in [
                        "PRAGMA busy_timeout=5000", "PRAGMA query_only=1", "PRAGMA cache_size=-16384",
                        "PRAGMA mmap_size=1073741824",
                    ] {
                        try await rdb.raw(SQLQueryString(pragma)).run()
                    }
                }
            }
            return SQLiteEngine(
                writer: writer, checkpointer: checkpointer, readers: readers, threadPool: threadPool, logger: logger)
        } catch {
            for reader in readers { try? await reader.close() }
            await writer.close()
            await checkpointer?.close()
            try? await threadPool.shutdownGracefully()
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
        // Connections are opened in serialized mode, so concurrent single statements on one reader are safe;
        // round robin spreads them without a lease round trip on the hot path.
        let reader = readers[nextReader.next() % readers.count]
        return try await body(reader.sql(queryLogLevel: nil))
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writer.transaction(body)
    }

    func statistics() async -> PoolStatistics {
        PoolStatistics(connections: readers.count + 1, writersWaiting: writer.waiting)
    }

    func close() async {
        for connection in readers {
            do {
                try await connection.close()
            } catch {
                logger.warning("closing an SQLite connection failed", metadata: ["error": "\(error)"])
            }
        }
        await writer.close()
        // After the writer: its connection reports to the checkpointer until closed.
        await checkpointer?.close()
        do {
            try await threadPool.shutdownGracefully()
        } catch {
            logger.warning("stopping the SQLite thread pool failed", metadata: ["error": "\(error)"])
        }
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
