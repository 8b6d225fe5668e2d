public import Auth
public import CabinetCore
public import CabinetHTTP
public import Foundation
import HTTPTypes
public import Hummingbird

/// The HTTP face of Auth: the JSON API, the web pages, the operator's PUK provisioning and push answers.
public struct AuthHTTPModule: HTTPModule {
    let service: any AuthService
    let cookies: SessionCookies
    /// Where the cabinet is reachable from outside (`https://my.operator.example`), for social-login callbacks.
    let publicBaseURL: String

    public init(service: any AuthService, https: Bool, publicBaseURL: String) {
        self.service = service
        self.cookies = SessionCookies(https: https)
        self.publicBaseURL = publicBaseURL
    }

    public var moduleID: ModuleID { AuthModule.id }

    public var templateDirectories: [URL] {
        Bundle.module.url(forResource: "templates", withExtension: nil).map { [$0] } ?? []
    }

    public var navigation: [WebRenderer.NavigationItem] {
        [
            .init(path: "/login", titleKey: "web.nav.login", whenLoggedIn: false, order: 90),
            .init(path: "/profile", titleKey: "web.nav.profile", whenLoggedIn: true, order: 80, section: .profile),
            .init(path: "/security", titleKey: "web.nav.security", whenLoggedIn: true, order: 85, section: .profile),
        ]
    }

    /// The middleware that authenticates every request; the server adds it before any module's routes.
    public var middleware: AuthMiddleware { AuthMiddleware(service: service, cookies: cookies) }

    public func addMiddleware(to router: Router<CabinetRequestContext>) {
        router.add(middleware: middleware)
    }

    /// The profile, where a person lands when no module offers more (Billing's dashboard does).
    public var sessionHome: (path: String, rank: Int)? { ("/profile", 0) }

    public func addRoutes(to routes: ModuleRoutes) {
        AuthAPIRoutes(service: service, cookies: cookies).add(to: routes.api)
        let web = routes.web.add(middleware: LoginRedirectMiddleware())
        AuthWebRoutes(service: service, cookies: cookies, renderer: routes.renderer, publicBaseURL: publicBaseURL).add(
            to: web)
        guard let operatorAPI = routes.operatorAPI else { return }
        operatorAPI.put("auth/puk/:msisdn") { request, context in
            let body = try await request.decodeJSON(as: PUKProvisionBody.self, context: context)
            let raw = context.parameters.get("msisdn") ?? ""
            try await service.provisionPUK(body.puk, for: try parse(raw.removingPercentEncoding ?? raw))
            return Response(status: .noContent)
        }
        operatorAPI.post("auth/push/:id") { request, context in
            let body = try await request.decodeJSON(as: PushAnswerBody.self, context: context)
            try await service.resolvePush(id: context.parameters.get("id") ?? "", confirmed: body.confirmed)
            return Response(status: .noContent)
        }
    }
}

/// Turns "this page needs a login" into a redirect, for people (API clients get 401 problem details instead).
struct LoginRedirectMiddleware: RouterMiddleware {
    typealias Context = CabinetRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch is LoginRedirect {
            return .seeOther(to: "/login")
        } catch is PasswordRedirect {
            return .seeOther(to: "/password")
        } catch let error as CabinetError where error.code == AuthError.required && request.method == .get {
            return .seeOther(to: "/login")
        }
    }
}
