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

    public var options: [ServiceOption]
    public var blackList: BlackListPolicy
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
        let refund = section.require("refundUnusedMonthlyFee", Bool.self)
        guard let options, let blackList, let refund else { return nil }
        self.options = options
        self.blackList = blackList
        self.refundUnusedMonthlyFee = refund
    }

    public func option(_ id: OptionID) -> ServiceOption? { options.first { $0.id == id } }

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
