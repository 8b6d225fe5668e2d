import CabinetCore
import HTTPTypes
public import Hummingbird
import Logging

/// Guards `/operator/v1/…`: `Authorization: Bearer <operator key>`, compared in constant time.
public struct OperatorKeyMiddleware: RouterMiddleware {
    public typealias Context = CabinetRequestContext
    private let key: String

    public init(key: String) {
        self.key = key
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        let presented = header.hasPrefix("Bearer ") ? String(header.dropFirst("Bearer ".count)) : ""
        guard !presented.isEmpty, ConstantTime.equals(presented, key) else {
            context.logger.warning(
                "operator API refused", metadata: ["cabinet.client": "\(context.clientAddress ?? "-")"])
            throw CabinetError(KernelError.operatorUnauthorized)
        }
        return try await next(request, context)
    }
}
