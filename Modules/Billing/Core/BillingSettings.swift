public import CabinetCore

/// The `billing` section of a region file.
public struct BillingSettings: ModuleSettings, Hashable {
    public struct StatementPrices: Sendable, Hashable {
        /// The short statement shown online (usually free).
        public var shortOnline: Money
        /// The full call-detail statement sent as PDF by e-mail (0 = free).
        public var fullByEmail: Money
        /// How far back a statement may reach.
        public var historyDepthDays: Int
    }

    /// What happens to a day's fee on a day that begins with the line restricted (balance below zero).
    public enum RestrictedDays: String, ConfigEnum, Sendable, Hashable {
        /// The day's fee is charged anyway and deepens the debt (the line stays restricted until a top-up).
        case charge
        /// The day is not charged and its package is not granted: service is restricted that day anyway.
        case skip
    }

    /// Day of the month monthly fees are charged on (1–28, in the region's time zone).
    public var monthlyFeeDay: Int
    /// Daily fees (the tariff's and every option's) on days that begin restricted; monthly fees are always charged.
    public var dailyFeesWhileRestricted: RestrictedDays
    /// Below this balance the subscriber is told once per period.
    public var lowBalanceThreshold: Money
    public var statements: StatementPrices

    public init?(from section: ConfigObject) {
        let day = section.requireInt("monthlyFeeDay", in: 1...28)
        let threshold = section.requirePrice("lowBalanceThreshold")
        let restricted = section.require("dailyFeesWhileRestricted", RestrictedDays.self)
        let statements = section.requireObject("statements") { s -> StatementPrices? in
            let short = s.requirePrice("shortOnline")
            let full = s.requirePrice("fullByEmail")
            let depth = s.requireInt("historyDepthDays", in: 1...1095)
            guard let short, let full, let depth else { return nil }
            return StatementPrices(shortOnline: short, fullByEmail: full, historyDepthDays: depth)
        }
        guard let day, let threshold, let restricted, let statements else { return nil }
        self.monthlyFeeDay = day
        self.dailyFeesWhileRestricted = restricted
        self.lowBalanceThreshold = threshold
        self.statements = statements
    }
}
