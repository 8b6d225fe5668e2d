public import Auth
import CabinetCore
public import CabinetHTTP
import Foundation
import HTTPTypes
public import Hummingbird
import Logging

/// Finds the session of every request (cookie for the web, `Authorization: Bearer` for API clients) and puts it and
/// the acting line into the context. A request without a valid session simply has none; routes that need one say so.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = CabinetRequestContext
    let service: any AuthService
    let cookies: SessionCookies

    public init(service: any AuthService, cookies: SessionCookies) {
        self.service = service
        self.cookies = cookies
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // The session's read brings its lines' stamps (on PostgreSQL), which let this node's cached line rows answer
        // the rest of the request (LineStampedCache).
        let stamps = LineStamps()
        // A task the request started and left running inherits the box: it vouches for nothing once the request ends.
        defer { stamps.forgetAll() }
        return try await LineStamps.$current.withValue(stamps) {
            try await authenticated(request, context: context, next: next)
        }
    }

    private func authenticated(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let cookie = request.cookies[cookies.sessionName]?.value
        // The operator API has its own key in the same header; it is not a session.
        guard !request.uri.path.hasPrefix("/operator/"), let token = bearer ?? cookie else {
            return try await next(request, context)
        }
        guard let authenticated = try await service.authenticate(token: token) else {
            var response = try await next(request, context)
            if cookie != nil, bearer == nil {
                // The session ended (timeout, logout elsewhere): drop the dead cookie.
                response.headers.append(HTTPField(name: .setCookie, value: cookies.expired()))
            }
            return response
        }
        if bearer == nil, Self.isCrossSiteAPIWrite(request) {
            // A cookie rides along with any site's request: an API write authenticated by it must come from this site.
            throw CabinetError(KernelError.csrf)
        }
        context.session = authenticated.session.info
        context.line = authenticated.line
        context.logger[metadataKey: "cabinet.session"] = "\(authenticated.session.id.prefix(8))"
        return try await next(request, context)
    }
}

extension AuthMiddleware {
    /// A state-changing API call that does not show it comes from this site: no `X-Requested-With` header (a page's
    /// script adds one; a cross-site form cannot) and no `Origin` of this host. The web pages' forms go to the web
    /// routes, which check their own anti-forgery token.
    static func isCrossSiteAPIWrite(_ request: Request) -> Bool {
        guard request.uri.path.hasPrefix("/api/"), ![.get, .head, .options].contains(request.method) else {
            return false
        }
        if request.headers[HTTPField.Name("X-Requested-With")!] != nil { return false }
        guard let origin = request.headers[.origin], let host = request.head.authority else {
            return true
        }
        return URL(string: origin)?.host.map { host == $0 || host.hasPrefix($0 + ":") } != true
    }
}

/// Names and attributes of Cabinet's cookies: `__Host-` prefix, `Secure` and HSTS-friendly when served over HTTPS;
/// always `HttpOnly` and `SameSite=Lax`; no expiry on the session cookie (the server decides when a session ends).
public struct SessionCookies: Sendable {
    public let https: Bool

    public init(https: Bool) {
        self.https = https
    }

    public var sessionName: String { https ? "__Host-cabinet_session" : "cabinet_session" }
    public var deviceName: String { https ? "__Host-cabinet_device" : "cabinet_device" }
    public var csrfName: String { https ? "__Host-cabinet_csrf" : "cabinet_csrf" }
    /// The nonce that binds a social login's `state` to the browser that started it.
    public var socialName: String { https ? "__Host-cabinet_social" : "cabinet_social" }

    private var attributes: String {
        https ? "; Path=/; HttpOnly; SameSite=Lax; Secure" : "; Path=/; HttpOnly; SameSite=Lax"
    }

    public func session(_ token: String) -> String { "\(sessionName)=\(token)\(attributes)" }
    public func expired() -> String { "\(sessionName)=\(attributes); Max-Age=0" }
    public func device(_ id: String) -> String { "\(deviceName)=\(id)\(attributes); Max-Age=31536000" }
    public func csrf(_ token: String) -> String { "\(csrfName)=\(token)\(attributes); Max-Age=3600" }
    public func social(_ nonce: String) -> String { "\(socialName)=\(nonce)\(attributes); Max-Age=600" }
    public func socialExpired() -> String { "\(socialName)=\(attributes); Max-Age=0" }
}
