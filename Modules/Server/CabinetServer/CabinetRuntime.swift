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
public import Billing
import BillingHTTP
import BillingPDF
import BillingStorage
import Tariffs
import TariffsHTTP
public import TariffsStorage
public import Payments
import PaymentsHTTP
import PaymentsStorage
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
    public let billing: DefaultBillingService
    public let billingTexts: BillingTexts
    public let statements: StatementProducer
    public let lineTariffs: SQLLineTariffRepository
    public let requests: SQLRequestRegistry
    public let payments: PaymentsService
    /// The built-in sandbox gateway (the embedded default); its hosted page is served by the cabinet.
    public let sandbox: SandboxGateway
    public let idempotency: SQLIdempotencyStore
    /// Background work besides the outbox (housekeeping, fees, statements), run by the application's service group.
    public let jobs: [any Service]
    private let httpClient: HTTPClient?

    private init(configuration: CabinetConfiguration, regions: RegionCatalog, database: CabinetDatabase,
                 clock: any WallClock, logger: Logger, subscribers: any SubscriberService, outbox: OutboxWorker,
                 metrics: HTTPMetrics, catalog: MessageCatalog, auth: DefaultAuthService, billing: DefaultBillingService,
                 billingTexts: BillingTexts, statements: StatementProducer, lineTariffs: SQLLineTariffRepository,
                 requests: SQLRequestRegistry, payments: PaymentsService, sandbox: SandboxGateway, idempotency: SQLIdempotencyStore,
                 jobs: [any Service], httpClient: HTTPClient?) {
        self.payments = payments
        self.sandbox = sandbox
        self.idempotency = idempotency
        self.auth = auth
        self.billing = billing
        self.billingTexts = billingTexts
        self.statements = statements
        self.lineTariffs = lineTariffs
        self.requests = requests
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
        let database = try await CabinetDatabase.open(configuration.database, logger: logger, role: configuration.databaseRole)
        do {
            let applied = try await Migrator(migrations: CabinetModules.migrations).migrate(database, logger: logger)
            if !applied.isEmpty { logger.info("database migrated", metadata: ["cabinet.migrations": "\(applied.count)"]) }
            let outbox = OutboxWorker(
                database: database, sms: try dependencies.sms ?? makeSMSSender(configuration, logger: logger),
                mail: dependencies.mail ?? makeMailSender(configuration, clock: dependencies.clock, logger: logger),
                clock: dependencies.clock,
                policy: .init(pollInterval: configuration.outboxPollInterval, mailFrom: configuration.mailFrom), logger: logger)
            let directory = SQLSubscriberRepository(database: database)
            let rules = BillingRules(regions: regions)
            let billingTexts = BillingTexts(catalog: catalog)
            // Billing reports lines whose balance changed; the payments job looks at their auto-payment thresholds at once.
            let balanceWatch = BalanceWatch()
            let paymentsSignal = JobSignal()
            let billingStore = try await SQLBillingStore.open(
                database: database, rules: rules, texts: billingTexts, logger: logger, messagesQueued: { outbox.nudge() },
                balancesChanged: { lines in
                    Task {
                        await balanceWatch.add(lines)
                        paymentsSignal.fire()
                    }
                })
            let billing = DefaultBillingService(store: billingStore, rules: rules, lines: directory, clock: dependencies.clock,
                                                logger: logger)
            let subscribers = DefaultSubscriberService(
                repository: directory, regions: regions, clock: dependencies.clock, logger: logger,
                observers: [BillingLineSetup(billing: billing, regions: regions)])
            let pdf = PDFStatementRenderer(fontPath: configuration.pdfFont)
            if !pdf.fontIsReadable {
                logger.error("PDF statements will fail: the font cannot be read", metadata: ["cabinet.font": "\(configuration.pdfFont)"])
            }
            let statements = StatementProducer(store: billingStore, rules: rules, lines: directory,
                                               renderers: [pdf, StatementCSVRenderer()], texts: billingTexts,
                                               clock: dependencies.clock, logger: logger)
            var secret = configuration.secret ?? ""
            if secret.isEmpty {
                // Development default: generated once and kept in the database. Production sets CABINET_SECRET.
                secret = try await database.setting("auth.secret") { AuthSecrets.generate().base64EncodedString() }
            }
            let providers = try configuration.identityProvidersFile.map(IdentityProvidersFile.load) ?? []
            let acquirers = try configuration.gatewaysFile.map(GatewaysFile.load) ?? []
            let httpClient = providers.isEmpty && acquirers.isEmpty ? nil : HTTPClient(eventLoopGroupProvider: .singleton)
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
            let fees = PeriodicJob(name: "billing.fees", every: configuration.feePollInterval, logger: logger) {
                let moved = try await billing.runDueFees()
                if moved > 0 { logger.info("periods opened", metadata: ["cabinet.lines": "\(moved)"]) }
            }
            // The sandbox signs its webhooks with a secret of this database (an operator's real gateway has its own).
            let sandboxSecret = try await database.setting("payments.sandbox.secret") { AuthSecrets.generate().base64EncodedString() }
            let sandbox = SandboxGateway(secret: Data(sandboxSecret.utf8), pageBaseURL: configuration.effectivePublicURL)
            var gateways: [any PaymentGateway] = [sandbox]
            if let httpClient { gateways += acquirers.map { AcquirerGateway(configuration: $0, client: httpClient) } }
            // A region naming a gateway nobody configured would fail every payment: refuse to start instead.
            for region in regions.regions {
                if let name = region.settings(for: PaymentsModule.self)?.gateway, !gateways.contains(where: { $0.name == name }) {
                    throw ConfigError(problems: [ConfigProblem(
                        location: ConfigLocation(file: "\(region.id.rawValue).yaml"), path: "payments.gateway",
                        message: "\"\(name)\" is neither sandbox nor an id in CABINET_GATEWAYS")])
                }
            }
            let payments = PaymentsService(store: SQLPaymentsStore(database: database, ledger: billingStore, messagesQueued: { outbox.nudge() }),
                                           ledger: billingStore, lines: directory,
                                           regions: regions, gateways: gateways, defaultGateway: sandbox.name,
                                           clock: dependencies.clock, logger: logger)
            let idempotency = SQLIdempotencyStore(database: database)
            let fullScan = TimeInterval(configuration.feePollInterval.components.seconds)
            let paymentsJob = PeriodicJob(name: "payments.reconcile", every: configuration.feePollInterval, signal: paymentsSignal,
                                          logger: logger) {
                let (changed, full) = await balanceWatch.next(now: clock.now, interval: fullScan)
                if full {
                    let done = try await payments.reconcile()
                    if done > 0 { logger.info("payments reconciled", metadata: ["cabinet.count": "\(done)"]) }
                    _ = try await idempotency.purge(before: clock.now.addingTimeInterval(-48 * 3600))
                }
                let charged = try await payments.runAutopay(changed: full ? nil : changed)
                if charged > 0 { logger.info("auto-payments attempted", metadata: ["cabinet.count": "\(charged)"]) }
            }
            let statementJob = PeriodicJob(name: "billing.statements", every: configuration.statementPollInterval, logger: logger) {
                try await statements.runOnce()
            }
            return CabinetRuntime(
                configuration: configuration, regions: regions, database: database, clock: dependencies.clock,
                logger: logger, subscribers: subscribers, outbox: outbox, metrics: HTTPMetrics(), catalog: catalog, auth: auth,
                billing: billing, billingTexts: billingTexts, statements: statements, lineTariffs: SQLLineTariffRepository(database: database),
                requests: SQLRequestRegistry(database: database), payments: payments, sandbox: sandbox, idempotency: idempotency,
                jobs: [housekeeping, fees, statementJob, paymentsJob], httpClient: httpClient)
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
        if enabled.contains(TariffsModule.id) && enabled.contains(BillingModule.id) {
            modules.append(TariffsHTTPModule(regions: regions, lineTariffs: lineTariffs, changes: billing, clock: clock))
        }
        if enabled.contains(BillingModule.id) { modules.append(BillingHTTPModule(service: billing, texts: billingTexts, clock: clock)) }
        if enabled.contains(PaymentsModule.id) {
            modules.append(PaymentsHTTPModule(
                service: payments, sandbox: sandbox, idempotency: IdempotentRequests(store: idempotency, clock: clock),
                publicBaseURL: configuration.effectivePublicURL, clock: clock))
        }
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
            navigation: modules.flatMap(\.navigation)
                + [.init(path: "/requests", titleKey: "web.nav.requests", whenLoggedIn: true, order: 70)],
            assetVersion: CabinetVersion.assetVersion,
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
            homeForSession: regions.enabledModules.contains(BillingModule.id) ? "/dashboard" : "/profile",
            version: CabinetVersion.version,
            health: { try await database.ping() },
            collectGauges: {
                let statistics = await database.poolStatistics()
                metrics.gauge("cabinet_db_connections", Double(statistics.connections),
                              dimensions: [("backend", database.backend.rawValue)])
                metrics.gauge("cabinet_db_writers_waiting", Double(statistics.writersWaiting),
                              dimensions: [("backend", database.backend.rawValue)])
            }
        ).add(to: router)

        if let document = CabinetOpenAPI.document, let yaml = try? Data(contentsOf: document) {
            router.get("/openapi.yaml") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=3600"],
                         body: .init(byteBuffer: ByteBuffer(bytes: yaml)))
            }
        }
        let operatorAPI = configuration.operatorKey.map { key in
            router.group("/operator/v1").add(middleware: OperatorKeyMiddleware(key: key))
        }
        let web = router.group("").add(middleware: WebLoginMiddleware())
        let routes = ModuleRoutes(api: router.group("/api/v1"), operatorAPI: operatorAPI, web: web, renderer: renderer)
        RequestHistoryRoutes(registry: requests, renderer: renderer).add(api: routes.api, web: web)
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

/// The e-mail channel the configuration names.
func makeMailSender(_ configuration: CabinetConfiguration, clock: any WallClock, logger: Logger) -> any MailSender {
    switch configuration.mail {
    case .files: FileMailSender(directory: configuration.mailDirectory, clock: clock)
    case .smtp(let smtp): SMTPMailSender(configuration: smtp, logger: logger)
    }
}

/// Opens a billing account on the region's default tariff for every line the registry creates (or re-imports).
struct BillingLineSetup: LineLifecycleObserver {
    let billing: DefaultBillingService
    let regions: RegionCatalog

    /// A new line is billed from its activation; a line activated earlier (an import of the existing base) from the start
    /// of the current period, with that period's whole fee and package.
    func lineReady(_ line: Line) async throws {
        guard let region = regions.region(line.region), region.isEnabled(BillingModule.id),
            let calendar = BillingCalendar(region: region),
            let tariff = region.settings(for: TariffsModule.self)?.defaultTariff,
            let period = region.settings(for: TariffsModule.self)?.tariff(tariff)?.fee.period
        else { return }
        if try await billing.store.account(of: line.id) != nil { return }
        let now = billing.now
        let activated = line.activatedOn.startOfDay(in: region.timeZone)
        let from = min(now, max(activated, calendar.period(containing: now, feePeriod: period).start))
        try await billing.openAccount(for: line, from: from)
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
