/// A value that can be read from a region file, reporting its own problems.
public protocol ConfigDecodable {
    /// The value, or `nil` after reporting why it is invalid.
    static func decode(from value: ConfigValue) -> Self?
}

extension String: ConfigDecodable {
    public static func decode(from value: ConfigValue) -> String? {
        value.scalar(expected: "text")
    }
}

extension Int: ConfigDecodable {
    public static func decode(from value: ConfigValue) -> Int? {
        guard let text = value.scalar(expected: "a whole number") else { return nil }
        guard let number = Int(text) else {
            value.problem("expected a whole number, found \"\(text)\"")
            return nil
        }
        return number
    }
}

extension Bool: ConfigDecodable {
    public static func decode(from value: ConfigValue) -> Bool? {
        guard let text = value.scalar(expected: "true or false") else { return nil }
        switch text {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            value.problem("expected true or false, found \"\(text)\"")
            return nil
        }
    }
}

extension Money: ConfigDecodable {
    /// `"30.00"` (the region's currency) or `"30.00 RUB"`; the currency, when written, must be the region's.
    public static func decode(from value: ConfigValue) -> Money? {
        guard let text = value.scalar(expected: "an amount such as \"30.00\"") else { return nil }
        guard let currency = value.reader.currency else { return nil }  // the header problem was reported
        var amount = Substring(text)
        let parts = text.split(separator: " ")
        if parts.count == 2 {
            let code = String(parts[1])
            guard let written = Currency(code: code) else {
                value.problem("unknown currency \(code)")
                return nil
            }
            guard written == currency else {
                let message = "currency \(written.code) does not match the region's currency \(currency.code)"
                if let primary = value.reader.primaryFile, primary != value.node.location.file {
                    // Inherited from the defaults: the region's own file has to restate the amount in its currency.
                    value.reader.report(
                        "\(message): \(value.node.location.file) sets \"\(text)\" and \(primary) inherits it; "
                            + "restate it in \(currency.code) in \(primary)",
                        at: ConfigLocation(file: primary), path: value.path)
                } else {
                    value.problem(message)
                }
                return nil
            }
            amount = parts[0]
        }
        do {
            return try Money(parsing: String(amount), currency: currency)
        } catch {
            value.problem("\(error)")
            return nil
        }
    }
}

extension Duration: ConfigDecodable {
    /// `90s`, `10m`, `12h`, `3d`.
    public static func decode(from value: ConfigValue) -> Duration? {
        guard let text = value.scalar(expected: "a duration such as 10m") else { return nil }
        guard let unit = text.last, let count = Int64(text.dropLast()), count >= 0 else {
            value.problem("expected a duration such as 90s, 10m, 12h or 3d, found \"\(text)\"")
            return nil
        }
        switch unit {
        case "s": return .seconds(count)
        case "m": return .seconds(count * 60)
        case "h": return .seconds(count * 3600)
        case "d": return .seconds(count * 86_400)
        default:
            value.problem("expected a duration such as 90s, 10m, 12h or 3d, found \"\(text)\"")
            return nil
        }
    }
}

/// An enumeration read from its raw text; problems list the allowed values.
public protocol ConfigEnum: ConfigDecodable, RawRepresentable, CaseIterable where RawValue == String {}

extension ConfigEnum {
    public static func decode(from value: ConfigValue) -> Self? {
        guard let text = value.scalar(expected: "one of \(allowedList)") else { return nil }
        guard let result = Self(rawValue: text) else {
            value.problem("expected one of \(allowedList), found \"\(text)\"")
            return nil
        }
        return result
    }

    private static var allowedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

extension ConfigValue {
    /// Reports a problem unless `number` lies in `range`.
    public func check(_ number: Int, in range: ClosedRange<Int>) -> Int? {
        guard range.contains(number) else {
            problem("must be between \(range.lowerBound) and \(range.upperBound), found \(number)")
            return nil
        }
        return number
    }
}

extension ConfigObject {
    /// A whole number that must lie in `range`.
    public func requireInt(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let number = require(key, Int.self), let child = child(key) else { return nil }
        return child.check(number, in: range)
    }

    /// An optional whole number that must lie in `range` when present.
    public func optionalInt(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let child = child(key), let number = child.decode(Int.self) else { return nil }
        return child.check(number, in: range)
    }

    /// An amount that must not be negative.
    public func requirePrice(_ key: String) -> Money? {
        guard let child = child(key) else {
            _ = require(key, Money.self)
            return nil
        }
        guard let money = child.decode(Money.self) else { return nil }
        guard !money.isNegative else {
            child.problem("must not be negative, found \(money.amountString)")
            return nil
        }
        return money
    }

    /// A duration that must be positive.
    public func requirePositiveDuration(_ key: String) -> Duration? {
        guard let child = child(key) else {
            _ = require(key, Duration.self)
            return nil
        }
        guard let duration = child.decode(Duration.self) else { return nil }
        guard duration > .zero else {
            child.problem("must be longer than zero")
            return nil
        }
        return duration
    }
}
