/// A Russian legal entity's taxpayer number (ИНН): 10 digits, the last a check digit over the first nine.
public struct INN: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// The weights of the legal entity's check digit (Federal Tax Service's algorithm).
    static let weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]

    /// Accepts 10 digits (spaces a person types are dropped) whose check digit is right.
    public init?(rawValue: String) {
        let text = rawValue.filter { !$0.isWhitespace }
        let digits = text.compactMap { $0.isASCII ? $0.wholeNumberValue : nil }
        guard text.count == 10, digits.count == 10 else { return nil }
        let sum = zip(Self.weights, digits).reduce(0) { $0 + $1.0 * $1.1 }
        guard sum % 11 % 10 == digits[9] else { return nil }
        self.rawValue = text
    }

    public var description: String { rawValue }
}

/// A legal entity's registration reason code (КПП): 9 characters — the tax office (4 digits), the reason (2 digits or
/// capital Latin letters), a number (3 digits).
public struct KPP: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        let text = rawValue.filter { !$0.isWhitespace }.uppercased()
        let characters = Array(text)
        guard characters.count == 9 else { return nil }
        for (index, character) in characters.enumerated() {
            let isDigit = character.isASCII && character.isNumber
            let isLetter = character.isASCII && character.isUppercase && character.isLetter
            guard (4...5).contains(index) ? (isDigit || isLetter) : isDigit else { return nil }
        }
        self.rawValue = text
    }

    public var description: String { rawValue }
}
