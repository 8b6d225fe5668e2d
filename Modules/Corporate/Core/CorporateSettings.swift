import Auth
public import CabinetCore
import Foundation

/// The `corporate` section of a region file.
public struct CorporateSettings: ModuleSettings, Hashable {
    /// The share of a quota's money limit at which the employee and the admins are told (once a month); they are
    /// told again when it is used up.
    public var quotaWarningPercent: Int
    /// How often the quota job applies requested quotas and checks spending against them.
    public var quotaJobInterval: Duration
    /// Text messages a bulk operation sends per company and minute (the rest wait for the next minute).
    public var bulkSMSPerMinute: Int
    /// The VAT rate the region's prices include, shown apart on invoices and acts (Russia 22 % from 2026,
    /// Kazakhstan 16 %).
    public var vatPercent: Int
    /// The operator's legal details in the region, printed on invoices and acts.
    public var requisites: OperatorRequisites

    public init(
        quotaWarningPercent: Int = 80, quotaJobInterval: Duration = .seconds(10), bulkSMSPerMinute: Int = 60,
        vatPercent: Int = 22, requisites: OperatorRequisites = CorporateSettings.exampleRequisites
    ) {
        self.quotaWarningPercent = quotaWarningPercent
        self.quotaJobInterval = quotaJobInterval
        self.bulkSMSPerMinute = bulkSMSPerMinute
        self.vatPercent = vatPercent
        self.requisites = requisites
    }

    /// Details for tests and tools that build settings by hand.
    public static let exampleRequisites = OperatorRequisites(
        name: "ПАО «Кабинет Телеком»", taxIDLabel: "ИНН", taxID: "7707083893", kpp: "770701001",
        address: "Москва, ул. Тверская, 7", bank: "ПАО Сбербанк", bik: "044525225", account: "40702810938000000001",
        correspondentAccount: "30101810400000000225")

    public init?(from section: ConfigObject) {
        let percent = section.requireInt("quotaWarningPercent", in: 1...99)
        let interval = section.requirePositiveDuration("quotaJobInterval")
        let sms = section.requireInt("bulkSMSPerMinute", in: 1...10_000)
        let vat = section.requireInt("vatPercent", in: 0...50)
        let requisites = section.requireObject("requisites") { r -> OperatorRequisites? in
            func text(_ key: String, optional: Bool = false) -> String? {
                let value = optional ? r.optional(key, String.self) : r.require(key, String.self)
                if let value, value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 300 {
                    r.child(key)?.problem("must be 1–300 characters")
                    return nil
                }
                return value
            }
            let name = text("name"), label = text("taxIDLabel"), taxID = text("taxID"), address = text("address")
            let bank = text("bank"), bik = text("bik"), account = text("account")
            let kpp = text("kpp", optional: true), correspondent = text("correspondentAccount", optional: true)
            guard let name, let label, let taxID, let address, let bank, let bik, let account else { return nil }
            return OperatorRequisites(
                name: name, taxIDLabel: label, taxID: taxID, kpp: kpp, address: address, bank: bank, bik: bik,
                account: account, correspondentAccount: correspondent)
        }
        guard let percent, let interval, let sms, let vat, let requisites else { return nil }
        self.init(
            quotaWarningPercent: percent, quotaJobInterval: interval, bulkSMSPerMinute: sms, vatPercent: vat,
            requisites: requisites)
    }

    /// Admins log in with the region's SMS code, and the business cabinet's policy is a code of 6 digits or more: a
    /// region that switches Corporate on may not shorten its codes below that.
    public func validate(in region: RegionValidationContext) -> [ConfigProblem] {
        guard let auth = region.settings(of: AuthModule.self), auth.otp.length < 6 else { return [] }
        return [
            region.problem(
                at: "auth.otp.length",
                "company admins log in with 6-digit codes: a region with the corporate module needs a length of 6 or more"
            )
        ]
    }
}
