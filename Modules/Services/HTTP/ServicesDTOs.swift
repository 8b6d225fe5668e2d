import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Services

/// An option as the API shows it, in the request's language.
struct OptionDTO: Encodable, Sendable {
    struct Fee: Encodable, Sendable {
        var amount: Money
        var period: String
    }

    var id: String
    var name: String
    var description: String
    var kind: String
    var connectionFee: Money
    var fee: Fee?
    var incompatibleWith: [String]
    /// `available`, `connected` or `included` (in the line's tariff).
    var state: String
    var connectedAt: Date?
    var request: String?
    var includedIn: String?

    init(_ view: OptionView, language: Language) {
        let option = view.option
        id = option.id.rawValue
        name = option.name.text(in: language)
        description = option.description.text(in: language)
        kind = option.kind.rawValue
        connectionFee = option.connectionFee
        fee = option.fee.map { Fee(amount: $0.amount, period: $0.period.rawValue) }
        incompatibleWith = option.incompatibleWith.map(\.rawValue)
        switch view.state {
        case .available:
            state = "available"
        case .connected(let since, let request):
            state = "connected"
            connectedAt = since
            self.request = request.map { ServiceRequest.number(for: $0) }
        case .included(let tariff):
            state = "included"
            includedIn = tariff.id
        }
    }
}

/// `POST /api/v1/me/services/{id}/preview`.
struct PreviewDTO: Encodable, Sendable {
    struct Conflict: Encodable, Sendable {
        var option: String
        var name: String
        /// The option whose rule says the two cannot be on together.
        var ruleOf: String
        var includedInTariff: Bool
        var message: String
    }
    struct Refusal: Encodable, Sendable {
        var code: String
        var message: String
    }

    var option: OptionDTO
    var connectionFee: Money
    var fee: OptionDTO.Fee?
    /// The recurring fee's share of the current period, charged with the connection, and when that period ends.
    var firstPeriodFee: Money
    var firstPeriodEnd: Date?
    /// The connection fee and the first period's share: what is charged at once.
    var chargedNow: Money
    var conflicts: [Conflict]
    var balance: Money
    var shortfall: Money?
    var allowed: Bool
    var refusal: Refusal?

    init(_ preview: OptionPreview, language: Language, catalog: MessageCatalog) {
        option = OptionDTO(OptionView(option: preview.option, state: .available), language: language)
        connectionFee = preview.connectionFee
        fee = preview.recurringFee.map { OptionDTO.Fee(amount: $0.amount, period: $0.period.rawValue) }
        firstPeriodFee = preview.firstPeriodFee
        firstPeriodEnd = preview.firstPeriodEnd
        chargedNow = preview.chargedNow
        conflicts = preview.conflicts.map { conflict in
            let other = conflict.ruleOf.id == conflict.option.id ? preview.option : conflict.option
            return Conflict(
                option: conflict.option.id.rawValue, name: conflict.option.name.text(in: language),
                ruleOf: conflict.ruleOf.id.rawValue, includedInTariff: conflict.includedInTariff,
                message: ServicesTexts.conflict(conflict, other: other, catalog: catalog, language: language))
        }
        balance = preview.balance
        shortfall = preview.shortfall
        allowed = preview.allowed
        refusal = preview.refusal.map {
            Refusal(code: $0.code.rawValue, message: catalog.message(for: $0, in: language))
        }
    }
}

/// `{"replace": ["roaming-ban"]}`: the conflicting options to switch off with the connection.
struct ConnectBody: Decodable, Sendable {
    var replace: [String]?

    func options() throws -> [OptionID] {
        var problems: [FieldError] = []
        var result: [OptionID] = []
        for (index, text) in (replace ?? []).enumerated() {
            if let id = OptionID(rawValue: text) {
                result.append(id)
            } else {
                problems.append(
                    FieldError(
                        field: "replace[\(index)]", code: ServicesError.optionUnknown, arguments: ["option": text]))
            }
        }
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        return result
    }
}

/// Texts shared by the API and the pages.
enum ServicesTexts {
    /// "«Запрет роуминга» несовместима с «Международный роуминг»": the rule's owner first.
    static func conflict(
        _ conflict: OptionPreview.Conflict, other: ServiceOption, catalog: MessageCatalog, language: Language
    ) -> String {
        if conflict.includedInTariff {
            return catalog.text(
                "web.services.conflictIncluded", in: language,
                arguments: ["option": conflict.option.name.text(in: language)])
        }
        return catalog.text(
            "web.services.conflictRule", in: language,
            arguments: ["option": conflict.ruleOf.name.text(in: language), "other": other.name.text(in: language)])
    }

    static func recurring(_ fee: RecurringFee?, catalog: MessageCatalog, language: Language) -> String {
        guard let fee else { return catalog.text("web.services.noRecurring", in: language) }
        return catalog.text(
            "web.services.recurring.\(fee.period.rawValue)", in: language,
            arguments: ["amount": fee.amount.displayString])
    }

    static func connection(_ fee: Money, catalog: MessageCatalog, language: Language) -> String {
        fee.isPositive ? fee.displayString : catalog.text("web.services.free", in: language)
    }

    static func optionID(_ context: CabinetRequestContext) throws -> OptionID {
        let raw = context.parameters.get("id") ?? ""
        guard let id = OptionID(rawValue: raw) else {
            throw CabinetError(ServicesError.optionUnknown, arguments: ["option": raw])
        }
        return id
    }
}
