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

    /// «Делитесь гигабайтами»: gigabytes of a line's own internet package given to another line of the operator.
    public struct SharingPolicy: Sendable, Hashable {
        /// Whole gigabytes in one share, 1 to this.
        public var maxGigabytes: Int
        /// The gift is valid to the local midnight this many days after the day it was given.
        public var validDays: Int
        /// Charged to the giver per share (zero: free).
        public var fee: Money
        public var maxPerDay: Int
        public var maxPerMonth: Int
    }

    /// Day of the month monthly fees are charged on (1–28, in the region's time zone).
    public var monthlyFeeDay: Int
    /// `nil` when the region does not offer sharing (`sharing` absent).
    public var sharing: SharingPolicy?
    /// Daily fees (the tariff's and every option's) on days that begin restricted; monthly fees are always charged.
    public var dailyFeesWhileRestricted: RestrictedDays
    /// Below this balance the subscriber is told once per period.
    public var lowBalanceThreshold: Money
    public var statements: StatementPrices

    public init?(from section: ConfigObject) {
        let day = section.requireInt("monthlyFeeDay", in: 1...28)
        let threshold = section.requirePrice("lowBalanceThreshold")
        let restricted = section.require("dailyFeesWhileRestricted", RestrictedDays.self)
        var sharing: SharingPolicy?
        var sharingValid = true
        if section.has("sharing") {
            sharing = section.requireObject("sharing") { p -> SharingPolicy? in
                let maxGigabytes = p.requireInt("maxGigabytes", in: 1...100)
                let validDays = p.requireInt("validDays", in: 1...90)
                let fee = p.requirePrice("fee")
                let perDay = p.requireInt("maxPerDay", in: 1...100)
                let perMonth = p.requireInt("maxPerMonth", in: 1...1000)
                guard let maxGigabytes, let validDays, let fee, let perDay, let perMonth else { return nil }
                return SharingPolicy(
                    maxGigabytes: maxGigabytes, validDays: validDays, fee: fee, maxPerDay: perDay,
                    maxPerMonth: perMonth)
            }
            sharingValid = sharing != nil
        }
        let statements = section.requireObject("statements") { s -> StatementPrices? in
            let short = s.requirePrice("shortOnline")
            let full = s.requirePrice("fullByEmail")
            let depth = s.requireInt("historyDepthDays", in: 1...1095)
            guard let short, let full, let depth else { return nil }
            return StatementPrices(shortOnline: short, fullByEmail: full, historyDepthDays: depth)
        }
        guard let day, let threshold, let restricted, let statements, sharingValid else { return nil }
        self.sharing = sharing
        self.monthlyFeeDay = day
        self.dailyFeesWhileRestricted = restricted
        self.lowBalanceThreshold = threshold
        self.statements = statements
    }
}
