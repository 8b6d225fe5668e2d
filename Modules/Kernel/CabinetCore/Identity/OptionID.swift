/// The id of a connectable option (service) in a region's catalogue, e.g. `ya-na-svyazi`, `black-list`.
/// Defined in the kernel because tariffs name the options they include.
public struct OptionID: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        guard CatalogID.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try CatalogID.decode(from: decoder, kind: "option")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }
}

/// Shared rules for catalogue ids written in region files: lowercase letters, digits and dashes.
public enum CatalogID {
    public static func isValid(_ raw: String) -> Bool {
        guard let first = raw.unicodeScalars.first, ("a"..."z").contains(first), (1...48).contains(raw.count) else {
            return false
        }
        return raw.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    public static func decode(from decoder: any Decoder, kind: String) throws -> String {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard isValid(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid \(kind) id \(raw)")
        }
        return raw
    }

    /// Reads an id from a region file, reporting a readable problem.
    public static func read(_ value: ConfigValue) -> String? {
        guard let text = value.decode(String.self) else { return nil }
        guard isValid(text) else {
            value.problem("\"\(text)\" is not an id: use lowercase letters, digits and dashes, starting with a letter")
            return nil
        }
        return text
    }
}

extension OptionID: ConfigDecodable {
    public static func decode(from value: ConfigValue) -> OptionID? {
        CatalogID.read(value).flatMap(OptionID.init(rawValue:))
    }
}
