import CabinetCore
import Foundation
import Tariffs

/// A tariff as the API shows it, in the request's language.
struct TariffDTO: Encodable, Sendable {
    struct Fee: Encodable, Sendable { var amount: String; var currency: String; var period: String }
    struct Packages: Encodable, Sendable { var minutes: Int; var sms: Int; var megabytes: Int }
    struct Prices: Encodable, Sendable {
        var onNetMinute: Money
        var offNetMinute: Money
        var intercityMinute: Money
        var sms: Money
        var megabyte: Money
    }

    var id: String
    var name: String
    var description: String
    var fee: Fee
    var packages: Packages
    var rollover: Bool
    var prices: Prices
    var status: String
    /// `immediately`, `nextPeriod` or both: how the tariff may be taken.
    var timings: [String]
    var includedOptions: [String]

    init(_ tariff: Tariff, language: Language) {
        id = tariff.id.rawValue
        name = tariff.name.text(in: language)
        description = tariff.description.text(in: language)
        fee = Fee(
            amount: tariff.fee.amount.amountString, currency: tariff.fee.amount.currency.code,
            period: tariff.fee.period.rawValue)
        packages = Packages(
            minutes: tariff.packages.minutes, sms: tariff.packages.sms, megabytes: tariff.packages.megabytes)
        rollover = tariff.rollover
        prices = Prices(
            onNetMinute: tariff.prices.onNetMinute, offNetMinute: tariff.prices.offNetMinute,
            intercityMinute: tariff.prices.intercityMinute, sms: tariff.prices.sms, megabyte: tariff.prices.megabyte)
        status = tariff.status.rawValue
        timings = TariffChangeTiming.allCases.filter(tariff.allows).map(\.rawValue)
        includedOptions = tariff.includedOptions.map(\.rawValue)
    }
}

/// `{"tariff": "bezlimit", "timing": "immediately" | "nextPeriod"}` — the words of the region files' `change`.
struct ChangeBody: Decodable, Sendable {
    var tariff: String
    var timing: String?

    func parsed() throws -> (TariffID, TariffChangeTiming) {
        var problems: [FieldError] = []
        let id = TariffID(rawValue: tariff)
        if id == nil {
            problems.append(FieldError(field: "tariff", code: "tariffs.idInvalid", arguments: ["value": tariff]))
        }
        let timing = TariffChangeTiming(rawValue: self.timing ?? "immediately")
        if timing == nil {
            problems.append(
                FieldError(field: "timing", code: "tariffs.timingInvalid", arguments: ["value": self.timing ?? ""]))
        }
        guard let id, let timing, problems.isEmpty else { throw CabinetError.validation(problems) }
        return (id, timing)
    }
}

/// The preview as JSON.
struct PreviewDTO: Encodable, Sendable {
    struct Remainder: Encodable, Sendable { var unit: String; var left: Int64; var total: Int64 }
    struct Package: Encodable, Sendable {
        /// `replacedNow` (remainders end now) or `keptUntil` (used until the change).
        var outcome: String
        var lost: [Remainder]
        var keptUntil: Date?
    }
    struct Refusal: Encodable, Sendable { var code: String; var message: String }
    /// An option the change frees (included now, its fee stops), drops (the old tariff's) or removes (a conflict).
    struct OptionChange: Encodable, Sendable { var option: String; var name: String; var change: String }

    var current: TariffDTO?
    var target: TariffDTO
    var timing: String
    var effectiveAt: Date
    var changeFee: Money
    var feeNow: Money
    var chargeToday: Money
    var package: Package
    var firstRegularFeeOn: LocalDate
    var balance: Money
    var balanceAfter: Money
    var allowed: Bool
    var refusal: Refusal?
    var optionChanges: [OptionChange]

    init(_ preview: TariffChangePreview, language: Language, catalog: MessageCatalog) {
        current = preview.current.map { TariffDTO($0, language: language) }
        target = TariffDTO(preview.target, language: language)
        timing = preview.timing.rawValue
        effectiveAt = preview.effectiveAt
        changeFee = preview.changeFee
        feeNow = preview.feeNow
        chargeToday = preview.chargeToday
        switch preview.packageOutcome {
        case .replacedNow(let lost):
            package = Package(
                outcome: "replacedNow",
                lost: lost.map { Remainder(unit: $0.unit.rawValue, left: $0.left, total: $0.total) },
                keptUntil: nil)
        case .keptUntil(let until):
            package = Package(outcome: "keptUntil", lost: [], keptUntil: until)
        }
        firstRegularFeeOn = preview.firstRegularFeeOn
        balance = preview.balance
        balanceAfter = preview.balanceAfter
        allowed = preview.refusal == nil
        refusal = preview.refusal.map {
            Refusal(code: $0.code.rawValue, message: catalog.message(for: $0, in: language))
        }
        optionChanges = preview.optionChanges.map {
            OptionChange(option: $0.option.rawValue, name: $0.name.text(in: language), change: $0.kind.rawValue)
        }
    }
}

/// `GET /api/v1/me/tariff`.
struct LineTariffDTO: Encodable, Sendable {
    struct Span: Encodable, Sendable {
        var tariff: String; var name: String; var since: Date; var until: Date?; var request: String?
    }
    var current: TariffDTO
    var since: Date
    var planned: Span?
    var history: [Span]
}
