public import CabinetCore

/// A tariff of a region's catalogue, as the region file describes it.
public struct Tariff: Sendable, Hashable, Identifiable {
    /// Whether subscribers may choose it. Archived tariffs stay on lines that have them.
    public enum Status: String, Sendable, Hashable, ConfigEnum, Codable {
        case open, archived
    }

    /// When a change to this tariff takes effect.
    public enum ChangePolicy: String, Sendable, Hashable, ConfigEnum, Codable {
        case immediately, nextPeriod, either
    }

    /// Units included per fee period.
    public struct Packages: Sendable, Hashable {
        public var minutes: Int
        public var sms: Int
        public var megabytes: Int

        /// The package in counting units: seconds, messages, kilobytes.
        public var amounts: [PackageUnit: Int64] {
            [.seconds: Int64(minutes) * 60, .sms: Int64(sms), .kilobytes: Int64(megabytes) * 1024]
        }
    }

    /// Prices beyond the packages.
    public struct UnitPrices: Sendable, Hashable {
        public var onNetMinute: Money
        public var offNetMinute: Money
        public var intercityMinute: Money
        public var sms: Money
        public var megabyte: Money
    }

    public var id: TariffID
    public var name: LocalizedText
    public var description: LocalizedText
    public var fee: RecurringFee
    public var packages: Packages
    /// Unused package units carry over into the next period once.
    public var rollover: Bool
    public var prices: UnitPrices
    public var status: Status
    public var change: ChangePolicy
    /// Options included in the tariff at no charge.
    public var includedOptions: [OptionID]

    /// Whether the tariff may be taken with this timing (the region file's `change`).
    public func allows(_ timing: TariffChangeTiming) -> Bool {
        switch (change, timing) {
        case (.either, _), (.immediately, .immediately), (.nextPeriod, .nextPeriod): true
        default: false
        }
    }

    static func decode(from value: ConfigValue) -> Tariff? {
        value.object { t in
            let id = t.require("id", TariffID.self)
            let name = t.require("name", LocalizedText.self)
            let description = t.require("description", LocalizedText.self)
            let fee = t.require("fee", RecurringFee.self)
            let packages = t.requireObject("packages") { p -> Packages? in
                let minutes = p.requireInt("minutes", in: 0...100_000)
                let sms = p.requireInt("sms", in: 0...100_000)
                let megabytes = p.requireInt("megabytes", in: 0...10_000_000)
                guard let minutes, let sms, let megabytes else { return nil }
                return Packages(minutes: minutes, sms: sms, megabytes: megabytes)
            }
            let rollover = t.require("rollover", Bool.self)
            let prices = t.requireObject("prices") { p -> UnitPrices? in
                let onNet = p.requirePrice("onNetMinute")
                let offNet = p.requirePrice("offNetMinute")
                let intercity = p.requirePrice("intercityMinute")
                let sms = p.requirePrice("sms")
                let megabyte = p.requirePrice("megabyte")
                guard let onNet, let offNet, let intercity, let sms, let megabyte else { return nil }
                return UnitPrices(
                    onNetMinute: onNet, offNetMinute: offNet, intercityMinute: intercity, sms: sms,
                    megabyte: megabyte)
            }
            let status = t.require("status", Status.self)
            let change = t.require("change", ChangePolicy.self)
            let options = t.optionalList("options") { $0.decode(OptionID.self) } ?? []
            guard let id, let name, let description, let fee, let packages, let rollover, let prices, let status,
                let change
            else { return nil }
            return Tariff(
                id: id, name: name, description: description, fee: fee, packages: packages, rollover: rollover,
                prices: prices, status: status, change: change, includedOptions: options)
        }
    }
}
