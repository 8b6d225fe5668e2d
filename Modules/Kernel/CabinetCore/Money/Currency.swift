/// An ISO 4217 currency Cabinet can hold money in.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// The ISO 4217 letter code, e.g. `RUB`.
    public let code: String
    /// Digits after the decimal point (2 for both the rouble and the tenge).
    public let minorUnitDigits: Int
    /// The sign printed after an amount, e.g. `₽`.
    public let symbol: String

    public static let rub = Currency(code: "RUB", minorUnitDigits: 2, symbol: "₽")
    public static let kzt = Currency(code: "KZT", minorUnitDigits: 2, symbol: "₸")

    /// Every currency Cabinet knows.
    public static let all: [Currency] = [.rub, .kzt]

    /// The currency for an ISO 4217 code, or `nil` when Cabinet does not serve it.
    public init?(code: String) {
        guard let known = Self.all.first(where: { $0.code == code.uppercased() }) else { return nil }
        self = known
    }

    private init(code: String, minorUnitDigits: Int, symbol: String) {
        self.code = code
        self.minorUnitDigits = minorUnitDigits
        self.symbol = symbol
    }

    /// 10^minorUnitDigits: minor units in one major unit.
    public var minorUnitsPerMajor: Int64 {
        var result: Int64 = 1
        for _ in 0..<minorUnitDigits { result *= 10 }
        return result
    }

    public var description: String { code }
}

extension Currency: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let code = try container.decode(String.self)
        guard let currency = Currency(code: code) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown currency \(code)")
        }
        self = currency
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
