public import CabinetCore
public import CabinetHTTP
public import CabinetMessaging
public import CabinetStorage
import Foundation
public import Hummingbird
public import Logging
public import ServiceLifecycle
import Support

/// The running kernel and the assembled modules.
///
/// Loads the regions (refusing any problem), opens and migrates the database, starts the outbox and lets each
/// module's assembly (``CabinetModules``) build its services; ``makeRouter()`` adds the HTTP side. It knows no
/// module's types: what commands and tests need of a module comes through ``services``.
public final class CabinetRuntime: Sendable {
    public let configuration: CabinetConfiguration
    public let kernel: CabinetKernel
    /// Every module's exports.
    public let services: CabinetServices
    public let metrics: HTTPMetrics
    /// Background work besides the outbox (housekeeping, fees, statements, payments), run by the service group.
    public let jobs: [any Service]
    /// Puts changed region files in service without a restart.
    public let regionReloader: RegionReloader
    private let httpModules: [any HTTPModule]

    public var regions: RegionCatalog { kernel.regions }
    public var database: CabinetDatabase { kernel.database }
    public var clock: any WallClock { kernel.clock }
    public var logger: Logger { kernel.logger }
    public var catalog: MessageCatalog { kernel.catalog }
    public var outbox: OutboxWorker { kernel.outbox }
    public var requests: SQLRequestRegistry { kernel.requests }

    private init(kernel: CabinetKernel, services: CabinetServices, parts: [ModuleParts]) {
        self.configuration = kernel.configuration
        self.kernel = kernel
        self.services = services
        self.metrics = HTTPMetrics()
        self.jobs = parts.flatMap(\.jobs)
        self.httpModules = parts.flatMap(\.http)
        self.regionReloader = RegionReloader(
            directory: kernel.configuration.regionsDirectory, catalog: kernel.regions,
            loader: CabinetModules.regionLoader, mountedModules: kernel.regions.enabledModules,
            validations: parts.flatMap(\.regionValidations), checks: parts.flatMap(\.regionChecks), metrics: metrics,
            logger: kernel.logger, announcements: kernel.database.backend == .postgres ? kernel.database : nil,
            clock: kernel.clock)
    }

    /// Loads regions, opens and migrates the database, assembles the modules.
    public static func start(configuration: CabinetConfiguration, dependencies: CabinetDependencies = .init())
        async throws -> CabinetRuntime
    {
        let logger = dependencies.logger
        let regions = try CabinetModules.regionLoader.loadCatalog(directory: configuration.regionsDirectory)
        let catalog = try CabinetModules.messages()
        let database = try await CabinetDatabase.open(
            configuration.database, logger: logger, role: configuration.databaseRole)
        let httpClient = SharedHTTPClient()
        do {
            let applied = try await Migrator(migrations: CabinetModules.migrations).migrate(database, logger: logger)
            if !applied.isEmpty {
                logger.info("database migrated", metadata: ["cabinet.migrations": "\(applied.count)"])
            }
            let outbox = OutboxWorker(
                database: database, sms: try dependencies.sms ?? makeSMSSender(configuration, logger: logger),
                mail: dependencies.mail ?? makeMailSender(configuration, clock: dependencies.clock, logger: logger),
                clock: dependencies.clock,
                policy: .init(pollInterval: configuration.outboxPollInterval, mailFrom: configuration.mailFrom),
                logger: logger)
            let kernel = CabinetKernel(
                configuration: configuration, dependencies: dependencies, regions: regions, catalog: catalog,
                database: database,
                outbox: outbox, requests: SQLRequestRegistry(database: database),
                idempotency: SQLIdempotencyStore(database: database), rateLimiter: SQLRateLimiter(database: database),
                httpClient: httpClient,
                jobLeases: SQLJobLeases(
                    database: database, clock: dependencies.clock,
                    holder: "\(configuration.nodeName):\(ProcessInfo.processInfo.processIdentifier):"
                        + Hex.random(bytes: 3)))
            let (services, parts) = try await CabinetModules.assemble(kernel)
            return CabinetRuntime(kernel: kernel, services: services, parts: parts)
        } catch {
            await httpClient.shutdown()
            await database.close()
            throw error
        }
    }

    /// The router with every middleware, the kernel's routes and each enabled module's routes.
    public func makeRouter() throws -> Router<CabinetRequestContext> {
        var settings = CabinetRouterSettings(
            regions: regions, catalog: catalog, metrics: metrics, logger: logger,
            operatorKey: configuration.operatorKey)
        settings.https = configuration.https
        if configuration.publicMetrics { settings.metricsAccess = .public }
        settings.trustedProxies = configuration.trustedProxies
        settings.version = CabinetVersion.version
        settings.assetVersion = CabinetVersion.assetVersion
        settings.openAPIDocument = CabinetOpenAPI.document.flatMap { try? Data(contentsOf: $0) }
        settings.requests = requests
        let database = database
        let metrics = metrics
        let support = services.support.service
        settings.health = { try await database.ping() }
        let reloader = regionReloader
        settings.reloadRegions = { await reloader.reload(trigger: "operator API") }
        settings.collectGauges = {
            // Tickets past their first-response target with no answer, across every region.
            if let overdue = try? await support.overdueCount() {
                metrics.gauge("cabinet_support_overdue_tickets", Double(overdue))
            }
            let statistics = await database.poolStatistics()
            metrics.gauge(
                "cabinet_db_connections", Double(statistics.connections),
                dimensions: [("backend", database.backend.rawValue)])
            metrics.gauge(
                "cabinet_db_writers_waiting", Double(statistics.writersWaiting),
                dimensions: [("backend", database.backend.rawValue)])
        }
        return try makeCabinetRouter(modules: httpModules, settings: settings)
    }

    /// Closes the database and the outbound HTTP client.
    public func close() async {
        await kernel.httpClient.shutdown()
        await database.close()
    }
}

/// The e-mail channel the configuration names.
func makeMailSender(_ configuration: CabinetConfiguration, clock: any WallClock, logger: Logger) -> any MailSender {
    switch configuration.mail {
    case .files: FileMailSender(directory: configuration.mailDirectory, clock: clock)
    case .smtp(let smtp): SMTPMailSender(configuration: smtp, logger: logger)
    }
}

/// The SMS channel the configuration names (SMPP arrives with its adapter).
func makeSMSSender(_ configuration: CabinetConfiguration, logger: Logger) throws -> any SMSSender {
    switch configuration.sms {
    case .log:
        return LogSMSSender(logger: logger)
    case .smpp(let host, let port, let systemID, let password, let source, let rate):
        return SMPPSMSSender(
            configuration: .init(
                host: host, port: port, systemID: systemID, password: password,
                sourceAddress: source, messagesPerSecond: rate), logger: logger)
    }
}

/// Version of this build, shown by `cabinet version` and used to bust asset caches.
public enum CabinetVersion {
    public static let version = "0.1.0"
    public static var assetVersion: String { version }
}
