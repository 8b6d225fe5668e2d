public import CabinetCore

/// The `payments` section of a region file.
public struct PaymentsSettings: ModuleSettings, Hashable {
    public struct TopUpLimits: Sendable, Hashable {
        public var minimum: Money
        public var maximum: Money
    }

    public struct TransferLimits: Sendable, Hashable {
        public var minimum: Money
        public var maxPerTransfer: Money
        public var maxPerDay: Money
        public var fee: Money
    }

    public struct AutopayLimits: Sendable, Hashable {
        /// Largest single automatic top-up.
        public var maxAmount: Money
        /// Cap of automatic top-ups per calendar month.
        public var maxPerMonth: Money
    }

    /// How often one address, and one target number, may start a payment without logging in (the public "pay for
    /// any number" form): each start writes a payment and a request in the target line's history.
    public struct AnonymousLimits: Sendable, Hashable {
        public var maxPerAddressPerHour: Int
        public var maxPerNumberPerHour: Int
    }

    public var topUp: TopUpLimits
    public var anonymous: AnonymousLimits
    public var promisedPayment: PromisedPaymentRules
    public var transfers: TransferLimits
    public var autopay: AutopayLimits
    /// The gateway top-ups of this region go through: `sandbox` (built in) or the id of an acquirer in the
    /// operator's gateways file (`CABINET_GATEWAYS`).
    public var gateway: String

    public init?(from section: ConfigObject) {
        gateway = section.optional("gateway", String.self) ?? "sandbox"
        let topUp = section.requireObject("topUp") { t -> TopUpLimits? in
            let min = t.requirePrice("minimum")
            let max = t.requirePrice("maximum")
            if let min, let max, !(min.isPositive && min.minorUnits < max.minorUnits) {
                t.child("minimum")?.problem("must be above zero and below maximum (\(max.amountString))")
                return nil
            }
            guard let min, let max else { return nil }
            return TopUpLimits(minimum: min, maximum: max)
        }
        let promised = section.requireObject("promisedPayment", PromisedPaymentRules.decode(from:))
        let transfers = section.requireObject("transfers") { t -> TransferLimits? in
            let min = t.requirePrice("minimum")
            let perTransfer = t.requirePrice("maxPerTransfer")
            let perDay = t.requirePrice("maxPerDay")
            let fee = t.requirePrice("fee")
            if let min, let perTransfer, let perDay {
                if !(min.isPositive && min.minorUnits <= perTransfer.minorUnits
                    && perTransfer.minorUnits <= perDay.minorUnits)
                {
                    t.problem("limits must satisfy 0 < minimum ≤ maxPerTransfer ≤ maxPerDay")
                    return nil
                }
            }
            guard let min, let perTransfer, let perDay, let fee else { return nil }
            return TransferLimits(minimum: min, maxPerTransfer: perTransfer, maxPerDay: perDay, fee: fee)
        }
        let autopay = section.requireObject("autopay") { a -> AutopayLimits? in
            let maxAmount = a.requirePrice("maxAmount")
            let perMonth = a.requirePrice("maxPerMonth")
            if let maxAmount, let perMonth, maxAmount.minorUnits > perMonth.minorUnits {
                a.child("maxAmount")?.problem("must not exceed maxPerMonth (\(perMonth.amountString))")
                return nil
            }
            guard let maxAmount, let perMonth else { return nil }
            return AutopayLimits(maxAmount: maxAmount, maxPerMonth: perMonth)
        }
        let anonymous = section.requireObject("anonymous") { a -> AnonymousLimits? in
            let perAddress = a.requireInt("maxPerAddressPerHour", in: 1...100_000)
            let perNumber = a.requireInt("maxPerNumberPerHour", in: 1...10_000)
            guard let perAddress, let perNumber else { return nil }
            return AnonymousLimits(maxPerAddressPerHour: perAddress, maxPerNumberPerHour: perNumber)
        }
        guard let topUp, let promised, let transfers, let autopay, let anonymous else { return nil }
        self.topUp = topUp
        self.anonymous = anonymous
        self.promisedPayment = promised
        self.transfers = transfers
        self.autopay = autopay
    }
}
