/// The one error type that crosses module boundaries: a stable ``ErrorCode``, a ``Kind`` that decides how
/// it is presented (the HTTP target maps kinds to status codes), arguments for the translated message, and
/// per-field problems for validation errors.
///
/// Messages are not stored here: ``MessageCatalog`` turns the code and arguments into Russian or English text
/// where a person reads it.
public struct CabinetError: Error, Hashable, Sendable, CustomStringConvertible {
    /// How the error is presented; the HTTP layer maps each kind to one status code.
    public enum Kind: String, Hashable, Sendable {
        /// The request is malformed or a value is invalid (400 / 422).
        case invalidInput
        /// Authentication is missing or failed (401).
        case unauthenticated
        /// Authenticated but not allowed (403).
        case forbidden
        /// The thing asked for does not exist, or the caller may not know it exists (404).
        case notFound
        /// The request conflicts with the current state (409).
        case conflict
        /// A business rule refuses the request, e.g. funds are short (422).
        case rejected
        /// A limit was hit; `retryAfter` tells when to come back (429).
        case tooManyRequests
        /// A dependency (database, SMS centre) is unavailable (503).
        case unavailable
        /// A bug or an unexpected state; details go to the log only (500).
        case `internal`
    }

    public var code: ErrorCode
    /// How the error is presented: the kind its code was declared with.
    public var kind: Kind { code.kind }
    /// Values interpolated into the translated message (`{name}` placeholders).
    public var arguments: [String: String]
    /// Field-level validation problems.
    public var fieldErrors: [FieldError]
    /// Seconds after which a refused request may be retried.
    public var retryAfterSeconds: Int?

    public init(
        _ code: ErrorCode, arguments: [String: String] = [:], fieldErrors: [FieldError] = [],
        retryAfterSeconds: Int? = nil
    ) {
        self.code = code
        self.arguments = arguments
        self.fieldErrors = fieldErrors
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String {
        let args = arguments.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return args.isEmpty ? "\(code) (\(kind))" : "\(code) (\(kind)) \(args)"
    }

    /// A validation error made of several field problems, reported together.
    public static func validation(_ fieldErrors: [FieldError]) -> CabinetError {
        CabinetError(KernelError.requestInvalid, fieldErrors: fieldErrors)
    }

    /// An unexpected failure; `reason` is for the log, never shown to a client.
    public static func `internal`(_ reason: String) -> CabinetError {
        CabinetError(KernelError.internal, arguments: ["reason": reason])
    }
}

/// One invalid input field: which field, why (a stable code), and message arguments.
public struct FieldError: Hashable, Sendable {
    public var field: String
    public var code: ErrorCode
    public var arguments: [String: String]

    public init(field: String, code: ErrorCode, arguments: [String: String] = [:]) {
        self.field = field
        self.code = code
        self.arguments = arguments
    }
}
