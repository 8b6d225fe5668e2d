import Foundation
import Logging
import NIOCore
import Synchronization
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLite in WAL mode with `synchronous=FULL`: one writer connection behind a FIFO lock and a few read-only
/// connections. Every libsqlite3 call runs on a thread pool of our own, never on the cooperative pool.
///
/// Group commit: write transactions that arrive while one is committing wait in a queue; whoever takes the writer
/// next runs all of them in one SQLite transaction, each inside its own savepoint (one failing undoes only itself),
/// and commits once — one fsync for the lot. Every caller still returns only after that commit is on disk.
final class SQLiteEngine: DatabaseEngine {
    let backend = CabinetDatabase.Backend.sqlite
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let nextReader = NIOLockedCounter()
    private let writeLock = AsyncFIFOLock()
    private let queue = Mutex<[any PendingWrite]>([])
    private let threadPool: NIOThreadPool
    private let logger: Logger

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], threadPool: NIOThreadPool, logger: Logger) {
        self.writer = writer
        self.readers = readers
        self.threadPool = threadPool
        self.logger = logger
    }

    /// - Parameter path: the file, created with its folder when missing; `nil` for a private in-memory database
    ///   (one connection; reads then also go through the writer lock).
    static func open(path: String?, readers readerCount: Int, logger: Logger) async throws -> SQLiteEngine {
        let threadPool = NIOThreadPool(numberOfThreads: max(2, readerCount + 1))
        threadPool.start()
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        do {
            let storage: SQLiteConnection.Storage
            if let path {
                let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                storage = .file(path: path)
            } else {
                storage = .memory
            }
            let writer = try await SQLiteConnection.open(storage: storage, threadPool: threadPool, logger: logger, on: eventLoop)
            let db = writer.sql(queryLogLevel: nil)
            if path != nil {
                let mode = try await db.raw("PRAGMA journal_mode=WAL").first()?.decode(column: "journal_mode", as: String.self)
                guard mode?.lowercased() == "wal" else {
                    throw StorageError.durabilityNotGuaranteed("SQLite did not switch to WAL (got \(mode ?? "nothing"))")
                }
            }
            // FULL: the WAL is synced on every commit, so an acknowledged payment survives a power cut.
            // A 64 MB page cache for the writer (the default is 2 MB): rating a batch touches pages all over a million
            // lines' accounts and buckets, and each miss is a read from the file.
            for pragma in ["PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000", "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-65536",
                           // Statement journals (a multi-row statement's undo inside a transaction) in memory, not in
                           // temporary files: they matter only until the statement ends; the WAL keeps durability.
                           "PRAGMA temp_store=MEMORY",
                           // Pages read through a memory map instead of a read() into the cache for each miss.
                           "PRAGMA mmap_size=1073741824"] {
                try await db.raw(SQLQueryString(pragma)).run()
            }
            let synchronous = try await db.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
            guard synchronous == 2 else {
                throw StorageError.durabilityNotGuaranteed("SQLite synchronous is \(synchronous ?? -1), expected FULL (2)")
            }
            var readers: [SQLiteConnection] = []
            if let path {
                for _ in 0..<readerCount {
                    let reader = try await SQLiteConnection.open(
                        storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
                    let rdb = reader.sql(queryLogLevel: nil)
                    for pragma in ["PRAGMA busy_timeout=5000", "PRAGMA query_only=1", "PRAGMA cache_size=-16384",
                                   "PRAGMA mmap_size=1073741824"] {
                        try await rdb.raw(SQLQueryString(pragma)).run()
                    }
                    readers.append(reader)
                }
            }
            return SQLiteEngine(writer: writer, readers: readers, threadPool: threadPool, logger: logger)
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !readers.isEmpty else {
            return try await writeLock.withLock { try await body(writer.sql(queryLogLevel: nil)) }
        }
        // Connections are opened in serialized mode, so concurrent single statements on one reader are safe;
        // round robin spreads them without a lease round trip on the hot path.
        let reader = readers[nextReader.next() % readers.count]
        return try await body(reader.sql(queryLogLevel: nil))
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let write = QueuedWrite(body)
        queue.withLock { $0.append(write) }
        try await writeLock.withLock {
            // Ours may have been committed by the previous holder already; then the queue holds only later ones.
            let batch = queue.withLock { queued in
                defer { queued.removeAll() }
                return queued
            }
            if !batch.isEmpty { await commit(batch) }
        }
        return try write.outcome()
    }

    /// Runs `batch` in one transaction, each write in a savepoint, and commits once.
    private func commit(_ batch: [any PendingWrite]) async {
        let db = writer.sql(queryLogLevel: nil)
        do {
            // IMMEDIATE takes the write lock up front: a read-then-write transaction cannot fail with
            // SQLITE_BUSY halfway through (which a busy timeout cannot fix).
            try await db.raw("BEGIN IMMEDIATE").run()
        } catch {
            for write in batch { write.fail(error) }
            return
        }
        // Alone, a write needs no savepoint (each statement is a round trip to SQLite's thread): it commits or rolls back.
        if batch.count == 1, let write = batch.first {
            let succeeded = await write.run(on: db)
            do {
                try await db.raw(SQLQueryString(succeeded ? "COMMIT" : "ROLLBACK")).run()
            } catch {
                if succeeded {
                    try? await db.raw("ROLLBACK").run()
                    write.fail(error)
                } else {
                    logger.error("rollback failed", metadata: ["error": "\(error)"])
                }
            }
            return
        }
        do {
            for write in batch {
                try await db.raw("SAVEPOINT cabinet_write").run()
                if await write.run(on: db) {
                    try await db.raw("RELEASE cabinet_write").run()
                } else {
                    try await db.raw("ROLLBACK TO cabinet_write").run()
                    try await db.raw("RELEASE cabinet_write").run()
                }
            }
            try await db.raw("COMMIT").run()
        } catch {
            // The transaction itself failed (not one write): nothing of the batch is on disk.
            do {
                try await db.raw("ROLLBACK").run()
            } catch {
                logger.error("rollback failed", metadata: ["error": "\(error)"])
            }
            for write in batch { write.fail(error) }
        }
    }

    func statistics() async -> PoolStatistics {
        PoolStatistics(connections: readers.count + 1, writersWaiting: await writeLock.waiting)
    }

    func close() async {
        for connection in readers + [writer] {
            do {
                try await connection.close()
            } catch {
                logger.warning("closing an SQLite connection failed", metadata: ["error": "\(error)"])
            }
        }
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

/// A write transaction waiting for the group commit.
private protocol PendingWrite: Sendable {
    /// Runs the body; `false` when it threw (its savepoint is then rolled back).
    func run(on db: any SQLDatabase) async -> Bool
    /// The whole transaction failed: the write did not happen.
    func fail(_ error: any Error)
}

private final class QueuedWrite<T: Sendable>: PendingWrite {
    private let body: @Sendable (any SQLDatabase) async throws -> T
    private let result = Mutex<Result<T, any Error>?>(nil)

    init(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) {
        self.body = body
    }

    func run(on db: any SQLDatabase) async -> Bool {
        do {
            let value = try await body(db)
            result.withLock { $0 = .success(value) }
            return true
        } catch {
            result.withLock { $0 = .failure(error) }
            return false
        }
    }

    func fail(_ error: any Error) {
        result.withLock { $0 = .failure(error) }
    }

    func outcome() throws -> T {
        guard let result = result.withLock({ $0 }) else { throw StorageError.closed }
        return try result.get()
    }
}
