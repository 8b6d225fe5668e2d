import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Payments

/// Pages: `/payments` (top-up and history), `/payments/:id` (where the gateway sends the payer back),
/// `/promised-payment`, and the public `/pay` (top up any number without logging in).
struct PaymentsWebRoutes {
    let service: any PaymentsService
    let renderer: WebRenderer
    let api: PaymentsAPIRoutes

    var catalog: MessageCatalog { renderer.catalog }

    func add(to web: RouterGroup<CabinetRequestContext>) {
        web.get("payments") { request, context in try await paymentsPage(request, context, error: nil) }
        web.post("payments/topup") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await paymentsPage(request, context, error: $0) }
            ) { fields in
                let line = try context.requireLine(.pay, alsoWhen: [.blocked, .suspended])
                // A double click charges a saved card once.
                return try await api.idempotency.form(
                    submission: fields["submission"], scope: "line:\(line.subscriberID.rawValue)",
                    path: request.uri.path
                ) {
                    let amount = try PaymentsInput.money(
                        fields["amount"] ?? "", currency: try api.currency(line.region))
                    if let method = fields["method"], method.hasPrefix("card:"), let card = Int64(method.dropFirst(5)) {
                        _ = try context.requireMoneyLeaving(now: service.now)
                        let payment = try await service.payWithCard(card, line: line.subscriberID, amount: amount)
                        return "/payments/\(payment.id)"
                    }
                    let started = try await service.startTopUp(
                        of: line.subscriberID, amount: amount, method: try PaymentsInput.method(fields["method"]),
                        anonymous: false, saveCard: fields["saveCard"] == "on",
                        returnURL: { "\(api.publicBaseURL)/payments/\($0)" })
                    return started.confirmationURL
                }
            }
        }
        web.get("payments/:id") { _, context in
            let line = try context.requireLine(.viewBalance)
            let payment = try await service.payment(context.parameters.get("id") ?? "", of: line.subscriberID)
            return statusPage(payment, context, back: "/payments")
        }
        web.get("promised-payment") { request, context in try await promisedPage(request, context, error: nil) }
        web.post("promised-payment") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await promisedPage(request, context, error: $0) }
            ) { fields in
                let line = try context.requireLine(.pay)
                try context.requireStepUp(now: service.now)
                return try await api.idempotency.form(
                    submission: fields["submission"], scope: "line:\(line.subscriberID.rawValue)",
                    path: request.uri.path
                ) {
                    let promised = try await service.takePromised(
                        line.subscriberID,
                        amount: try PaymentsInput.money(
                            fields["amount"] ?? "", currency: try api.currency(line.region)))
                    return "/promised-payment?taken=\(promised.requestID.map { ServiceRequest.number(for: $0) } ?? "")"
                }
            }
        }
        web.get("pay") { _, context in publicPage(context, error: nil, fields: [:]) }
        // No anti-forgery token: this form only starts a payment the payer then completes at the gateway.
        web.post("pay") { request, context -> Response in
            let fields = try await request.formFields()
            do {
                let started = try await api.startPublic(
                    msisdn: fields["msisdn"] ?? "", amount: fields["amount"] ?? "", method: fields["method"],
                    from: context.clientAddress)
                return .seeOther(to: started.confirmationURL)
            } catch let error as CabinetError where error.kind != .internal {
                var response: Response = publicPage(
                    context, error: WebForms.explain(error, catalog: catalog, language: context.language),
                    fields: fields)
                response.status = error.kind.httpStatus
                return response
            }
        }
        web.get("pay/:id") { _, context in
            let payment = try await service.payment(context.parameters.get("id") ?? "", of: nil)
            return statusPage(payment, context, back: "/pay", showNumber: false)
        }
    }

    func paymentsPage(_ request: Request, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let limits = service.settings(line.region)?.topUp
        let payments = try await service.history(of: line.subscriberID, before: nil, limit: 20)
        let cards = try await service.cards(of: line.subscriberID)
        var data: [String: Any] = [
            "csrf": context.session?.csrfToken ?? "",
            "submission": IdempotentRequests.newSubmission(),
            "minimum": limits?.minimum.displayString ?? "",
            "maximum": limits?.maximum.displayString ?? "",
            "canPay": context.line?.scopes.contains(.pay) == true,
            "payments": payments.map { row($0, language: language) },
            "noPayments": payments.isEmpty,
            "cards": cards.map {
                ["id": String($0.id), "masked": $0.maskedCard, "isDefault": $0.isDefault] as [String: Any]
            },
            "hasCards": !cards.isEmpty,
        ]
        if let error { data["error"] = error }
        return renderer.render(
            "payments", title: catalog.text("web.payments.title", in: language), context: context, data: data,
            path: "/payments")
    }

    func row(_ payment: Payment, language: Language) -> [String: Any] {
        [
            "id": payment.id,
            "date": WebDates.dateTime(payment.createdAt, language: language),
            "amount": payment.amount.displayString,
            "method": catalog.text("web.payments.method.\(payment.method.rawValue)", in: language),
            "card": payment.maskedCard ?? "",
            "status": payment.status.rawValue,
            "statusText": catalog.text("web.payments.status.\(payment.status.rawValue)", in: language),
            "request": payment.requestID.map { ServiceRequest.number(for: $0) } ?? "",
        ]
    }

    func statusPage(_ payment: Payment, _ context: CabinetRequestContext, back: String, showNumber: Bool = true)
        -> Response
    {
        let language = context.language
        var data = row(payment, language: language)
        data["back"] = back
        data["pending"] = !payment.status.isFinal
        data["succeeded"] = payment.status == .succeeded
        if showNumber { data["msisdn"] = payment.msisdn.e164 }
        if let failure = payment.failure { data["failure"] = catalog.text(failure, in: language) }
        return renderer.render(
            "payment", title: catalog.text("web.payments.statusTitle", in: language), context: context, data: data,
            path: back)
    }

    func promisedPage(_ request: Request, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let eligibility = try await service.promisedEligibility(of: line.subscriberID)
        var data: [String: Any] = [
            "csrf": context.session?.csrfToken ?? "",
            "balance": eligibility.balance.displayString,
            "reasons": eligibility.refusals.map {
                ["text": catalog.text($0.code.rawValue, in: language, arguments: $0.arguments)]
            },
            "canPay": context.line?.scopes.contains(.pay) == true,
            "steppedUp": (try? context.requireStepUp(now: service.now)) != nil,
            "submission": IdempotentRequests.newSubmission(),
        ]
        if let offer = eligibility.offer {
            let amounts: [[String: Any]] = offer.amounts.enumerated().map { index, amount in
                ["value": amount.amountString, "label": amount.displayString, "checked": index == 0]
            }
            var offered: [String: Any] = [
                "amounts": amounts, "fee": offer.fee.displayString, "termDays": String(offer.termDays),
            ]
            offered["due"] = WebDates.dateTime(offer.dueAt, language: language)
            data["offer"] = offered
        }
        if let active = eligibility.active {
            data["active"] = [
                "amount": active.amount.displayString, "fee": active.fee.displayString,
                "due": WebDates.dateTime(active.dueAt, language: language),
            ]
        }
        if let taken = request.uri.queryParameters.get("taken") {
            data["notice"] = catalog.text("web.promised.taken", in: language, arguments: ["request": String(taken)])
        }
        if let error { data["error"] = error }
        return renderer.render(
            "promised", title: catalog.text("web.promised.title", in: language), context: context, data: data,
            path: "/promised-payment")
    }

    func publicPage(_ context: CabinetRequestContext, error: String?, fields: [String: String]) -> Response {
        var data: [String: Any] = ["msisdn": fields["msisdn"] ?? "", "amount": fields["amount"] ?? ""]
        if let error { data["error"] = error }
        return renderer.render(
            "pay", title: catalog.text("web.pay.title", in: context.language), context: context, data: data,
            path: "/pay")
    }
}
