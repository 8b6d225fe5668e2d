/// A stable, dotted machine code for an error, e.g. `subscribers.notFound` or `auth.otp.expired`, with the
/// ``CabinetError/Kind`` that decides how it is presented (CabinetHTTP maps each kind to one HTTP status).
///
/// A code is declared once, with its kind, in its module's error catalogue (`BillingError`, `AuthError`, …,
/// ``KernelError``) and throw sites use the constant, so one code never comes out with two statuses:
///
/// ```swift
/// public static let noAccount = ErrorCode("billing.noAccount", .notFound)
/// throw CabinetError(BillingError.noAccount)
/// ```
///
/// A string literal is a field-validation code (``CabinetError/Kind/invalidInput``), the kind of the codes in
/// ``FieldError``s. Codes are part of the API contract: clients switch on them, and the message catalogues
/// translate them. Never rename one; add a new one.
public struct ErrorCode: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    /// How an error with this code is presented.
    public let kind: CabinetError.Kind

    public init(_ rawValue: String, _ kind: CabinetError.Kind) {
        self.rawValue = rawValue
        self.kind = kind
    }

    /// A field-validation code.
    public init(stringLiteral value: String) { self.init(value, .invalidInput) }

    public var description: String { rawValue }

    // Two declarations of one code are the same code: identity is the text clients switch on.
    public static func == (lhs: ErrorCode, rhs: ErrorCode) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}

/// A module's catalogue of the error codes it declares; a test checks each has a Russian and an English text.
public protocol ErrorCatalogue {
    /// Every code the module declares.
    static var all: [ErrorCode] { get }
}
