public import CabinetCore
public import CabinetHTTP
public import CabinetMessaging
public import CabinetStorage
import Foundation
public import Hummingbird
public import Logging
public import Subscribers
import SubscribersHTTP
import SubscribersStorage

/// What the composition root may be given instead of the real thing (tests inject a clock and recording senders).
public struct CabinetDependencies: Sendable {
    public var clock: any WallClock
    /// `nil`: the development sink (SMS in the log and the outbox).
    public var sms: (any SMSSender)?
    /// `nil`: `.eml` files in the configured mail folder.
    public var mail: (any MailSender)?
    public var logger: Logger

    public init(clock: any WallClock = SystemClock(), sms: (any SMSSender)? = nil, mail: (any MailSender)? = nil,
                logger: Logger = Logger(label: "cabinet")) {
        self.clock = clock
        self.sms = sms
        self.mail = mail
        self.logger = logger
    }
}

/// The assembled object graph: the only place that knows every concrete type.
///
/// Loads the regions (refusing any problem), opens and migrates the database, builds each module's services and
/// the outbox worker. ``makeRouter()`` adds the HTTP side. Commands use the runtime without HTTP.
public final class CabinetRuntime: Sendable {
    public let configuration: CabinetConfiguration
    public let regions: RegionCatalog
    public let database: CabinetDatabase
    public let clock: any WallClock
    public let logger: Logger
    public let subscribers: any SubscriberService
    public let outbox: OutboxWorker
    public let metrics: HTTPMetrics
    public let catalog: MessageCatalog

    private init(configuration: CabinetConfiguration, regions: RegionCatalog, database: CabinetDatabase,
                 clock: any WallClock, logger: Logger, subscribers: any SubscriberService, outbox: OutboxWorker,
                 metrics: HTTPMetrics, catalog: MessageCatalog) {
        self.configuration = configuration
        self.regions = regions
        self.database = database
        self.clock = clock
        self.logger = logger
        self.subscribers = subscribers
        self.outbox = outbox
        self.metrics = metrics
        self.catalog = catalog
    }

    /// Loads regions, opens and migrates the database, wires the modules.
    public static func start(configuration: CabinetConfiguration, dependencies: CabinetDependencies = .init())
        async throws -> CabinetRuntime
    {
        let logger = dependencies.logger
        let regions = try CabinetModules.regionLoader.loadCatalog(directory: configuration.regionsDirectory)
        let catalog = try CabinetModules.messages()
        let database = try await CabinetDatabase.open(configuration.database, logger: logger)
        do {
            let applied = try await Migrator(migrations: CabinetModules.migrations).migrate(database, logger: logger)
            if !applied.isEmpty { logger.info("database migrated", metadata: ["cabinet.migrations": "\(applied.count)"]) }
            let subscribers = DefaultSubscriberService(
                repository: SQLSubscriberRepository(database: database), regions: regions, clock: dependencies.clock,
                logger: logger)
            let outbox = OutboxWorker(
                database: database, sms: dependencies.sms ?? LogSMSSender(logger: logger),
                mail: dependencies.mail ?? FileMailSender(directory: configuration.mailDirectory, clock: dependencies.clock),
                clock: dependencies.clock, policy: .init(pollInterval: configuration.outboxPollInterval), logger: logger)
            return CabinetRuntime(
                configuration: configuration, regions: regions, database: database, clock: dependencies.clock,
                logger: logger, subscribers: subscribers, outbox: outbox, metrics: HTTPMetrics(), catalog: catalog)
        } catch {
            await database.close()
            throw error
        }
    }

    /// The HTTP modules of the modules enabled in at least one region.
    var httpModules: [any HTTPModule] {
        var modules: [any HTTPModule] = []
        let enabled = regions.enabledModules
        if enabled.contains(SubscribersModule.id) { modules.append(SubscribersHTTPModule(service: subscribers)) }
        return modules
    }

    /// The router with every middleware, the kernel's routes and each enabled module's routes.
    public func makeRouter() throws -> Router<CabinetRequestContext> {
        let modules = httpModules
        var templateFolders: [URL] = []
        if let kernel = KernelWeb.templates { templateFolders.append(kernel) }
        templateFolders += modules.flatMap(\.templateDirectories)
        let renderer = WebRenderer(
            library: try TemplateLoader.library(from: templateFolders), catalog: catalog,
            navigation: modules.flatMap(\.navigation), assetVersion: CabinetVersion.assetVersion,
            webKeys: Array(catalog.keys))

        let router = Router(context: CabinetRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: LanguageMiddleware())
        router.add(middleware: AccessLogMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware(catalog: catalog, renderer: renderer))
        router.add(middleware: SecurityHeadersMiddleware(hsts: configuration.https))
        if let publicFolder = KernelWeb.publicFolder {
            router.add(middleware: FileMiddleware(
                publicFolder.path, urlBasePath: "/static",
                cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(31_536_000)])]), searchForIndexHtml: false,
                logger: logger))
        }
        let database = database
        let metrics = metrics
        KernelRoutes(
            renderer: renderer, regions: regions, metrics: metrics,
            health: { try await database.ping() },
            collectGauges: {
                let statistics = await database.poolStatistics()
                metrics.gauge("cabinet_db_connections", Double(statistics.connections),
                              dimensions: [("backend", database.backend.rawValue)])
                metrics.gauge("cabinet_db_writers_waiting", Double(statistics.writersWaiting),
                              dimensions: [("backend", database.backend.rawValue)])
            }
        ).add(to: router)

        let operatorAPI = configuration.operatorKey.map { key in
            router.group("/operator/v1").add(middleware: OperatorKeyMiddleware(key: key))
        }
        let routes = ModuleRoutes(api: router.group("/api/v1"), operatorAPI: operatorAPI, web: router.group(""),
                                  renderer: renderer)
        for module in modules {
            module.addRoutes(to: routes)
        }
        return router
    }

    /// Closes the database.
    public func close() async {
        await database.close()
    }
}

/// Version of this build, shown by `cabinet version` and used to bust asset caches.
public enum CabinetVersion {
    public static let version = "0.1.0"
    public static var assetVersion: String { version }
}
