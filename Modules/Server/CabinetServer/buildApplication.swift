public import CabinetHTTP
import CabinetMessaging
import CabinetStorage
public import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the whole server from a configuration: the one function `cabinet serve` and the tests use.
public func buildApplication(
    configuration: CabinetConfiguration, dependencies: CabinetDependencies = .init()
) async throws -> some ApplicationProtocol {
    let runtime = try await CabinetRuntime.start(configuration: configuration, dependencies: dependencies)
    do {
        if configuration.demo {
            _ = try await DemoProvisioner(runtime: runtime).provision()
        }
        return try buildApplication(runtime: runtime)
    } catch {
        await runtime.close()
        throw error
    }
}

/// Builds the server over an already started runtime (tests that also need the database use this).
public func buildApplication(
    runtime: CabinetRuntime, onServerRunning: @escaping @Sendable (_ port: Int?) async -> Void = { _ in }
) throws -> Application<RouterResponder<CabinetRequestContext>> {
    let router = try runtime.makeRouter()
    var app = Application(
        router: router,
        configuration: .init(
            address: .hostname(runtime.configuration.host, port: runtime.configuration.port),
            serverName: "cabinet"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port) },
        logger: runtime.logger)
    // Shut down in reverse order: the server stops first, then the outbox worker, then the database closes.
    app.addServices(RuntimeService(runtime: runtime))
    app.addServices(runtime.jobs)
    if runtime.database.backend == .postgres {
        // Other nodes may reload the region files: this one follows.
        app.addServices(
            RegionFollower(reloader: runtime.regionReloader, interval: runtime.configuration.regionsFollowInterval))
    }
    app.addServices(runtime.outbox)
    return app
}

/// Closes the runtime's database once the server and the workers have stopped.
struct RuntimeService: Service {
    let runtime: CabinetRuntime

    func run() async throws {
        try? await gracefulShutdown()
        await runtime.close()
    }
}
