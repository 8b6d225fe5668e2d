import Foundation

/// Any telephone number in E.164 (`+74951234567`, `+447911123456`), parsed from what a person types: the black
/// list blocks landlines and foreign numbers too, not only the mobile lines of the `+7` zone.
public struct PhoneNumber: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let e164: String

    public enum Problem: Error, Sendable, Hashable {
        case empty
        case invalidCharacter(Character)
        /// Fewer than 7 digits: a short service number (900, 0611), which a black list cannot hold.
        case short
        case invalid
    }

    /// `+7 912 345-67-89`, `8 (495) 123-45-67`, `9123456789`, `+44 7911 123456`.
    public init(parsing input: String) throws(Problem) {
        var digits = ""
        var plus = false
        for (offset, character) in input.trimmingCharacters(in: .whitespacesAndNewlines).enumerated() {
            switch character {
            case "0"..."9": digits.append(character)
            case "+" where offset == 0: plus = true
            case " ", "\u{00A0}", "\u{202F}", "-", "(", ")", ".": continue
            default: throw .invalidCharacter(character)
            }
        }
        guard !digits.isEmpty else { throw .empty }
        if plus {
            guard (8...15).contains(digits.count), digits.first != "0" else {
                throw digits.count < 7 ? .short : .invalid
            }
            e164 = "+" + digits
        } else if digits.count == 11, digits.first == "8" || digits.first == "7" {
            e164 = "+7" + digits.dropFirst()
        } else if digits.count == 10, digits.first != "0" {
            e164 = "+7" + digits
        } else {
            throw digits.count < 7 ? .short : .invalid
        }
    }

    /// A number already in E.164 (stored rows, the network's requests).
    public init?(e164: String) {
        // Byte checks (ASCII only, so bytes are characters): the network's check parses two numbers per call.
        let bytes = e164.utf8
        guard (9...16).contains(bytes.count), bytes.first == UInt8(ascii: "+"), Self.allDigits(bytes.dropFirst())
        else { return nil }
        self.e164 = e164
    }

    /// What the network sends: a number in E.164, or a short number of a service or content provider (3 to 8
    /// digits, kept as digits without `+`).
    public init?(network text: String) {
        if let number = PhoneNumber(e164: text) {
            self = number
        } else if (3...8).contains(text.utf8.count), Self.allDigits(text.utf8) {
            e164 = text
        } else {
            return nil
        }
    }

    private static func allDigits(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// A short service number (no `+`): only the network's requests carry one.
    public var isShort: Bool { !e164.hasPrefix("+") }
    /// Outside the `+7` zone of Russia and Kazakhstan.
    public var isInternational: Bool { e164.hasPrefix("+") && !e164.hasPrefix("+7") }

    public var description: String { e164 }
    public static func < (lhs: PhoneNumber, rhs: PhoneNumber) -> Bool { lhs.e164 < rhs.e164 }
}
