public import CabinetCore
public import Foundation
import HTTPTypes
public import Hummingbird
public import Logging

/// Everything about the router that is not a module: the kernel's middleware, the web shell, `/health`, `/metrics`,
/// `/openapi.yaml`, the operator API's key and the request history.
public struct CabinetRouterSettings: Sendable {
    public var regions: RegionCatalog
    public var catalog: MessageCatalog
    public var metrics: HTTPMetrics
    public var logger: Logger
    /// `nil`: the operator API is off.
    public var operatorKey: String?
    /// Who may read `/metrics`: by default whoever has the operator key (nobody without one).
    public var metricsAccess: MetricsAccess?
    /// Served over HTTPS behind a proxy: HSTS.
    public var https: Bool = false
    /// Proxies whose `X-Forwarded-For` is believed.
    public var trustedProxies: Set<String> = []
    public var version: String = ""
    public var assetVersion: String = ""
    /// The OpenAPI document served at `/openapi.yaml`.
    public var openAPIDocument: Data?
    /// The request history of every module (`/api/v1/me/requests`, `/requests`).
    public var requests: (any RequestRegistry)?
    /// Throws when a dependency (the database) does not answer.
    public var health: @Sendable () async throws -> Void = {}
    /// Refreshes gauges (the database pool) just before `/metrics` is rendered.
    public var collectGauges: @Sendable () async -> Void = {}
    /// Reloads the region files (`POST /operator/v1/regions/reload`); without it the route is absent.
    public var reloadRegions: (@Sendable () async -> RegionReloadReport)?

    public init(
        regions: RegionCatalog, catalog: MessageCatalog, metrics: HTTPMetrics = HTTPMetrics(),
        logger: Logger = Logger(label: "cabinet.http"), operatorKey: String? = nil
    ) {
        self.regions = regions
        self.catalog = catalog
        self.metrics = metrics
        self.logger = logger
        self.operatorKey = operatorKey
    }
}

/// The one router of the cabinet: the runtime serves it, and every module's HTTP tests build theirs with it (through
/// `CabinetHTTPTesting`), so a test sees the same middleware, errors and session handling as production.
public func makeCabinetRouter(modules: [any HTTPModule], settings: CabinetRouterSettings) throws -> Router<
    CabinetRequestContext
> {
    var templateFolders: [URL] = []
    if let kernel = KernelWeb.templates { templateFolders.append(kernel) }
    templateFolders += modules.flatMap(\.templateDirectories)
    var navigation = modules.flatMap(\.navigation)
    if settings.requests != nil {
        navigation.append(
            .init(path: "/requests", titleKey: "web.nav.requests", whenLoggedIn: true, order: 70, section: .home))
    }
    let renderer = WebRenderer(
        library: try TemplateLoader.library(from: templateFolders), catalog: settings.catalog, navigation: navigation,
        assetVersion: settings.assetVersion, webKeys: Array(settings.catalog.keys))

    let router = Router(context: CabinetRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RegionPinMiddleware(regions: settings.regions))
    router.add(middleware: ClientAddressMiddleware(trustedProxies: settings.trustedProxies))
    router.add(middleware: LanguageMiddleware())
    router.add(middleware: AccessLogMiddleware(metrics: settings.metrics))
    router.add(middleware: ErrorMiddleware(catalog: settings.catalog, renderer: renderer))
    router.add(middleware: SecurityHeadersMiddleware(hsts: settings.https))
    for module in modules {
        module.addMiddleware(to: router)
    }
    if let publicFolder = KernelWeb.publicFolder {
        router.add(
            middleware: FileMiddleware(
                publicFolder.path, urlBasePath: "/static",
                cacheControl: .init([(MediaType(type: .any), [.public, .maxAge(31_536_000)])]),
                searchForIndexHtml: false,
                logger: settings.logger))
    }
    KernelRoutes(
        renderer: renderer, regions: settings.regions, metrics: settings.metrics,
        homeForSession: modules.compactMap(\.sessionHome).max { $0.rank < $1.rank }?.path, version: settings.version,
        metricsAccess: settings.metricsAccess ?? settings.operatorKey.map { .key($0) } ?? .off,
        health: settings.health, collectGauges: settings.collectGauges
    ).add(to: router)

    if let yaml = settings.openAPIDocument {
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(bytes: yaml)))
        }
    }
    let operatorAPI = settings.operatorKey.map { key in
        router.group("/operator/v1").add(middleware: OperatorKeyMiddleware(key: key))
    }
    // TM Forum's Open APIs for the operator's own systems (TMF621 trouble tickets), behind the same key.
    let tmfAPI = settings.operatorKey.map { key in
        router.group("/tmf-api").add(middleware: OperatorKeyMiddleware(key: key))
    }
    let web = router.group("").add(middleware: WebLoginMiddleware())
    let routes = ModuleRoutes(
        api: router.group("/api/v1"), operatorAPI: operatorAPI, web: web, renderer: renderer, tmfAPI: tmfAPI)
    if let requests = settings.requests {
        RequestHistoryRoutes(registry: requests, renderer: renderer, regions: settings.regions).add(
            api: routes.api, web: web)
    }
    if let operatorAPI, let reload = settings.reloadRegions {
        operatorAPI.post("/regions/reload") { _, _ in
            let report = await reload()
            // A folder with problems is the operator's mistake to fix (422); nothing changed either way.
            return try Response.json(report, status: report.isSuccess ? .ok : .unprocessableContent)
        }
    }
    for module in modules {
        module.addRoutes(to: routes)
    }
    return router
}
