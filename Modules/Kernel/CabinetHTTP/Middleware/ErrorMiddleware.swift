public import CabinetCore
public import Foundation
import HTTPTypes
public import Hummingbird
import Logging

/// Turns every error into a response a client can act on: `application/problem+json` with a stable `code` for
/// the API and the operator API, an HTML error page for the web. Unknown errors become a bare 500 whose details
/// go only to the log, under the request id.
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = CabinetRequestContext
    private let catalog: MessageCatalog
    private let renderer: WebRenderer?

    public init(catalog: MessageCatalog, renderer: WebRenderer?) {
        self.catalog = catalog
        self.renderer = renderer
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let cabinetError = Self.classify(error)
            if cabinetError.kind == .internal {
                context.logger.error(
                    "request failed", metadata: ["error": "\(error)", "http.path": "\(request.uri.path)"])
            } else {
                context.logger.debug("request refused", metadata: ["cabinet.error": "\(cabinetError.code)"])
            }
            return respond(to: request, context: context, error: cabinetError)
        }
    }

    func respond(to request: Request, context: Context, error: CabinetError) -> Response {
        let status = error.kind.httpStatus
        var headers = HTTPFields()
        if let retry = error.retryAfterSeconds { headers[.retryAfter] = String(retry) }
        if status == .unauthorized, request.uri.path.hasPrefix("/operator/") {
            headers[.wwwAuthenticate] = "Bearer realm=\"cabinet-operator\""
        }
        if let renderer, Self.wantsHTML(request) {
            let message = catalog.message(for: error, in: context.language)
            var response = renderer.render(
                "error", title: catalog.text("problem.\(error.kind.rawValue)", in: context.language),
                context: context,
                data: ["status": status.code, "message": message, "requestId": context.requestID], status: status)
            for field in headers { response.headers.append(field) }
            return response
        }
        let problem = ProblemDetails(
            error: error, status: status, language: context.language, catalog: catalog, instance: request.uri.path,
            requestID: context.requestID)
        headers[.contentType] = "application/problem+json; charset=utf-8"
        let data = (try? JSONEncoder.cabinet.encode(problem)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Maps anything thrown to a ``CabinetError``.
    public static func classify(_ error: any Error) -> CabinetError {
        switch error {
        case let error as CabinetError:
            return error
        case let error as MSISDNError:
            return error.cabinetError()
        case let error as HTTPError:
            return classify(httpError: error)
        case let error as any HTTPResponseError:
            return classify(status: error.status, reason: "\(error)")
        case let error as DecodingError:
            return CabinetError(KernelError.malformedBody, arguments: ["reason": describe(error)])
        default:
            return .internal("\(error)")
        }
    }

    static func classify(httpError: HTTPError) -> CabinetError {
        classify(status: httpError.status, reason: httpError.body ?? httpError.status.reasonPhrase)
    }

    static func classify(status: HTTPResponse.Status, reason: String) -> CabinetError {
        switch status.code {
        case 404: CabinetError(KernelError.notFound)
        case 405: CabinetError(KernelError.methodNotAllowed)
        case 413: CabinetError(KernelError.tooLarge)
        case 415: CabinetError(KernelError.unsupportedMediaType)
        case 400..<500: CabinetError(KernelError.malformedBody, arguments: ["reason": reason])
        default: .internal(reason)
        }
    }

    /// A short, client-safe account of a JSON decoding failure: which field and what was expected.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "body" : text)
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): missing"
        case .typeMismatch(_, let context): return "\(path(context.codingPath)): wrong type"
        case .valueNotFound(_, let context): return "\(path(context.codingPath)): must not be null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not valid JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "unreadable body"
        }
    }

    /// Web pages get HTML errors; the JSON APIs get problem details.
    static func wantsHTML(_ request: Request) -> Bool {
        let path = request.uri.path
        guard !path.hasPrefix("/api/"), !path.hasPrefix("/operator/"), path != "/health", path != "/metrics" else {
            return false
        }
        return request.headers[.accept]?.contains("text/html") ?? false
    }
}

extension JSONEncoder {
    /// The encoder of every JSON response: stable key order, ISO 8601 instants.
    public static var cabinet: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
