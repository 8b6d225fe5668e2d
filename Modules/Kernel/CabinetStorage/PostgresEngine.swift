import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// PostgreSQL through postgres-nio's `PostgresClient` pool. The client's `run()` is driven by a task this engine
/// owns, so the same object works in the server, in commands and in tests.
final class PostgresEngine: DatabaseEngine {
    let backend = CabinetDatabase.Backend.postgres
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger
    private let inUse = Mutex(0)
    private let maximumConnections: Int

    private init(client: PostgresClient, runner: Task<Void, Never>, logger: Logger, maximumConnections: Int) {
        self.client = client
        self.runner = runner
        self.logger = logger
        self.maximumConnections = maximumConnections
    }

    static func open(_ location: DatabaseURL.PostgresLocation, logger: Logger, maximumConnections: Int) async throws
        -> PostgresEngine
    {
        let tls: PostgresClient.Configuration.TLS =
            switch location.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: tls)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        if let searchPath = location.searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        // The first lease waits until the runner task has begun: a lease before `run()` works but logs a warning at
        // every start. `run()` marks the client running before its first suspension, right after this signal.
        let (started, signal) = AsyncStream<Void>.makeStream()
        let runner = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        await Task.yield()
        let engine = PostgresEngine(
            client: client, runner: runner, logger: logger, maximumConnections: maximumConnections)
        do {
            try await engine.checkDurability()
        } catch {
            runner.cancel()
            throw error
        }
        return engine
    }

    /// Refuses settings that can lose acknowledged money movements (reliability decision D5).
    private func checkDurability() async throws {
        try await read { db in
            for (setting, bad) in [("fsync", "off"), ("synchronous_commit", "off"), ("full_page_writes", "off")] {
                let value = try await db.raw(SQLQueryString("SHOW \(unsafeRaw: setting)")).first()?
                    .decode(column: setting, as: String.self)
                if value == bad {
                    throw StorageError.durabilityNotGuaranteed("PostgreSQL \(setting) is \(bad)")
                }
            }
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            inUse.withLock { $0 += 1 }
            defer { inUse.withLock { $0 -= 1 } }
            return try await body(connection.sql(queryLogLevel: nil))
        }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // In a task of its own: a cancelled caller's task would make the driver refuse every statement, ROLLBACK included.
        try await Task { try await self.run(body) }.value
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            inUse.withLock { $0 += 1 }
            defer { inUse.withLock { $0 -= 1 } }
            let db = connection.sql(queryLogLevel: nil)
            try await db.raw("BEGIN").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                do {
                    try await db.raw("ROLLBACK").run()
                } catch {
                    logger.error("rollback failed", metadata: ["error": "\(error)"])
                }
                throw error
            }
        }
    }

    func statistics() async -> PoolStatistics {
        PoolStatistics(connections: inUse.withLock { $0 }, writersWaiting: 0)
    }

    func close() async {
        runner.cancel()
        _ = await runner.value
    }
}
