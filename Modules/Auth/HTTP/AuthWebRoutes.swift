import Auth
import CabinetCore
import CabinetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Subscribers

/// The web pages of Auth: login (code, password, PUK, "confirm on the phone", social), recovery, the first
/// password after a PUK login, profile and security. Plain HTML forms; every POST carries an anti-forgery token.
struct AuthWebRoutes {
    let service: any AuthService
    let cookies: SessionCookies
    let renderer: WebRenderer
    let publicBaseURL: String

    var catalog: MessageCatalog { renderer.catalog }

    func add(to web: RouterGroup<CabinetRequestContext>) {
        web.get("login") { request, context in try page(request, context, "login", [:]) }
        web.post("login") { request, context in try await sendLoginCode(request, context) }
        web.post("login/code") { request, context in try await loginWithCode(request, context) }
        web.get("login/password") { request, context in try page(request, context, "login-password", [:]) }
        web.post("login/password") { request, context in
            try await form(request, context, template: "login-password") { fields in
                let result = try await service.login(
                    msisdn: try parse(fields["msisdn"] ?? ""), password: fields["password"] ?? "",
                    kind: .web, client: client(request, context))
                return loggedIn(result, request: request)
            }
        }
        web.get("login/puk") { request, context in try page(request, context, "login-puk", [:]) }
        web.post("login/puk") { request, context in
            try await form(request, context, template: "login-puk") { fields in
                let result = try await service.login(
                    msisdn: try parse(fields["msisdn"] ?? ""), puk: fields["puk"] ?? "", kind: .web,
                    client: client(request, context))
                return loggedIn(result, request: request)
            }
        }
        web.get("login/push") { request, context in try page(request, context, "login-push", [:]) }
        web.post("login/push") { request, context in
            try await form(request, context, template: "login-push") { fields in
                let msisdn = try parse(fields["msisdn"] ?? "")
                let started = try await service.startPushLogin(for: msisdn, client: client(request, context))
                return .seeOther(
                    to:
                        "/login/push/\(started.id)?msisdn=\(msisdn.e164.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                )
            }
        }
        web.get("login/push/:id") { request, context in
            let msisdn = request.uri.queryParameters.get("msisdn").flatMap { try? MSISDN(parsing: $0) }
            switch try await service.pollPushLogin(
                id: context.parameters.get("id") ?? "", kind: .web, client: client(request, context))
            {
            case .pending:
                let text = catalog.text(
                    "web.login.pushWaiting", in: context.language, arguments: ["msisdn": msisdn?.formatted ?? ""])
                return try page(request, context, "login-push", ["waiting": true, "waitingText": text])
            case .loggedIn(let result):
                return loggedIn(result, request: request)
            case .declined, .expired:
                return try page(
                    request, context, "login-push",
                    ["error": catalog.text("web.login.pushExpired", in: context.language)])
            }
        }
        web.get("login/reset") { request, context in try page(request, context, "reset", [:]) }
        web.post("login/reset") { request, context in
            try await form(request, context, template: "reset") { fields in
                let msisdn = try parse(fields["msisdn"] ?? "")
                _ = try await service.requestPasswordReset(for: msisdn, client: client(request, context))
                return try page(
                    request, context, "reset",
                    [
                        "codeStep": true, "msisdn": msisdn.e164,
                        "sentText": catalog.text(
                            "web.login.codeSent", in: context.language, arguments: ["msisdn": msisdn.formatted]),
                    ])
            }
        }
        web.post("login/reset/confirm") { request, context in
            try await form(request, context, template: "reset", keep: ["codeStep": true]) { fields in
                let result = try await service.resetPassword(
                    msisdn: try parse(fields["msisdn"] ?? ""), code: fields["code"] ?? "",
                    newPassword: fields["password"] ?? "", kind: .web,
                    client: client(request, context))
                return loggedIn(result, request: request)
            }
        }
        web.post("logout") { request, context -> Response in
            let fields = try await request.formFields()
            try request.checkForgeryToken(fields, context: context, cookieName: cookies.csrfName)
            if context.session != nil {
                try await service.logout(try await AuthRouting.session(context, service: service))
            }
            return .seeOther(to: "/", cookies: [cookies.expired()])
        }
        web.get("password") { request, context in
            _ = try context.requireSession()
            return try page(request, context, "set-password", [:])
        }
        web.post("password") { request, context in
            try await form(request, context, template: "set-password") { fields in
                let session = try await AuthRouting.session(context, service: service)
                // Rotate the session as it is after the change: rotating the one from before would write its
                // "password required" back.
                let updated = try await service.setPassword(
                    fields["password"] ?? "", session: session,
                    proof: session.passwordRequired ? .pukLogin : .recentCode, client: client(request, context))
                let (token, _) = try await service.rotate(updated)
                return .seeOther(to: "/security?done=passwordChanged", cookies: [cookies.session(token)])
            }
        }
        AuthAccountPages(service: service, cookies: cookies, renderer: renderer, publicBaseURL: publicBaseURL).add(
            to: web)
    }

    // MARK: Login by code

    func sendLoginCode(_ request: Request, _ context: CabinetRequestContext) async throws -> Response {
        try await form(request, context, template: "login") { fields in
            let msisdn = try parse(fields["msisdn"] ?? "")
            let sent = try await service.requestLoginCode(for: msisdn, client: client(request, context))
            return try codePage(request, context, msisdn: msisdn, resendAt: sent.resendAt)
        }
    }

    func loginWithCode(_ request: Request, _ context: CabinetRequestContext) async throws -> Response {
        let fields = try await request.formFields()
        try request.checkForgeryToken(fields, context: context, cookieName: cookies.csrfName)
        let msisdn = try parse(fields["msisdn"] ?? "")
        do {
            let result = try await service.login(
                msisdn: msisdn, code: fields["code"] ?? "", kind: .web, client: client(request, context))
            return loggedIn(result, request: request)
        } catch let error as CabinetError {
            var response = try codePage(
                request, context, msisdn: msisdn, resendAt: nil,
                error: catalog.message(for: error, in: context.language))
            response.status = error.kind.httpStatus
            return response
        }
    }

    func codePage(
        _ request: Request, _ context: CabinetRequestContext, msisdn: MSISDN, resendAt: Date?, error: String? = nil
    )
        throws -> Response
    {
        let wait = max(0, Int((resendAt ?? service.now).timeIntervalSince(service.now).rounded(.up)))
        var data: [String: Any] = [
            "codeStep": true, "msisdn": msisdn.e164,
            "sentText": catalog.text(
                "web.login.codeSent", in: context.language, arguments: ["msisdn": msisdn.formatted]),
            "resendAt": resendAt.map { String(Int($0.timeIntervalSince1970)) } ?? "",
            "resendText": wait > 0
                ? catalog.text("web.login.resendIn", in: context.language, arguments: ["seconds": String(wait)]) : "",
        ]
        if let error { data["error"] = error }
        return try page(request, context, "login", data)
    }

    // MARK: Plumbing

    /// Sets the session cookie (and a device cookie the first time) and goes on: to the password page after a PUK
    /// login, home otherwise.
    func loggedIn(_ result: LoginResult, request: Request) -> Response {
        var set = [cookies.session(result.token)]
        if let device = AuthRouting.deviceCookie(request, result, cookies: cookies) { set.append(device) }
        return .seeOther(to: result.passwordRequired ? "/password" : "/", cookies: set)
    }

    /// Handles a form POST: checks the anti-forgery token, runs `body`, and on a refusal re-renders `template`
    /// with the message and what the person typed (never the secrets).
    func form(
        _ request: Request, _ context: CabinetRequestContext, template: String, keep: [String: Any] = [:],
        _ body: ([String: String]) async throws -> Response
    ) async throws -> Response {
        let fields = try await request.formFields()
        try request.checkForgeryToken(fields, context: context, cookieName: cookies.csrfName)
        do {
            return try await body(fields)
        } catch let error as CabinetError {
            var data = keep
            data["msisdn"] = fields["msisdn"] ?? ""
            data["error"] = AuthPages.explain(error, catalog: catalog, language: context.language)
            var response = try page(request, context, template, data)
            response.status = error.kind.httpStatus
            if let retry = error.retryAfterSeconds { response.headers[.retryAfter] = String(retry) }
            return response
        }
    }

    /// Renders a page; before login it also sets the anti-forgery cookie its forms echo back.
    func page(_ request: Request, _ context: CabinetRequestContext, _ template: String, _ data: [String: Any]) throws
        -> Response
    {
        var data = data
        var setCookie: String?
        if let session = context.session {
            data["csrf"] = session.csrfToken
        } else if let existing = request.cookies[cookies.csrfName]?.value {
            data["csrf"] = existing
        } else {
            let token = SecureRandom.token(bytes: 24)
            data["csrf"] = token
            setCookie = cookies.csrf(token)
        }
        data["providers"] = service.identityProviders.map {
            [
                "id": $0.id,
                "label": catalog.text(
                    "web.login.bySocial", in: context.language, arguments: ["provider": $0.displayName]),
            ]
        }
        let title = catalog.text(AuthPages.titles[template] ?? "web.login.title", in: context.language)
        var response = renderer.render(template, title: title, context: context, data: data, path: "/" + template)
        if let setCookie { response.headers.append(HTTPField(name: .setCookie, value: setCookie)) }
        return response
    }

    func client(_ request: Request, _ context: CabinetRequestContext) -> ClientInfo {
        AuthRouting.client(request, context, cookies: cookies, issueDevice: true)
    }
}

enum AuthPages {
    static let titles = [
        "login": "web.login.title", "login-password": "web.login.byPassword", "login-puk": "web.login.byPUK",
        "login-push": "web.login.byPush", "reset": "web.reset.title", "set-password": "web.password.title",
        "profile": "web.profile.title", "security": "web.security.title",
    ]

    /// A refusal in words; field problems listed when there are some.
    static func explain(_ error: CabinetError, catalog: MessageCatalog, language: Language) -> String {
        guard !error.fieldErrors.isEmpty, error.code == "request.invalid" else {
            return catalog.message(for: error, in: language)
        }
        return error.fieldErrors.map { catalog.message(for: $0, in: language) }.joined(separator: " ")
    }
}
