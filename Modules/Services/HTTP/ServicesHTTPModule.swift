public import CabinetCore
public import CabinetHTTP
public import Foundation
import Hummingbird
public import Services

/// The HTTP face of Services: the options catalogue, preview, connect and disconnect (API and pages).
public struct ServicesHTTPModule: HTTPModule {
    let service: any ServicesService
    /// `Idempotency-Key` on connecting (it may charge) and disconnecting.
    let idempotency: IdempotentRequests

    public init(service: any ServicesService, idempotency: IdempotentRequests) {
        self.service = service
        self.idempotency = idempotency
    }

    public var moduleID: ModuleID { ServicesModule.id }

    public var templateDirectories: [URL] {
        Bundle.module.url(forResource: "templates", withExtension: nil).map { [$0] } ?? []
    }

    public var navigation: [WebRenderer.NavigationItem] {
        [
            .init(path: "/services", titleKey: "web.nav.services", whenLoggedIn: true, order: 25, section: .plan),
            .init(path: "/blacklist", titleKey: "web.nav.blackList", whenLoggedIn: true, order: 26, section: .plan),
        ]
    }

    public func addRoutes(to routes: ModuleRoutes) {
        let api = ServicesAPIRoutes(service: service, idempotency: idempotency, catalog: routes.renderer.catalog)
        api.add(to: routes.api)
        if let operatorAPI = routes.operatorAPI { api.add(operatorAPI: operatorAPI) }
        ServicesWebRoutes(service: service, renderer: routes.renderer).add(to: routes.web)
        BlackListRoutes(service: service, idempotency: idempotency, renderer: routes.renderer).add(
            api: routes.api, operatorAPI: routes.operatorAPI, web: routes.web)
        DeviceSettingsRoutes(service: service, idempotency: idempotency, renderer: routes.renderer).add(
            api: routes.api, web: routes.web)
        RoamingRoutes(service: service, renderer: routes.renderer).add(api: routes.api, web: routes.web)
        SIMBlockRoutes(service: service, idempotency: idempotency, renderer: routes.renderer).add(
            api: routes.api, operatorAPI: routes.operatorAPI, web: routes.web)
        SuspensionRoutes(service: service, idempotency: idempotency, renderer: routes.renderer).add(
            api: routes.api, web: routes.web)
    }
}
