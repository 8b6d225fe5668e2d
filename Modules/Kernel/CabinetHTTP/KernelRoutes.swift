public import CabinetCore
import Foundation
import HTTPTypes
public import Hummingbird
import Logging

/// Routes of the web shell that belong to no module: start page, language switch, health and metrics.
public struct KernelRoutes: Sendable {
    private let renderer: WebRenderer
    private let regions: RegionCatalog
    private let metrics: HTTPMetrics
    private let health: @Sendable () async throws -> Void
    private let collectGauges: @Sendable () async -> Void
    private let homeForSession: String?
    private let version: String

    /// - Parameters:
    ///   - homeForSession: where `/` sends a logged-in person (the dashboard); `nil` shows the start page to everyone.
    ///   - health: throws when a dependency (the database) does not answer.
    ///   - collectGauges: refreshes gauges (DB pool) just before `/metrics` is rendered.
    public init(
        renderer: WebRenderer, regions: RegionCatalog, metrics: HTTPMetrics, homeForSession: String? = nil,
        version: String = "",
        health: @escaping @Sendable () async throws -> Void,
        collectGauges: @escaping @Sendable () async -> Void
    ) {
        self.homeForSession = homeForSession
        self.version = version
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
        router.get("/metrics") { _, _ in
            await collectGauges()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
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
        // Only same-site relative paths: an open redirect would help phishing.
        var back = request.uri.queryParameters.get("back") ?? "/"
        if !back.hasPrefix("/") || back.hasPrefix("//") || back.contains("\\") { back = "/" }
        var headers = HTTPFields()
        headers[.location] = back
        headers[.setCookie] =
            "\(LanguageMiddleware.cookieName)=\(language.rawValue); Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
        return Response(status: .seeOther, headers: headers)
    }

    private func checkHealth(_ context: CabinetRequestContext) async throws -> Response {
        struct Health: Encodable {
            var status: String
            var database: String
        }
        do {
            try await health()
            return try Response.json(Health(status: "ok", database: "ok"))
        } catch {
            context.logger.error("health check failed", metadata: ["error": "\(error)"])
            return try Response.json(
                Health(status: "unavailable", database: "unavailable"), status: .serviceUnavailable)
        }
    }
}
