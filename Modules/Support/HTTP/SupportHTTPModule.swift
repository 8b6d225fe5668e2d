public import CabinetCore
public import CabinetHTTP
public import Foundation
import HTTPTypes
import Hummingbird
public import Support

/// The HTTP face of Support: the subscriber's pages and API, the agents' console at `/agent`, the operator's agent
/// accounts and the TMF621 trouble tickets.
public struct SupportHTTPModule: HTTPModule {
    let service: any SupportService
    let desk: any AgentDesk
    let tickets: any TroubleTickets
    let regions: RegionCatalog
    let https: Bool
    /// How long one live-updates stream stays open before the browser reconnects.
    let liveWindow: Duration

    public init(
        service: any SupportService & AgentDesk & TroubleTickets, regions: RegionCatalog, https: Bool = false,
        liveWindow: Duration = .seconds(55)
    ) {
        self.service = service
        self.desk = service
        self.tickets = service
        self.regions = regions
        self.https = https
        self.liveWindow = liveWindow
    }

    public var moduleID: ModuleID { SupportModule.id }

    public var templateDirectories: [URL] {
        Bundle.module.url(forResource: "templates", withExtension: nil).map { [$0] } ?? []
    }

    public var navigation: [WebRenderer.NavigationItem] {
        [.init(path: "/support", titleKey: "web.nav.support", order: 80, section: .support)]
    }

    /// The pages' script: live messages on a ticket's page, article suggestions while a subject is typed. Served
    /// from this origin (the cabinet's policy allows no inline scripts).
    static let script: ByteBuffer? = Bundle.module.url(forResource: "scripts/support", withExtension: "js")
        .flatMap { try? Data(contentsOf: $0) }.map { ByteBuffer(bytes: $0) }

    public func addRoutes(to routes: ModuleRoutes) {
        let catalog = routes.renderer.catalog
        let api = SupportAPIRoutes(
            service: service, regions: regions, catalog: catalog, liveWindow: liveWindow, streams: LiveStreams())
        api.add(to: routes.api)
        SupportWebRoutes(service: service, regions: regions, renderer: routes.renderer, api: api).add(to: routes.web)
        AgentWebRoutes(desk: desk, service: service, regions: regions, renderer: routes.renderer, https: https).add(
            to: routes.web)
        SupportOperatorRoutes(desk: desk, tickets: tickets, service: service).add(
            operatorAPI: routes.operatorAPI, tmfAPI: routes.tmfAPI)
        routes.web.get("support/support.js") { _, _ in
            guard let script = Self.script else { throw CabinetError(KernelError.notFound) }
            var headers = HTTPFields()
            headers[.contentType] = "text/javascript; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: script))
        }
    }
}
