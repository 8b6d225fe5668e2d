import CabinetCore
import HTTPTypes
public import Hummingbird

/// Picks the language of a request: `?lang=`, then the `lang` cookie the web switch sets, then `Accept-Language`.
public struct LanguageMiddleware: RouterMiddleware {
    public typealias Context = CabinetRequestContext
    public static let cookieName = "lang"

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let query = request.uri.queryParameters.get("lang").flatMap(Language.init(rawValue:)) {
            context.language = query
        } else if let cookie = request.cookies[Self.cookieName]?.value, let language = Language(rawValue: cookie) {
            context.language = language
        } else {
            context.language = Language.negotiate(acceptLanguage: request.headers[.acceptLanguage])
        }
        var response = try await next(request, context)
        response.headers[.contentLanguage] = context.language.rawValue
        return response
    }
}
