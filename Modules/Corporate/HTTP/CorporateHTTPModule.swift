public import CabinetCore
public import CabinetHTTP
public import Corporate
public import Foundation

/// The HTTP face of Corporate: the business cabinet's API and pages, and the operator's applications.
public struct CorporateHTTPModule: HTTPModule {
    let service: any CorporateService
    let finance: any CompanyFinanceService
    let regions: RegionCatalog
    let idempotency: IdempotentRequests
    /// How admins reach the cabinet: the card gateway sends them back there.
    let publicBaseURL: String

    public init(
        service: any CorporateService, finance: any CompanyFinanceService, regions: RegionCatalog,
        idempotency: IdempotentRequests, publicBaseURL: String = ""
    ) {
        self.publicBaseURL = publicBaseURL
        self.service = service
        self.finance = finance
        self.regions = regions
        self.idempotency = idempotency
    }

    public var moduleID: ModuleID { CorporateModule.id }

    public var templateDirectories: [URL] {
        Bundle.module.url(forResource: "templates", withExtension: nil).map { [$0] } ?? []
    }

    public var navigation: [WebRenderer.NavigationItem] {
        [.init(path: "/business", titleKey: "web.nav.business", whenLoggedIn: true, order: 95, section: .profile)]
    }

    public func addRoutes(to routes: ModuleRoutes) {
        CorporateAPIRoutes(service: service, regions: regions, idempotency: idempotency).add(to: routes.api)
        CorporateWebRoutes(service: service, regions: regions, renderer: routes.renderer).add(to: routes.web)
        BulkRoutes(service: service, regions: regions, renderer: routes.renderer, idempotency: idempotency).add(
            api: routes.api, web: routes.web)
        ReportRoutes(service: service, regions: regions, renderer: routes.renderer).add(
            api: routes.api, web: routes.web)
        FinanceRoutes(
            service: service, finance: finance, regions: regions, renderer: routes.renderer, idempotency: idempotency,
            publicBaseURL: publicBaseURL
        ).add(api: routes.api, web: routes.web)
        if let operatorAPI = routes.operatorAPI {
            CorporateOperatorRoutes(service: service, finance: finance, regions: regions).add(to: operatorAPI)
        }
    }
}
