public import HTTPTypes
public import Hummingbird

/// Sends the request id back as `X-Request-Id` so a person reporting a problem can quote it and the operator
/// can find the request's log lines (`hb.request.id`).
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = CabinetRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xRequestID] = context.requestID
        return response
    }
}

extension HTTPField.Name {
    public static var xRequestID: Self { Self("X-Request-Id")! }
}
