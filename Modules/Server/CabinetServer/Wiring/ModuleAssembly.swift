public import CabinetCore
public import CabinetHTTP
public import CabinetMessaging
public import CabinetStorage
import Foundation
public import Logging
public import ServiceLifecycle

/// How one module joins the server: one type per module in this folder, named `<Module>Assembly`.
///
/// An assembly is built with the exports of the modules it uses (its init's parameters, so the compiler checks the
/// wiring) and turns the kernel into the module's services. It returns its ``Assembled/exports`` (the narrow
/// protocols other modules consume) and its ``ModuleParts`` (background jobs and HTTP modules), which the runtime
/// runs without knowing what they are. ``CabinetModules`` lists the assemblies in dependency order.
public protocol ModuleAssembly: Sendable {
    /// What this module gives the modules assembled after it.
    associatedtype Exports: Sendable

    /// The module's descriptor: its id, region settings and texts.
    static var module: any CabinetModule.Type { get }
    /// The module's migrations, applied before any module is assembled.
    static var migrations: [Migration] { get }

    func assemble(_ kernel: CabinetKernel) async throws -> Assembled<Exports>
}

/// What an assembly hands back.
public struct Assembled<Exports: Sendable>: Sendable {
    public let exports: Exports
    public let parts: ModuleParts

    public init(exports: Exports, parts: ModuleParts = ModuleParts()) {
        self.exports = exports
        self.parts = parts
    }
}

/// The parts of a module the runtime runs: its background jobs and its HTTP modules (only for modules switched on
/// in at least one region; the assembly decides).
public struct ModuleParts: Sendable {
    public var jobs: [any Service]
    public var http: [any HTTPModule]
    /// What the module refuses in a reload of the region files (a tariff removed while lines are on it).
    public var regionChecks: [any RegionChangeCheck]
    /// What a start refuses in region files beyond the files themselves (a gateway this server has not), checked
    /// again on every reload.
    public var regionValidations: [@Sendable (RegionCatalog) -> [ConfigProblem]]

    public init(
        jobs: [any Service] = [], http: [any HTTPModule] = [], regionChecks: [any RegionChangeCheck] = [],
        regionValidations: [@Sendable (RegionCatalog) -> [ConfigProblem]] = []
    ) {
        self.jobs = jobs
        self.http = http
        self.regionChecks = regionChecks
        self.regionValidations = regionValidations
    }
}

/// What the kernel gives every assembly: configuration, regions, the database, texts, the outbox, the clock and
/// the logger, the kernel's request registry and idempotency store, and one HTTP client for outbound adapters.
public struct CabinetKernel: Sendable {
    public let configuration: CabinetConfiguration
    public let dependencies: CabinetDependencies
    public let regions: RegionCatalog
    public let catalog: MessageCatalog
    public let database: CabinetDatabase
    public let outbox: OutboxWorker
    public let requests: SQLRequestRegistry
    public let idempotency: SQLIdempotencyStore
    /// Counters of rate limits, in the database so that every node counts the same.
    public let rateLimiter: SQLRateLimiter
    /// Created on first use: a server without social login or an acquirer opens no HTTP client.
    public let httpClient: SharedHTTPClient
    /// Background jobs' leases: one node of a deployment runs each job at a time.
    public let jobLeases: SQLJobLeases

    public var clock: any WallClock { dependencies.clock }
    public var logger: Logger { dependencies.logger }

    /// Whether a module is on in at least one region (its HTTP side is served only then).
    public func isEnabled(_ module: any CabinetModule.Type) -> Bool {
        regions.enabledModules.contains(module.id)
    }

    /// A secret kept in the database, generated on first use (development defaults; production sets its own).
    public func storedSecret(_ key: String) async throws -> String {
        try await database.setting(key) {
            var generator = SystemRandomNumberGenerator()
            return Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
        }
    }
}
