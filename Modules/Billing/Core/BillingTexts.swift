public import CabinetCore
public import Tariffs

/// Texts Billing shows or sends (notices, explanations of movements), from the message catalogue.
public struct BillingTexts: Sendable {
    public let catalog: MessageCatalog

    public init(catalog: MessageCatalog) {
        self.catalog = catalog
    }

    /// The SMS when the balance falls below the region's threshold.
    public func lowBalance(_ balance: Money, threshold: Money, language: Language = .ru) -> String {
        catalog.text(
            "billing.notice.lowBalance", in: language,
            arguments: ["balance": balance.displayString, "threshold": threshold.displayString])
    }

    /// The SMS when 80 % of a package is used.
    public func packageMostlyUsed(_ unit: PackageUnit, left: Int64, language: Language = .ru) -> String {
        catalog.text(
            "billing.notice.package80", in: language,
            arguments: [
                "package": self.unit(unit, language: language), "left": amount(left, of: unit, language: language),
            ])
    }

    /// The SMS when a package is used up.
    public func packageExhausted(_ unit: PackageUnit, language: Language = .ru) -> String {
        catalog.text(
            "billing.notice.packageOut", in: language, arguments: ["package": self.unit(unit, language: language)])
    }

    /// The package's name: "минуты", "SMS", "интернет".
    public func unit(_ unit: PackageUnit, language: Language) -> String {
        catalog.text("billing.unit.\(unit.rawValue)", in: language)
    }

    /// Units as people count them: minutes, messages, megabytes or gigabytes.
    public func amount(_ value: Int64, of unit: PackageUnit, language: Language) -> String {
        switch unit {
        case .seconds:
            return catalog.text("billing.amount.minutes", in: language, arguments: ["n": String(value / 60)])
        case .sms:
            return catalog.text("billing.amount.sms", in: language, arguments: ["n": String(value)])
        case .kilobytes:
            let megabytes = value / 1024
            if megabytes >= 1024 {
                // One decimal of a gigabyte, rounded down so a remainder is never overstated.
                let tenths = megabytes * 10 / 1024
                let separator = language == .ru ? "," : "."
                return catalog.text(
                    "billing.amount.gigabytes", in: language,
                    arguments: ["n": "\(tenths / 10)\(separator)\(tenths % 10)"])
            }
            return catalog.text("billing.amount.megabytes", in: language, arguments: ["n": String(megabytes)])
        }
    }

    /// A movement's explanation in the reader's language.
    public func explain(_ key: String, arguments: [String: String], language: Language) -> String {
        catalog.text(key, in: language, arguments: arguments)
    }
}
