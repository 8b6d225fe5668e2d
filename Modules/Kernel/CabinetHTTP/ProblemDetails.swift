public import CabinetCore
import Foundation
public import Hummingbird

/// RFC 9457 problem details with Cabinet's stable `code`, as every API error is returned.
public struct ProblemDetails: Codable, Sendable, Hashable {
    public struct FieldProblem: Codable, Sendable, Hashable {
        public var field: String
        public var code: String
        public var message: String
    }

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var code: String
    public var instance: String?
    public var requestId: String?
    public var errors: [FieldProblem]?
    public var retryAfterSeconds: Int?

    public init(
        error: CabinetError, status: HTTPResponse.Status, language: Language, catalog: MessageCatalog,
        instance: String?, requestID: String?
    ) {
        self.type = "urn:cabinet:error:\(error.code.rawValue)"
        self.title = catalog.text("problem.\(error.kind.rawValue)", in: language)
        self.status = status.code
        self.detail = catalog.message(for: error, in: language)
        self.code = error.code.rawValue
        self.instance = instance
        self.requestId = requestID
        self.errors =
            error.fieldErrors.isEmpty
            ? nil
            : error.fieldErrors.map {
                FieldProblem(field: $0.field, code: $0.code.rawValue, message: catalog.message(for: $0, in: language))
            }
        self.retryAfterSeconds = error.retryAfterSeconds
    }
}

extension CabinetError.Kind {
    /// The one HTTP status each kind maps to.
    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .invalidInput: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .rejected: .unprocessableContent
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .internal: .internalServerError
        }
    }
}
