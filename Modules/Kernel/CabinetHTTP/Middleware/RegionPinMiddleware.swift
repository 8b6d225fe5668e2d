public import CabinetCore
public import Hummingbird
import Logging

/// Runs each request on the region files' version that was in service when it arrived: a reload meanwhile does not
/// change what the request sees. The version goes into every log line of the request (`regions`).
public struct RegionPinMiddleware: RouterMiddleware {
    public typealias Context = CabinetRequestContext

    let regions: RegionCatalog

    public init(regions: RegionCatalog) {
        self.regions = regions
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await regions.pinned {
            var context = context
            context.logger[metadataKey: "regions"] = .string(regions.version)
            return try await next(request, context)
        }
    }
}
