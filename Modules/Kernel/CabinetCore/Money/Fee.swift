/// A recurring charge: an amount per day or per month.
public struct RecurringFee: Hashable, Sendable, ConfigDecodable {
    public enum Period: String, Sendable, Hashable, ConfigEnum, Codable {
        case day, month
    }

    public var amount: Money
    public var period: Period

    public init(amount: Money, period: Period) {
        self.amount = amount
        self.period = period
    }

    /// `{amount: "550.00", period: month}`; the amount must not be negative.
    public static func decode(from value: ConfigValue) -> RecurringFee? {
        value.object { object in
            let amount = object.requirePrice("amount")
            let period = object.require("period", Period.self)
            guard let amount, let period else { return nil }
            return RecurringFee(amount: amount, period: period)
        }
    }
}
