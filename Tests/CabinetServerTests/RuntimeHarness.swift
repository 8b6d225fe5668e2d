import CabinetCore
import CabinetServer
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit

enum RuntimeHarness {
    static let operatorKey = "operator-key-for-tests"
}

/// Runs `body` with a runtime as `cabinet serve` builds it over a fresh database (a temp SQLite file or a fresh
/// PostgreSQL schema), the shipped Regions/, bcrypt at cost 4; `configure` changes the configuration first.
func withRuntime(
    _ backend: TestDatabase, configure: (inout CabinetConfiguration) -> Void = { _ in },
    dependencies: CabinetDependencies = .init(logger: .test),
    _ body: (CabinetRuntime) async throws -> Void
) async throws {
    try await withRuntimes(1, backend, configure: configure, dependencies: dependencies) { try await body($0[0]) }
}

/// As ``withRuntime(_:configure:dependencies:_:)`` with `count` runtimes on one database: the nodes of a
/// deployment (PostgreSQL; on SQLite the second is a command beside the server).
func withRuntimes(
    _ count: Int, _ backend: TestDatabase, configure: (inout CabinetConfiguration) -> Void = { _ in },
    dependencies: CabinetDependencies = .init(logger: .test),
    nodeDependencies: ((Int) -> CabinetDependencies)? = nil,
    _ body: ([CabinetRuntime]) async throws -> Void
) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("app-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    var configuration = CabinetConfiguration()
    configuration.regionsDirectory = RepositoryPaths.regions
    configuration.operatorKey = RuntimeHarness.operatorKey
    configuration.sandboxGateway = true
    configuration.mailDirectory = folder.appendingPathComponent("mail")
    configuration.bcryptCost = 4
    configuration.databaseRole = .server
    configure(&configuration)
    switch backend {
    case .sqlite:
        configuration.database = .sqlite(path: folder.appendingPathComponent("cabinet.sqlite").path)
        try await run(count, configuration, nodeDependencies ?? { _ in dependencies }, body)
    case .postgres:
        // A fresh schema per test: the migrations run inside it through the runtime itself.
        try await backend.withDatabase(migrations: []) { scratch in
            guard case .postgres(var location) = try DatabaseURL(parsing: TestDatabase.postgresURL ?? "") else {
                return
            }
            let schema = try await scratch.read { db in
                try await db.raw("SELECT current_schema() AS s").first()?.decode(column: "s", as: String.self)
            }
            location.searchPath = schema
            configuration.database = .postgres(location)
            try await run(count, configuration, nodeDependencies ?? { _ in dependencies }, body)
        }
    }
}

private func run(
    _ count: Int, _ configuration: CabinetConfiguration, _ dependencies: (Int) -> CabinetDependencies,
    _ body: ([CabinetRuntime]) async throws -> Void
) async throws {
    var runtimes: [CabinetRuntime] = []
    do {
        for index in 0..<count {
            var node = configuration
            // One server owns an SQLite file; on PostgreSQL every node is a server.
            if index > 0, case .sqlite = configuration.database { node.databaseRole = .tool }
            runtimes.append(try await CabinetRuntime.start(configuration: node, dependencies: dependencies(index)))
        }
        try await body(runtimes)
        for runtime in runtimes { await runtime.close() }
    } catch {
        for runtime in runtimes { await runtime.close() }
        throw error
    }
}
