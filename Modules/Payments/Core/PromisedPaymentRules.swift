public import CabinetCore

/// «Обещанный платёж»: who may take one, how much, for how long and at what fee.
public struct PromisedPaymentRules: Sendable, Hashable {
    /// One step of eligibility: lines at least this long on the network, with at least this average of monthly
    /// top-ups over the last three months, may take one of `amounts` for `termDays` days at `fee`.
    public struct Tier: Sendable, Hashable {
        public var minDaysOnNetwork: Int
        public var minAverageMonthlyTopUps: Money
        public var amounts: [Money]
        public var termDays: Int
        public var fee: Money
    }

    /// Offered only while the balance is below this.
    public var availableBelow: Money
    /// Active promised payments per line (the database allows one).
    public var maxActive: Int
    /// Ordered from the most basic to the most generous.
    public var tiers: [Tier]

    static func decode(from section: ConfigObject) -> PromisedPaymentRules? {
        let below = section.require("availableBelow", Money.self)
        let maxActive = section.requireInt("maxActive", in: 1...1)
        let tiers = section.requireList("tiers") { value -> Tier? in
            value.object { t in
                let days = t.requireInt("minDaysOnNetwork", in: 0...36_500)
                let topUps = t.requirePrice("minAverageMonthlyTopUps")
                let amounts = t.requireList("amounts") { $0.decode(Money.self) }
                let term = t.requireInt("termDays", in: 1...30)
                let fee = t.requirePrice("fee")
                if let amounts {
                    if amounts.isEmpty || amounts.contains(where: { !$0.isPositive }) {
                        t.child("amounts")?.problem("must list at least one amount, each above zero")
                        return nil
                    }
                    if zip(amounts, amounts.dropFirst()).contains(where: { $0.minorUnits >= $1.minorUnits }) {
                        t.child("amounts")?.problem("amounts must be listed from smallest to largest")
                        return nil
                    }
                }
                guard let days, let topUps, let amounts, let term, let fee else { return nil }
                return Tier(
                    minDaysOnNetwork: days, minAverageMonthlyTopUps: topUps, amounts: amounts, termDays: term, fee: fee)
            }
        }
        if let tiers {
            if tiers.isEmpty {
                section.child("tiers")?.problem("must list at least one tier")
                return nil
            }
            for index in tiers.indices.dropFirst() {
                let previous = tiers[index - 1]
                let tier = tiers[index]
                let orderedRequirements =
                    tier.minDaysOnNetwork >= previous.minDaysOnNetwork
                    && tier.minAverageMonthlyTopUps.minorUnits >= previous.minAverageMonthlyTopUps.minorUnits
                let growing = (tier.amounts.last?.minorUnits ?? 0) > (previous.amounts.last?.minorUnits ?? 0)
                if !orderedRequirements || !growing {
                    section.reader.report(
                        "tiers out of order: tier \(index + 1) must require at least what tier \(index) requires and offer more",
                        at: section.value.node.node(at: "tiers[\(index)]")?.location ?? section.value.node.location,
                        path: "\(section.path).tiers[\(index)]")
                    return nil
                }
            }
        }
        guard let below, let maxActive, let tiers else { return nil }
        return PromisedPaymentRules(availableBelow: below, maxActive: maxActive, tiers: tiers)
    }
}
