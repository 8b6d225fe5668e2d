import HTTPTypes
public import Hummingbird

/// Headers every response carries (ASVS V3.4): no sniffing, no framing, a strict content security policy,
/// no referrer leaks, and no caching of dynamic content that may hold personal data.
public struct SecurityHeadersMiddleware: RouterMiddleware {
    public typealias Context = CabinetRequestContext
    private let hsts: Bool

    /// - Parameter hsts: send `Strict-Transport-Security` (only when served over HTTPS).
    public init(hsts: Bool) {
        self.hsts = hsts
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        response.headers[.referrerPolicy] = "same-origin"
        if hsts { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        if response.headers[.cacheControl] == nil, !request.uri.path.hasPrefix("/static/") {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

extension HTTPField.Name {
    static var xContentTypeOptions: Self { Self("X-Content-Type-Options")! }
    static var referrerPolicy: Self { Self("Referrer-Policy")! }
}
