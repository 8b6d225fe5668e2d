public import CabinetCore
public import CabinetHTTP
public import Foundation
public import HTTPTypes
import Hummingbird
public import Payments

/// The HTTP face of Payments: the API, the pages, the gateways' webhooks and the sandbox gateway's hosted page.
public struct PaymentsHTTPModule: HTTPModule {
    /// The header gateways sign webhooks in (`sha256=<hex>` HMAC of the body).
    public static let signatureHeader = HTTPField.Name("X-Signature")!

    let service: any PaymentsService
    let sandbox: SandboxGateway?
    let idempotency: IdempotentRequests
    let publicBaseURL: String
    let clock: any WallClock

    /// - Parameters:
    ///   - sandbox: serves its hosted page when given (the embedded default gateway).
    ///   - publicBaseURL: how payers reach the cabinet (gateways send them back there).
    public init(
        service: any PaymentsService, sandbox: SandboxGateway?, idempotency: IdempotentRequests, publicBaseURL: String,
        clock: any WallClock
    ) {
        self.service = service
        self.sandbox = sandbox
        self.idempotency = idempotency
        self.publicBaseURL = publicBaseURL
        self.clock = clock
    }

    public var moduleID: ModuleID { PaymentsModule.id }

    public var templateDirectories: [URL] {
        Bundle.module.url(forResource: "templates", withExtension: nil).map { [$0] } ?? []
    }

    public var navigation: [WebRenderer.NavigationItem] {
        [
            .init(path: "/payments", titleKey: "web.nav.payments", whenLoggedIn: true, order: 20, section: .money),
            .init(
                path: "/promised-payment", titleKey: "web.nav.promised", whenLoggedIn: true, order: 25, section: .money),
            .init(path: "/transfers", titleKey: "web.nav.transfers", whenLoggedIn: true, order: 26, section: .money),
            .init(path: "/autopay", titleKey: "web.nav.autopay", whenLoggedIn: true, order: 27, section: .money),
            .init(path: "/pay", titleKey: "web.nav.pay", whenLoggedIn: false, order: 20),
        ]
    }

    public func addRoutes(to routes: ModuleRoutes) {
        let api = PaymentsAPIRoutes(
            service: service, idempotency: idempotency, catalog: routes.renderer.catalog, publicBaseURL: publicBaseURL)
        api.add(to: routes.api)
        PaymentsWebRoutes(service: service, renderer: routes.renderer, api: api).add(to: routes.web)
        TransferRoutes(service: service, idempotency: idempotency, renderer: routes.renderer, api: api).add(
            api: routes.api, web: routes.web)
        AutopayRoutes(service: service, renderer: routes.renderer, api: api).add(api: routes.api, web: routes.web)
        if let sandbox {
            SandboxPageRoutes(sandbox: sandbox, service: service, renderer: routes.renderer, clock: clock).add(
                to: routes.web)
        }
    }
}
