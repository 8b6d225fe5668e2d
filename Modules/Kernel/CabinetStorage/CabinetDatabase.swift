public import CabinetCore
import Foundation
public import Logging
public import SQLKit
import Synchronization

/// The one SQL layer of Cabinet: the same SQL (through SQLKit) on an embedded SQLite file or on PostgreSQL.
///
/// - ``read(_:)`` runs statements outside any explicit transaction (a single statement is its own snapshot).
/// - ``write(_:)`` runs a transaction with the lock money needs: `BEGIN IMMEDIATE` on the one writer (group commit) on
///   SQLite, `BEGIN` plus the row locks the body takes (`SELECT … FOR UPDATE`) on PostgreSQL. Busy,
///   serialization and deadlock failures are retried, so **the body may run more than once** and must not have
///   effects outside the database.
public final class CabinetDatabase: Sendable {
    /// Which engine is underneath, for the rare statement that differs.
    public enum Backend: String, Sendable { case sqlite, postgres }

    public let backend: Backend
    public let url: DatabaseURL
    /// `true` when this process is the only writer of the database (an SQLite file opened as ``DatabaseRole/server``):
    /// stores may then keep a ``ReadCache`` of what they write. Never on PostgreSQL, which several nodes share: there
    /// stores keep only ``LineStampedCache``s (``stampedCache(_:of:)``).
    public let cachesAllowed: Bool
    let engine: any DatabaseEngine
    let logger: Logger
    private let ownership: OwnershipLock?

    private init(
        url: DatabaseURL, engine: any DatabaseEngine, logger: Logger, ownership: OwnershipLock?, cachesAllowed: Bool
    ) {
        self.url = url
        self.engine = engine
        self.backend = engine.backend
        self.logger = logger
        self.ownership = ownership
        self.cachesAllowed = cachesAllowed
    }

    /// Opens (and for SQLite creates) the database. Close it with ``close()``.
    ///
    /// - Parameter role: `.server` takes an SQLite file for this process alone (refusing when another server or a
    ///   writing command has it); `.tool` reads beside a running server and writes only when none runs.
    /// - Parameter connections: the PostgreSQL pool's size (tests, which open many databases at once, take few).
    public static func open(
        _ url: DatabaseURL, logger: Logger, readers: Int = 4, role: DatabaseRole = .tool, connections: Int = 20
    )
        async throws
        -> CabinetDatabase
    {
        let engine: any DatabaseEngine
        var ownership: OwnershipLock?
        var cachesAllowed = false
        switch url {
        case .sqlite(let path):
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            let lock = try OwnershipLock(path: path, role: role)
            do {
                engine = try await SQLiteEngine.open(path: path, readers: readers, logger: logger)
            } catch {
                lock.release()
                throw error
            }
            ownership = lock
            cachesAllowed = role == .server
        case .sqliteInMemory:
            engine = try await SQLiteEngine.open(path: nil, readers: 0, logger: logger)
            cachesAllowed = true
        case .postgres(let location):
            engine = try await PostgresEngine.open(location, logger: logger, maximumConnections: connections)
        }
        return CabinetDatabase(
            url: url, engine: engine, logger: logger, ownership: ownership, cachesAllowed: cachesAllowed)
    }

    /// The database's ``ReadCache`` named `name` (one per database, whatever number of store values use it), or `nil`
    /// when ``cachesAllowed`` is `false`.
    public func cache<Key: Hashable & Sendable, Value: Sendable>(
        _ name: String, of: (Key, Value).Type = (Key, Value).self
    )
        -> ReadCache<Key, Value>?
    {
        guard cachesAllowed else { return nil }
        return caches.withLock { caches in
            if let existing = caches[name] as? ReadCache<Key, Value> { return existing }
            let created = ReadCache<Key, Value>()
            caches[name] = created
            return created
        }
    }

    /// The database's ``LineStampedCache`` named `name`, on PostgreSQL only (SQLite stores keep ``ReadCache``s).
    public func stampedCache<Value: Sendable>(_ name: String, of: Value.Type = Value.self) -> LineStampedCache<Value>? {
        guard backend == .postgres else { return nil }
        return caches.withLock { caches in
            if let existing = caches[name] as? LineStampedCache<Value> { return existing }
            let created = LineStampedCache<Value>()
            caches[name] = created
            return created
        }
    }

    private let caches = Mutex<[String: any Sendable]>([:])

    /// `true` when a server owns this SQLite file and this process (a command) may only read.
    public var writesRefused: Bool { ownership?.serverRunning ?? false }

    /// Runs reads. Several statements each see their own committed state.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await engine.read(body)
    }

    /// Runs `body` so that the reads it makes through any store of this database share one connection where that is
    /// cheaper (one SQLite reader's thread); on PostgreSQL each read still takes a pooled connection of its own.
    public func groupingReads<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await engine.groupingReads(body)
    }

    /// Runs `body` in one write transaction, retrying on busy, serialization and deadlock failures.
    ///
    /// The transaction runs to its end even when the calling task is cancelled (a client hung up, the server is
    /// shutting down): it runs in the SQLite writer's own task, or in a task of its own on PostgreSQL, whose driver
    /// refuses every statement of a cancelled task, `ROLLBACK` included.
    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        if writesRefused, case .sqlite(let path) = url { throw StorageError.serverRunning(path) }
        // A request that writes reads its own writes: the line stamps it saw before no longer vouch for its caches.
        LineStamps.current?.forgetAll()
        defer { LineStamps.current?.forgetAll() }
        return try await writeRetrying(body)
    }

    private func writeRetrying<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T)
        async throws -> T
    {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await engine.transaction(body)
            } catch  where attempt < Self.maxAttempts && StorageErrors.isRetryable(error) {
                logger.debug("retrying transaction", metadata: ["cabinet.attempt": "\(attempt)", "error": "\(error)"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...20) * attempt))
            }
        }
    }

    static let maxAttempts = 8

    /// Checks that the database answers (for `/health`).
    public func ping() async throws {
        _ = try await read { db in try await db.raw("SELECT 1 AS one").first() }
    }

    /// Connections in use and tasks waiting for one, for the DB pool metrics.
    public func poolStatistics() async -> PoolStatistics {
        await engine.statistics()
    }

    /// Closes every connection. Further calls fail.
    public func close() async {
        // The server's shutdown and a command's cleanup may both close; only the first does anything.
        guard
            closed.withLock({ wasClosed in
                defer { wasClosed = true }
                return !wasClosed
            })
        else { return }
        await engine.close()
        ownership?.release()
    }

    private let closed = Mutex(false)
}

/// A snapshot of the connection pool for `/metrics`.
public struct PoolStatistics: Sendable, Hashable {
    public var connections: Int
    public var writersWaiting: Int
}

/// What each backend provides.
protocol DatabaseEngine: Sendable {
    var backend: CabinetDatabase.Backend { get }
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    func groupingReads<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T
    func statistics() async -> PoolStatistics
    func close() async
}

extension DatabaseEngine {
    func groupingReads<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T { try await body() }
}

extension CabinetDatabase: ReadGrouping {}
