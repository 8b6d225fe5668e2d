/// A mobile subscriber number in E.164 form (`+79001234567`), parsed from whatever a person types.
///
/// Cabinet serves the shared `+7` numbering zone of Russia and Kazakhstan, so a number always has country
/// code 7 and ten national digits. Mobile numbers start with `9` in Russia and with `70x`, `747`, `75x`,
/// `76x` or `77x` in Kazakhstan; fixed-line numbers (`+7 495 …`) are refused because they cannot receive
/// an SMS code or be a line of the operator.
public struct MSISDN: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The number in E.164 form, e.g. `+79001234567`.
    public let e164: String

    /// Which numbering plan of the `+7` zone the number belongs to.
    public enum NumberingPlan: String, Sendable, Hashable {
        case russia, kazakhstan
    }

    /// Parses a number typed by a person: `+7 912 345-67-89`, `89123456789`, `9123456789`,
    /// `8 (912) 345 67 89`, `+7 701 234 56 78`.
    public init(parsing input: String) throws(MSISDNError) {
        let trimmed = input.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        var digits: [Character] = []
        var sawPlus = false
        for (offset, character) in trimmed.enumerated() {
            switch character {
            case "0"..."9": digits.append(character)
            case "+" where offset == 0: sawPlus = true
            case " ", "\u{00A0}", "\u{202F}", "-", "(", ")", ".": continue
            default: throw .invalidCharacter(character)
            }
        }
        let national: [Character]
        if sawPlus {
            guard digits.first == "7" else { throw .unsupportedCountryCode }
            national = Array(digits.dropFirst())
            guard national.count == 10 else { throw .wrongLength(digits: digits.count) }
        } else if digits.count == 11, digits.first == "8" || digits.first == "7" {
            national = Array(digits.dropFirst())
        } else if digits.count == 10 {
            national = digits
        } else {
            throw .wrongLength(digits: digits.count)
        }
        let nationalString = String(national)
        guard Self.plan(ofNational: nationalString) != nil else { throw .notMobile(national: nationalString) }
        self.e164 = "+7" + nationalString
    }

    /// Wraps a value that is already stored in E.164 form (database rows). Returns `nil` for anything else.
    public init?(e164: String) {
        // Byte checks first: rating reads thousands of stored numbers per batch.
        let bytes = e164.utf8
        guard bytes.count == 12, bytes.first == UInt8(ascii: "+"),
            bytes.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            bytes.dropFirst().first == UInt8(ascii: "7")
        else { return nil }
        if bytes.dropFirst(2).first != UInt8(ascii: "9"), Self.plan(ofNational: String(e164.dropFirst(2))) == nil {
            return nil
        }
        self.e164 = e164
    }

    /// The ten national digits, e.g. `9001234567`.
    public var nationalNumber: String { String(e164.dropFirst(2)) }

    /// The numbering plan the number belongs to.
    public var plan: NumberingPlan { Self.plan(ofNational: nationalNumber) ?? .russia }

    /// `+7 900 123-45-67`, the way numbers are printed on an operator's pages.
    public var formatted: String {
        let n = Array(nationalNumber)
        return "+7 \(String(n[0..<3])) \(String(n[3..<6]))-\(String(n[6..<8]))-\(String(n[8..<10]))"
    }

    /// `+7 900 ***-**-67`: enough for the owner to recognise the number, nothing more.
    public var masked: String {
        let n = Array(nationalNumber)
        return "+7 \(String(n[0..<3])) ***-**-\(String(n[8..<10]))"
    }

    public var description: String { e164 }

    public static func < (lhs: MSISDN, rhs: MSISDN) -> Bool { lhs.e164 < rhs.e164 }

    /// Kazakhstan's mobile ranges inside `+7 7xx` (fixed lines there use `+7 7xx` area codes of the 71x–72x range).
    private static let kazakhstanMobilePrefixes: [String] = ["70", "747", "75", "76", "77"]

    private static func plan(ofNational national: String) -> NumberingPlan? {
        guard national.count == 10, national.allSatisfy(\.isASCIIDigit) else { return nil }
        if national.hasPrefix("9") { return .russia }
        if kazakhstanMobilePrefixes.contains(where: national.hasPrefix) { return .kazakhstan }
        return nil
    }
}

/// Why a typed number is not a mobile number Cabinet can serve.
public enum MSISDNError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    case invalidCharacter(Character)
    case wrongLength(digits: Int)
    case unsupportedCountryCode
    case notMobile(national: String)

    /// Stable machine code, e.g. `msisdn.wrongLength`.
    public var code: ErrorCode {
        switch self {
        case .empty: KernelError.msisdnEmpty
        case .invalidCharacter: KernelError.msisdnInvalidCharacter
        case .wrongLength: KernelError.msisdnWrongLength
        case .unsupportedCountryCode: KernelError.msisdnUnsupportedCountryCode
        case .notMobile: KernelError.msisdnNotMobile
        }
    }

    public var description: String {
        switch self {
        case .empty: "the number is empty"
        case .invalidCharacter(let c):
            "the number contains \"\(c)\"; only digits, spaces, dashes, brackets and a leading + are allowed"
        case .wrongLength(let n):
            "the number has \(n) digits; a mobile number has 10 digits, or 11 starting with 7 or 8"
        case .unsupportedCountryCode: "only numbers with country code +7 are served"
        case .notMobile(let national): "+7 \(national.prefix(3)) is not a mobile code; enter a mobile number"
        }
    }

    /// The same problem as a ``CabinetError`` for one input field.
    public func cabinetError(field: String = "msisdn") -> CabinetError {
        var arguments: [String: String] = [:]
        switch self {
        case .invalidCharacter(let c): arguments["character"] = String(c)
        case .wrongLength(let n): arguments["digits"] = String(n)
        case .notMobile(let national): arguments["code"] = String(national.prefix(3))
        case .empty, .unsupportedCountryCode: break
        }
        return CabinetError(
            code, arguments: arguments,
            fieldErrors: [FieldError(field: field, code: code, arguments: arguments)])
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) ?? start
        return String(scalars[start...end])
    }
}

extension MSISDN: Codable {
    /// Decodes any form a person types; encodes E.164.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }
}
