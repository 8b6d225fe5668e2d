/// A stable, dotted machine code for an error, e.g. `subscribers.notFound` or `auth.otp.expired`.
///
/// Codes are part of the API contract: clients switch on them, and the message catalogues translate them.
/// Never rename one; add a new one.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }
}
