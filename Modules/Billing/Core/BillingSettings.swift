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

    /// Day of the month monthly fees are charged on (1–28, in the region's time zone).
    public var monthlyFeeDay: Int
    /// Below this balance the subscriber is told once per period.
    public var lowBalanceThreshold: Money
    public var statements: StatementPrices

    public init?(from section: ConfigObject) {
        let day = section.requireInt("monthlyFeeDay", in: 1...28)
        let threshold = section.requirePrice("lowBalanceThreshold")
        let statements = section.requireObject("statements") { s -> StatementPrices? in
            let short = s.requirePrice("shortOnline")
            let full = s.requirePrice("fullByEmail")
            let depth = s.requireInt("historyDepthDays", in: 1...1095)
            guard let short, let full, let depth else { return nil }
            return StatementPrices(shortOnline: short, fullByEmail: full, historyDepthDays: depth)
        }
        guard let day, let threshold, let statements else { return nil }
        self.monthlyFeeDay = day
        self.lowBalanceThreshold = threshold
        self.statements = statements
    }
}
