import CabinetCore
import CabinetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Payments
import Subscribers

/// `/api/v1/me/payments…`, `/api/v1/me/promised-payment`, the public `/api/v1/payments` (pay for another number) and
/// the gateways' webhooks at `/api/v1/payments/webhook/{gateway}`.
struct PaymentsAPIRoutes {
    let service: any PaymentsService
    let idempotency: IdempotentRequests
    let catalog: MessageCatalog
    let publicBaseURL: String

    func add(to api: RouterGroup<CabinetRequestContext>) {
        api.post("me/payments") { request, context in
            // Money coming in from a new card is welcome on a blocked or suspended line (a saved card's is not).
            let line = try context.requireLine(.pay, alsoWhen: [.blocked, .suspended])
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                request in
                let body = try await request.decodeJSON(as: TopUpBody.self, context: context)
                let amount = try PaymentsInput.money(body.amount, currency: currency(line.region))
                if let card = body.cardId {
                    // A saved card's money leaves without the payer at the gateway: the owner's consent is needed.
                    _ = try context.requireMoneyLeaving(now: service.now)
                    let payment = try await service.payWithCard(card, line: line.subscriberID, amount: amount)
                    return (
                        .created,
                        try JSONEncoder.apiBody(PaymentDTO(payment, catalog: catalog, language: context.language))
                    )
                }
                let started = try await service.startTopUp(
                    of: line.subscriberID, amount: amount, method: try PaymentsInput.method(body.method),
                    anonymous: false, saveCard: body.saveCard ?? false,
                    returnURL: { "\(publicBaseURL)/payments/\($0)" })
                return (
                    .created,
                    try JSONEncoder.apiBody(
                        PaymentDTO(
                            started.payment, catalog: catalog, language: context.language,
                            confirmationURL: started.confirmationURL))
                )
            }
        }
        api.get("me/payments") { request, context in
            let line = try context.requireLine(.viewBalance)
            let query = try PageQuery(request)
            let items = try await service.history(
                of: line.subscriberID, before: query.rawCursor, limit: query.fetchLimit)
            return try Response.json(
                Page(items, query: query, cursor: \.id) {
                    PaymentDTO($0, catalog: catalog, language: context.language)
                })
        }
        api.get("me/payments/:id") { _, context in
            let line = try context.requireLine(.viewBalance)
            let payment = try await service.payment(context.parameters.get("id") ?? "", of: line.subscriberID)
            return try Response.json(PaymentDTO(payment, catalog: catalog, language: context.language))
        }
        api.get("me/promised-payment") { _, context in
            let line = try context.requireLine(.viewBalance)
            let eligibility = try await service.promisedEligibility(of: line.subscriberID)
            return try Response.json(EligibilityDTO(eligibility, catalog: catalog, language: context.language))
        }
        api.post("me/promised-payment") { request, context in
            // Credit with a fee, and money that could be spent at once: a code confirmed on the line's number first.
            let line = try context.requireLine(.pay)
            try context.requireStepUp(now: service.now)
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                request in
                let body = try await request.decodeJSON(as: PromisedBody.self, context: context)
                let promised = try await service.takePromised(
                    line.subscriberID, amount: try PaymentsInput.money(body.amount, currency: currency(line.region)))
                return (.created, try JSONEncoder.apiBody(PromisedDTO(promised)))
            }
        }
        // Paying for any number of the operator needs no login; the key protects a payer who presses twice. Keys are
        // scoped by the client's address, so nobody replays another payer's answer by guessing a key.
        api.post("payments") { request, context in
            try await idempotency.run(request, context: context, scope: "public:\(context.clientAddress ?? "-")") {
                request in
                let body = try await request.decodeJSON(as: PublicTopUpBody.self, context: context)
                let started = try await startPublic(
                    msisdn: body.msisdn, amount: body.amount, method: body.method, from: context.clientAddress)
                return (
                    .created,
                    try JSONEncoder.apiBody(
                        PaymentDTO(
                            started.payment, catalog: catalog, language: context.language,
                            confirmationURL: started.confirmationURL))
                )
            }
        }
        api.get("payments/:id") { _, context in
            let payment = try await service.payment(context.parameters.get("id") ?? "", of: nil)
            return try Response.json(
                PublicPaymentDTO(id: payment.id, status: payment.status.rawValue, amount: payment.amount))
        }
        api.post("payments/webhook/:gateway") { request, context in
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: 64 << 10)
            } catch {
                throw CabinetError(KernelError.tooLarge)
            }
            try await service.receiveWebhook(
                gateway: context.parameters.get("gateway") ?? "", body: Data(body.readableBytesView),
                signature: request.headers[PaymentsHTTPModule.signatureHeader], from: context.clientAddress)
            return Response(status: .noContent)
        }
    }

    func currency(_ region: RegionID) throws -> Currency {
        guard let currency = service.currency(of: region) else { throw CabinetError(PaymentsError.lineUnknown) }
        return currency
    }

    func startPublic(msisdn text: String, amount: String, method: String?, from address: String?) async throws
        -> StartedTopUp
    {
        let msisdn = try MSISDNField.parse(text, field: "msisdn")
        let method = try PaymentsInput.method(method)
        return try await service.startAnonymousTopUp(
            of: msisdn, amount: { try PaymentsInput.money(amount, currency: $0) }, method: method, from: address,
            returnURL: { "\(publicBaseURL)/pay/\($0)" })
    }
}
