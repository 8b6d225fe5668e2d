public import CabinetCore
import Tariffs

/// The `services` section of a region file: options and the black list's prices and limits.
public struct ServicesSettings: ModuleSettings, Hashable {
    public struct BlackListPolicy: Sendable, Hashable {
        public var connectionFee: Money
        public var dailyFee: Money
        /// Charged for each number added.
        public var feePerNumber: Money
        public var maxEntries: Int
        /// Days the entries are kept after the service is switched off (reconnecting within them restores them).
        public var retentionDays: Int
    }

    /// What the settings SMS («Настройки интернета и MMS») carries, and how many a line may ask for in a local day.
    public struct DeviceSettings: Sendable, Hashable {
        /// The access point name for mobile internet.
        public var apn: String
        /// The MMS centre's address (`http://…`).
        public var mmsc: String
        /// The MMS proxy, `host:port`.
        public var mmsProxy: String
        public var maxPerDay: Int
    }

    /// A lost SIM's voluntary block: free for `freeDays`, then `dailyFee` a day (zero: free for good). The tariff's
    /// and the options' fees stop while the line is blocked.
    public struct SIMBlockPolicy: Sendable, Hashable {
        public var freeDays: Int
        public var dailyFee: Money
    }

    /// A holiday suspension («Добровольная блокировка»): its length, how often a year, its price per day after the
    /// free days. The tariff's and options' fees stop while the line is suspended.
    public struct SuspensionPolicy: Sendable, Hashable {
        public var minDays: Int
        public var maxDays: Int
        /// Suspensions that may start in one calendar year.
        public var perYear: Int
        public var freeDays: Int
        public var dailyFee: Money
        /// How far ahead a suspension may be planned.
        public var maxDaysAhead: Int
    }

    public var options: [ServiceOption]
    public var blackList: BlackListPolicy
    public var simBlock: SIMBlockPolicy
    public var suspension: SuspensionPolicy
    public var deviceSettings: DeviceSettings
    /// Roaming prices by country and zone; empty when the region publishes none (`services.roaming` absent).
    public var roaming: RoamingCatalogue
    /// Whether switching off a monthly option returns the unused part of the current period's fee (pro rata).
    public var refundUnusedMonthlyFee: Bool

    public init?(from section: ConfigObject) {
        let options = section.requireList("options", ServiceOption.decode(from:))
        let blackList = section.requireObject("blackList") { b -> BlackListPolicy? in
            let connection = b.requirePrice("connectionFee")
            let daily = b.requirePrice("dailyFee")
            let perNumber = b.requirePrice("feePerNumber")
            let maxEntries = b.requireInt("maxEntries", in: 1...10_000)
            let retention = b.requireInt("retentionDays", in: 0...3650)
            guard let connection, let daily, let perNumber, let maxEntries, let retention else { return nil }
            return BlackListPolicy(
                connectionFee: connection, dailyFee: daily, feePerNumber: perNumber, maxEntries: maxEntries,
                retentionDays: retention)
        }
        let device = section.requireObject("deviceSettings", Self.deviceSettings(from:))
        let suspension = section.requireObject("suspension") { p -> SuspensionPolicy? in
            let minDays = p.requireInt("minDays", in: 1...365)
            let maxDays = p.requireInt("maxDays", in: 1...365)
            let perYear = p.requireInt("perYear", in: 1...12)
            let freeDays = p.requireInt("freeDays", in: 0...365)
            let dailyFee = p.requirePrice("dailyFee")
            let ahead = p.requireInt("maxDaysAhead", in: 0...365)
            guard let minDays, let maxDays, let perYear, let freeDays, let dailyFee, let ahead else { return nil }
            guard minDays <= maxDays else {
                p.child("maxDays")?.problem("must not be below minDays (\(minDays)), found \(maxDays)")
                return nil
            }
            return SuspensionPolicy(
                minDays: minDays, maxDays: maxDays, perYear: perYear, freeDays: freeDays, dailyFee: dailyFee,
                maxDaysAhead: ahead)
        }
        let simBlock = section.requireObject("simBlock") { b -> SIMBlockPolicy? in
            let freeDays = b.requireInt("freeDays", in: 0...3650)
            let dailyFee = b.requirePrice("dailyFee")
            guard let freeDays, let dailyFee else { return nil }
            return SIMBlockPolicy(freeDays: freeDays, dailyFee: dailyFee)
        }
        let refund = section.require("refundUnusedMonthlyFee", Bool.self)
        let roaming = section.has("roaming") ? section.optional("roaming", RoamingCatalogue.self) : RoamingCatalogue()
        guard let options, let blackList, let device, let simBlock, let suspension, let refund, let roaming else {
            return nil
        }
        self.suspension = suspension
        self.simBlock = simBlock
        self.roaming = roaming
        self.options = options
        self.blackList = blackList
        self.deviceSettings = device
        self.refundUnusedMonthlyFee = refund
    }

    public func option(_ id: OptionID) -> ServiceOption? { options.first { $0.id == id } }

    static func deviceSettings(from d: ConfigObject) -> DeviceSettings? {
        let apn = d.require("apn", String.self)
        let mmsc = d.require("mmsc", String.self)
        let proxy = d.require("mmsProxy", String.self)
        let maxPerDay = d.requireInt("maxPerDay", in: 1...20)
        if let apn, apn.isEmpty || apn.count > 100 || apn.contains(where: { $0.isWhitespace }) {
            d.child("apn")?.problem("must be 1–100 characters without spaces, found \"\(apn)\"")
            return nil
        }
        if let mmsc, !(mmsc.hasPrefix("http://") || mmsc.hasPrefix("https://")) || mmsc.count > 200 {
            d.child("mmsc")?.problem("must be an http:// or https:// address, found \"\(mmsc)\"")
            return nil
        }
        if let proxy {
            let parts = proxy.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65_535).contains(port) else {
                d.child("mmsProxy")?.problem("must be host:port with a port 1–65535, found \"\(proxy)\"")
                return nil
            }
        }
        guard let apn, let mmsc, let proxy, let maxPerDay else { return nil }
        return DeviceSettings(apn: apn, mmsc: mmsc, mmsProxy: proxy, maxPerDay: maxPerDay)
    }

    /// Option ids are unique, incompatibilities and tariffs name known options.
    public func validate(in region: RegionValidationContext) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        var seen: Set<OptionID> = []
        for (index, option) in options.enumerated() {
            if !seen.insert(option.id).inserted {
                problems.append(
                    region.problem(at: "services.options[\(index)].id", "option id \"\(option.id)\" is used twice"))
            }
        }
        let known = Set(options.map(\.id))
        for (index, option) in options.enumerated() {
            for (position, other) in option.incompatibleWith.enumerated() where !known.contains(other) {
                problems.append(
                    region.problem(
                        at: "services.options[\(index)].incompatibleWith[\(position)]", "unknown option \"\(other)\""))
            }
        }
        problems += roaming.validate(in: region)
        if let tariffs = region.settings(of: TariffsModule.self) {
            for (index, tariff) in tariffs.catalog.enumerated() {
                for (position, option) in tariff.includedOptions.enumerated() where !known.contains(option) {
                    problems.append(
                        region.problem(
                            at: "tariffs.catalog[\(index)].options[\(position)]",
                            "tariff \"\(tariff.id)\" includes unknown option \"\(option)\""))
                }
            }
        }
        return problems
    }
}
