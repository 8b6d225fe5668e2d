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
public import Auth
import AuthHTTP
import AuthStorage
import AsyncHTTPClient
public import ServiceLifecycle

/// What the composition root may be given instead of the real thing (tests inject a clock and recording senders).
public struct CabinetDependencies: Sendable {
    public var clock: any WallClock
    /// `nil`: the development sink (SMS in the log and the outbox).
    public var sms: (any SMSSender)?
    /// `nil`: `.eml` files in the configured mail folder.
    public var mail: (any MailSender)?
    public var logger: Logger
    /// `nil`: the development gateway (confirm through the operator API or `cabinet auth push`).
    public var push: (any PushConfirmationGateway)?
    /// `nil`: bcrypt at the configured cost.
    public var passwordHasher: (any PasswordHasher)?

    public init(clock: any WallClock = SystemClock(), sms: (any SMSSender)? = nil, mail: (any MailSender)? = nil,
                logger: Logger = Logger(label: "cabinet"), push: (any PushConfirmationGateway)? = nil,
                passwordHasher: (any PasswordHasher)? = nil) {
        self.clock = clock
        self.sms = sms
        self.mail = mail
        self.logger = logger
        self.push = push
        self.passwordHasher = passwordHasher
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
    public let auth: DefaultAuthService
    /// Background work besides the outbox (housekeeping), run by the application's service group.
    public let jobs: [any Service]
    private let httpClient: HTTPClient?

    private init(configuration: CabinetConfiguration, regions: RegionCatalog, database: CabinetDatabase,
                 clock: any WallClock, logger: Logger, subscribers: any SubscriberService, outbox: OutboxWorker,
                 metrics: HTTPMetrics, catalog: MessageCatalog, auth: DefaultAuthService, jobs: [any Service],
                 httpClient: HTTPClient?) {
        self.auth = auth
        self.jobs = jobs
        self.httpClient = httpClient
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
                database: database, sms: try dependencies.sms ?? makeSMSSender(configuration, logger: logger),
                mail: dependencies.mail ?? FileMailSender(directory: configuration.mailDirectory, clock: dependencies.clock),
                clock: dependencies.clock, policy: .init(pollInterval: configuration.outboxPollInterval), logger: logger)
            var secret = configuration.secret ?? ""
            if secret.isEmpty {
                // Development default: generated once and kept in the database. Production sets CABINET_SECRET.
                secret = try await database.setting("auth.secret") { AuthSecrets.generate().base64EncodedString() }
            }
            let providers = try configuration.identityProvidersFile.map(IdentityProvidersFile.load) ?? []
            let httpClient = providers.isEmpty ? nil : HTTPClient(eventLoopGroupProvider: .singleton)
            let store = SQLAuthStore(database: database, messagesQueued: { outbox.nudge() })
            let auth = await DefaultAuthService(
                store: store, lines: subscribers, regions: regions, secrets: AuthSecrets(secret: Data(secret.utf8)),
                hasher: dependencies.passwordHasher ?? BcryptPasswordHasher(cost: configuration.bcryptCost),
                commonPasswords: try CommonPasswords.bundled(), push: dependencies.push ?? ManualPushGateway(),
                providers: providers, providerClient: httpClient.map(HTTPIdentityProviderClient.init),
                clock: dependencies.clock, logger: logger)
            let clock = dependencies.clock
            let housekeeping = PeriodicJob(name: "auth.purge", every: .seconds(3600), logger: logger) {
                let removed = try await store.purgeExpired(now: clock.now)
                if removed > 0 { logger.debug("purged expired auth rows", metadata: ["cabinet.rows": "\(removed)"]) }
            }
            return CabinetRuntime(
                configuration: configuration, regions: regions, database: database, clock: dependencies.clock,
                logger: logger, subscribers: subscribers, outbox: outbox, metrics: HTTPMetrics(), catalog: catalog, auth: auth,
                jobs: [housekeeping], httpClient: httpClient)
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
        if enabled.contains(AuthModule.id) { modules.append(authHTTP) }
        return modules
    }

    var authHTTP: AuthHTTPModule {
        AuthHTTPModule(service: auth, https: configuration.https, publicBaseURL: configuration.effectivePublicURL)
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
        router.add(middleware: ClientAddressMiddleware(trustedProxies: configuration.trustedProxies))
        router.add(middleware: LanguageMiddleware())
        router.add(middleware: AccessLogMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware(catalog: catalog, renderer: renderer))
        router.add(middleware: SecurityHeadersMiddleware(hsts: configuration.https))
        if regions.enabledModules.contains(AuthModule.id) { router.add(middleware: authHTTP.middleware) }
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

    /// Closes the database and the HTTP client of social login.
    public func close() async {
        try? await httpClient?.shutdown()
        await database.close()
    }
}

/// The SMS channel the configuration names (SMPP arrives with its adapter).
func makeSMSSender(_ configuration: CabinetConfiguration, logger: Logger) throws -> any SMSSender {
    switch configuration.sms {
    case .log:
        return LogSMSSender(logger: logger)
    case .smpp(let host, let port, let systemID, let password, let source, let rate):
        return SMPPSMSSender(configuration: .init(host: host, port: port, systemID: systemID, password: password,
                                                  sourceAddress: source, messagesPerSecond: rate), logger: logger)
    }
}

/// Version of this build, shown by `cabinet version` and used to bust asset caches.
public enum CabinetVersion {
    public static let version = "0.1.0"
    public static var assetVersion: String { version }
}
