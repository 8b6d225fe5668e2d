public import CabinetCore
public import Foundation

/// What a tariff change does to one of the line's options.
public struct TariffOptionChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Connected separately, included in the new tariff: it stays on, and its own fee stops.
        case freed
        /// Included in the current tariff, not in the new one: it goes with the tariff.
        case dropped
        /// Connected, and in conflict with an option the new tariff includes: it is switched off.
        case removed
    }

    public var option: OptionID
    public var name: LocalizedText
    public var kind: Kind

    public init(option: OptionID, name: LocalizedText, kind: Kind) {
        self.option = option
        self.name = name
        self.kind = kind
    }
}

/// The rules of options on a tariff change, which Services knows and Billing asks: the preview lists the changes,
/// and the transaction that makes the new tariff the line's (an immediate change, or the opening of the period a
/// planned change starts) applies them, so a line is never charged for an option its tariff includes.
public protocol TariffOptionRules: Sendable {
    func optionChanges(line: SubscriberID, region: RegionID, from: TariffID, to: TariffID) async throws
        -> [TariffOptionChange]
    func apply(
        line: SubscriberID, region: RegionID, from: TariffID, to: TariffID, at instant: Date,
        in transaction: any WriteTransaction
    ) async throws
}
