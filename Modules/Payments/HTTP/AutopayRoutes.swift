import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Payments

/// Saved cards (`/api/v1/me/payments/cards…`) and auto-payment (`/api/v1/me/autopay`, page `/autopay`).
struct AutopayRoutes {
    let service: any PaymentsService
    let renderer: WebRenderer
    let api: PaymentsAPIRoutes

    var catalog: MessageCatalog { renderer.catalog }

    func add(api group: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        group.get("me/payments/cards") { _, context in
            let line = try context.requireLine(.viewBalance)
            return try Response.json(
                Page(items: try await service.cards(of: line.subscriberID).map(CardDTO.init), nextCursor: nil))
        }
        // Protective actions stay open on a blocked or suspended line: its owner may stop its card being used.
        group.post("me/payments/cards/:id/default") { _, context in
            let line = try context.requireLine(.pay, alsoWhen: [.blocked, .suspended])
            try await service.setDefaultCard(try cardID(context), of: line.subscriberID)
            return Response(status: .noContent)
        }
        group.delete("me/payments/cards/:id") { _, context in
            let line = try context.requireLine(.pay, alsoWhen: [.blocked, .suspended])
            try await service.deleteCard(try cardID(context), of: line.subscriberID)
            return Response(status: .noContent)
        }
        group.get("me/autopay") { _, context in
            let line = try context.requireLine(.viewBalance)
            struct Answer: Encodable { var enabled: Bool; var rule: AutopayDTO? }
            let rule = try await service.autopay(of: line.subscriberID)
            return try Response.json(Answer(enabled: rule != nil, rule: rule.map(AutopayDTO.init)))
        }
        group.put("me/autopay") { request, context in
            let line = try context.requireMoneyLeaving(now: service.now)
            let body = try await request.decodeJSON(as: AutopayBody.self, context: context)
            let rule = try await service.setAutopay(try body.rule(for: line, currency: try api.currency(line.region)))
            return try Response.json(AutopayDTO(rule))
        }
        group.delete("me/autopay") { _, context in
            let line = try context.requireLine(.pay, alsoWhen: [.blocked, .suspended])
            try await service.disableAutopay(of: line.subscriberID)
            return Response(status: .noContent)
        }

        web.get("autopay") { _, context in try await page(context, error: nil) }
        web.post("autopay") { request, context in
            try await WebForms.action(request, context, catalog: catalog, page: { try await page(context, error: $0) })
            { fields in
                let line = try context.requireMoneyLeaving(now: service.now)
                let body = AutopayBody(
                    kind: fields["kind"] ?? "", threshold: fields["threshold"],
                    dayOfMonth: fields["dayOfMonth"].flatMap { Int($0) },
                    amount: fields["amount"] ?? "", monthlyCap: fields["monthlyCap"] ?? "")
                _ = try await service.setAutopay(try body.rule(for: line, currency: try api.currency(line.region)))
                return .seeOther(to: "/autopay")
            }
        }
        web.post("autopay/off") { request, context in
            try await WebForms.action(request, context, catalog: catalog, page: { try await page(context, error: $0) })
            { _ in
                try await service.disableAutopay(
                    of: try context.requireLine(.pay, alsoWhen: [.blocked, .suspended]).subscriberID)
                return .seeOther(to: "/autopay")
            }
        }
        web.post("payments/cards/:id/default") { request, context in
            try await WebForms.action(request, context, catalog: catalog, page: { _ in .seeOther(to: "/payments") }) {
                _ in
                try await service.setDefaultCard(
                    try cardID(context),
                    of: try context.requireLine(.pay, alsoWhen: [.blocked, .suspended]).subscriberID)
                return .seeOther(to: "/payments")
            }
        }
        web.post("payments/cards/:id/delete") { request, context in
            try await WebForms.action(request, context, catalog: catalog, page: { _ in .seeOther(to: "/payments") }) {
                _ in
                try await service.deleteCard(
                    try cardID(context),
                    of: try context.requireLine(.pay, alsoWhen: [.blocked, .suspended]).subscriberID)
                return .seeOther(to: "/payments")
            }
        }
    }

    func cardID(_ context: CabinetRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
            throw CabinetError(PaymentsError.cardUnknown)
        }
        return id
    }

    func page(_ context: CabinetRequestContext, error: String?) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let rule = try await service.autopay(of: line.subscriberID)
        let card = try await service.cards(of: line.subscriberID).first(where: \.isDefault)
        let limits = service.settings(line.region)?.autopay
        var data: [String: Any] = [
            "csrf": context.session?.csrfToken ?? "",
            "canPay": context.line?.scopes.contains(.pay) == true,
            "hasCard": card != nil,
            "card": card?.maskedCard ?? "",
            "isThreshold": rule?.kind != .schedule,
            "threshold": rule?.threshold?.amountString ?? "100.00",
            "dayOfMonth": String(rule?.dayOfMonth ?? 1),
            "amount": rule?.amount.amountString ?? "300.00",
            "monthlyCap": rule?.monthlyCap.amountString ?? limits?.maxPerMonth.amountString ?? "",
        ]
        if let rule {
            let when =
                rule.kind == .threshold
                ? "\(catalog.text("web.autopay.threshold", in: language)) \(rule.threshold?.displayString ?? "")"
                : "\(catalog.text("web.autopay.schedule", in: language)) \(rule.dayOfMonth ?? 1)"
            data["rule"] = ["when": when, "amount": rule.amount.displayString, "cap": rule.monthlyCap.displayString]
        }
        if let error { data["error"] = error }
        return renderer.render(
            "autopay", title: catalog.text("web.autopay.title", in: language), context: context, data: data,
            path: "/autopay")
    }
}

struct CardDTO: Encodable {
    var id: Int64
    var maskedCard: String
    var isDefault: Bool
    var createdAt: Date

    init(_ card: SavedCard) {
        id = card.id
        maskedCard = card.maskedCard
        isDefault = card.isDefault
        createdAt = card.createdAt
    }
}

struct AutopayDTO: Encodable {
    var kind: String
    var threshold: Money?
    var dayOfMonth: Int?
    var amount: Money
    var monthlyCap: Money
    var updatedAt: Date

    init(_ rule: AutopayRule) {
        kind = rule.kind.rawValue
        threshold = rule.threshold
        dayOfMonth = rule.dayOfMonth
        amount = rule.amount
        monthlyCap = rule.monthlyCap
        updatedAt = rule.updatedAt
    }
}

struct AutopayBody: Decodable {
    var kind: String
    var threshold: String?
    var dayOfMonth: Int?
    var amount: String
    var monthlyCap: String

    func rule(for line: LineAccess, currency: Currency) throws -> AutopayRule {
        guard let kind = AutopayRule.Kind(rawValue: kind) else {
            throw CabinetError.validation([
                FieldError(
                    field: "kind", code: PaymentsError.autopayInvalid, arguments: ["maximum": "threshold, schedule"])
            ])
        }
        return AutopayRule(
            line: line.subscriberID, kind: kind,
            threshold: kind == .threshold
                ? try PaymentsInput.money(threshold ?? "", currency: currency, field: "threshold") : nil,
            dayOfMonth: kind == .schedule ? dayOfMonth : nil,
            amount: try PaymentsInput.money(amount, currency: currency),
            monthlyCap: try PaymentsInput.money(monthlyCap, currency: currency, field: "monthlyCap"), updatedAt: Date())
    }
}
