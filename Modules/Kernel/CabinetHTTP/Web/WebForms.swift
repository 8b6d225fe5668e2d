public import CabinetCore
public import Hummingbird

/// Helpers every module's web pages share: turning errors into words and running a form action.
public enum WebForms {
    /// The name of the pre-login anti-forgery cookie (Auth sets it on its login pages).
    public static let forgeryCookie = "cabinet_csrf"

    /// A refusal in the reader's words; validation problems listed field by field.
    public static func explain(_ error: CabinetError, catalog: MessageCatalog, language: Language) -> String {
        guard !error.fieldErrors.isEmpty, error.code == "request.invalid" else {
            return catalog.message(for: error, in: language)
        }
        return error.fieldErrors.map { catalog.message(for: $0, in: language) }.joined(separator: " ")
    }

    /// Runs a form post: reads the fields, checks the anti-forgery token, runs `body`; a refusal re-renders the page
    /// with the reason (and the error's status) instead of an error page, so the person can correct and resend.
    public static func action(
        _ request: Request, _ context: CabinetRequestContext, catalog: MessageCatalog,
        page: (_ error: String) async throws -> Response, _ body: ([String: String]) async throws -> Response
    ) async throws -> Response {
        let fields = try await request.formFields()
        try request.checkForgeryToken(fields, context: context, cookieName: forgeryCookie)
        do {
            return try await body(fields)
        } catch let error as CabinetError where error.kind != .unauthenticated && error.kind != .internal {
            var response = try await page(explain(error, catalog: catalog, language: context.language))
            response.status = error.kind.httpStatus
            return response
        }
    }
}

/// Sends a person without a session to the login page instead of showing a 401 page (API clients keep their 401).
public struct WebLoginMiddleware: RouterMiddleware {
    public typealias Context = CabinetRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as CabinetError where request.method == .get {
            switch error.code {
            case "auth.required": return .seeOther(to: "/login")
            case "auth.passwordRequired": return .seeOther(to: "/password")
            default: throw error
            }
        }
    }
}
