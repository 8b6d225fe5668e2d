public import CabinetCore
import Foundation
import HTTPTypes
public import Hummingbird
import Logging

/// Who may read `/metrics`.
public enum MetricsAccess: Sendable, Hashable {
    /// Anyone (a separate network or a proxy keeps it private).
    case `public`
    /// `Authorization: Bearer <key>` (the operator key).
    case key(String)
    /// Not served.
    case off
}

/// Routes of the web shell that belong to no module: start page, language switch, health and metrics.
public struct KernelRoutes: Sendable {
    private let renderer: WebRenderer
    private let regions: RegionCatalog
    private let metrics: HTTPMetrics
    private let health: @Sendable () async throws -> Void
    private let collectGauges: @Sendable () async -> Void
    private let homeForSession: String?
    private let version: String
    private let metricsAccess: MetricsAccess

    /// - Parameters:
    ///   - homeForSession: where `/` sends a logged-in person (the dashboard); `nil` shows the start page to everyone.
    ///   - health: throws when a dependency (the database) does not answer.
    ///   - collectGauges: refreshes gauges (DB pool) just before `/metrics` is rendered.
    ///   - metricsAccess: who may read `/metrics`.
    public init(
        renderer: WebRenderer, regions: RegionCatalog, metrics: HTTPMetrics, homeForSession: String? = nil,
        version: String = "", metricsAccess: MetricsAccess = .public,
        health: @escaping @Sendable () async throws -> Void,
        collectGauges: @escaping @Sendable () async -> Void
    ) {
        self.homeForSession = homeForSession
        self.version = version
        self.metricsAccess = metricsAccess
        self.renderer = renderer
        self.regions = regions
        self.metrics = metrics
        self.health = health
        self.collectGauges = collectGauges
    }

    public func add(to router: Router<CabinetRequestContext>) {
        router.get("/") { _, context in home(context) }
        router.get("/lang/:code") { request, context in try switchLanguage(request, context) }
        router.get("/health") { _, context in try await checkHealth(context) }
        // No database, no session: what a load balancer (and the HTTP benchmark's baseline) asks.
        router.get("/version") { _, _ in
            struct Version: Encodable { var name: String; var version: String }
            return try Response.json(Version(name: "cabinet", version: version))
        }
        // Metrics tell who uses what and how much: behind the operator key unless the operator makes them public.
        let serveMetrics: @Sendable (Request, CabinetRequestContext) async throws -> Response = { _, _ in
            await collectGauges()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        switch metricsAccess {
        case .public: router.get("/metrics", use: serveMetrics)
        case .key(let key):
            router.group("/metrics").add(middleware: OperatorKeyMiddleware(key: key)).get(use: serveMetrics)
        case .off: break
        }
    }

    private func home(_ context: CabinetRequestContext) -> Response {
        if let homeForSession, context.session != nil, context.session?.passwordChangeRequired == false {
            return .seeOther(to: homeForSession)
        }
        let language = context.language
        let regionRows: [[String: Any]] = regions.regions.map { region in
            [
                "id": region.id.rawValue, "name": region.name.text(in: language), "currency": region.currency.code,
                "timeZone": region.timeZone.identifier,
            ]
        }
        return renderer.render(
            "home", title: renderer.catalog.text("web.home.title", in: language), context: context,
            data: ["regions": regionRows], path: "/")
    }

    private func switchLanguage(_ request: Request, _ context: CabinetRequestContext) throws -> Response {
        guard let language = context.parameters.get("code").flatMap(Language.init(rawValue:)) else {
            throw CabinetError(KernelError.notFound)
        }
        var headers = HTTPFields()
        headers[.location] = Self.localPath(request.uri.queryParameters.get("back").map { String($0) }) ?? "/"
        headers[.setCookie] =
            "\(LanguageMiddleware.cookieName)=\(language.rawValue); Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
        return Response(status: .seeOther, headers: headers)
    }

    /// `path` when it is a path on this site, `nil` otherwise: an open redirect would help phishing. Browsers drop tabs
    /// and line breaks from URLs and read `\\` as `/`, so `/\t/evil.example` would leave the site: only printable ASCII
    /// without a backslash, starting with one `/`.
    static func localPath(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"),
            path.unicodeScalars.allSatisfy({ (0x21..<0x7F).contains($0.value) && $0 != "\\" })
        else { return nil }
        return path
    }

    private func checkHealth(_ context: CabinetRequestContext) async throws -> Response {
        struct Health: Encodable {
            var status: String
            var database: String
            /// The region files' version in service: nodes that answer the same id serve the same folder.
            var regions: String
        }
        do {
            try await health()
            return try Response.json(Health(status: "ok", database: "ok", regions: regions.version))
        } catch {
            context.logger.error("health check failed", metadata: ["error": "\(error)"])
            return try Response.json(
                Health(status: "unavailable", database: "unavailable", regions: regions.version),
                status: .serviceUnavailable)
        }
    }
}
