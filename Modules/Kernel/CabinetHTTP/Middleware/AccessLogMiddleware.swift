import HTTPTypes
public import Hummingbird
import Logging

/// One structured log line and one metrics sample per request: method, route template, status, duration.
///
/// A matched request is logged by its route template (`/api/v1/auth/push/{id}`), never its path: some ids in paths
/// are capabilities (a push confirmation, a payment's status page) that anyone reading the logs could use.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = CabinetRequestContext
    private let metrics: HTTPMetrics

    public init(metrics: HTTPMetrics) {
        self.metrics = metrics
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            // The error middleware sits inside this one; anything reaching here is a framework failure.
            record(request, context: context, status: 500, start: start)
            throw error
        }
        record(request, context: context, status: response.status.code, start: start)
        return response
    }

    /// The route template of a matched request; the path of one that matched nothing (Hummingbird names those
    /// `NotFound`), which holds no capability of ours and shows what was tried.
    static func shown(_ request: Request, _ context: Context) -> String {
        guard let template = context.endpointPath, template != "NotFound" else { return request.uri.path }
        return template
    }

    private func record(_ request: Request, context: Context, status: Int, start: ContinuousClock.Instant) {
        let duration = ContinuousClock.now - start
        let route = context.endpointPath ?? (request.uri.path.hasPrefix("/static/") ? "/static" : "unmatched")
        metrics.recordRequest(method: request.method.rawValue, route: route, status: status, duration: duration)
        let level: Logger.Level =
            status >= 500 ? .error : (request.uri.path == "/health" || request.uri.path == "/metrics" ? .debug : .info)
        context.logger.log(
            level: level, "\(request.method.rawValue) \(Self.shown(request, context)) \(status)",
            metadata: [
                "http.method": "\(request.method.rawValue)", "http.route": "\(route)", "http.status": "\(status)",
                "http.duration_ms":
                    "\(Double(duration.components.attoseconds / 1_000_000_000_000) / 1000 + Double(duration.components.seconds) * 1000)",
                "cabinet.client": "\(context.clientAddress ?? "-")",
            ])
    }
}
