public import CabinetCore

/// The id of a tariff in a region's catalogue, e.g. `moy-online`.
public struct TariffID: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible,
    ConfigDecodable
{
    public let rawValue: String

    public init?(rawValue: String) {
        guard CatalogID.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        rawValue = try CatalogID.decode(from: decoder, kind: "tariff")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func decode(from value: ConfigValue) -> TariffID? {
        CatalogID.read(value).flatMap(TariffID.init(rawValue:))
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }
}
