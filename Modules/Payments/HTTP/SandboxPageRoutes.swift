import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Payments

/// The sandbox gateway's hosted payment page, `/sandbox/pay/:id` — the page of the "bank", not of the cabinet: the
/// card number is typed here and never reaches Cabinet's code or database. After a payment it delivers the gateway's
/// signed webhooks to the same receiver `/api/v1/payments/webhook/sandbox` uses, then sends the payer back.
struct SandboxPageRoutes {
    let sandbox: SandboxGateway
    let service: any PaymentsService
    let renderer: WebRenderer
    let clock: any WallClock

    var catalog: MessageCatalog { renderer.catalog }

    func add(to web: RouterGroup<CabinetRequestContext>) {
        web.get("sandbox/pay/:id") { _, context in try await page(context, error: nil, threeDS: false) }
        // The checkout id is an unguessable capability, as at real gateways; the page keeps no session of its own.
        web.post("sandbox/pay/:id") { request, context in
            let fields = try await request.formFields()
            let id = context.parameters.get("id") ?? ""
            do {
                return try await finish(
                    try await sandbox.pay(
                        id, card: fields["card"], expiry: fields["expiry"], cvc: fields["cvc"], now: clock.now),
                    context)
            } catch let error as CabinetError where error.kind != .internal {
                var response = try await page(
                    context, error: WebForms.explain(error, catalog: catalog, language: context.language),
                    threeDS: false)
                response.status = error.kind.httpStatus
                return response
            }
        }
        web.post("sandbox/pay/:id/3ds") { request, context in
            let fields = try await request.formFields()
            return try await finish(
                try await sandbox.confirm3DS(context.parameters.get("id") ?? "", code: fields["code"] ?? ""), context)
        }
    }

    func finish(_ step: SandboxGateway.Step, _ context: CabinetRequestContext) async throws -> Response {
        switch step {
        case .needs3DS:
            return try await page(context, error: nil, threeDS: true)
        case .finished(let returnURL, let webhooks):
            for webhook in webhooks {
                try await service.receiveWebhook(
                    gateway: sandbox.name, body: webhook.body, signature: webhook.signature)
            }
            return .seeOther(to: returnURL)
        }
    }

    func page(_ context: CabinetRequestContext, error: String?, threeDS: Bool) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let checkout = try await sandbox.checkout(id) else { throw CabinetError(PaymentsError.checkoutUnknown) }
        var data: [String: Any] = [
            "id": id,
            "amount": checkout.order.amount.displayString,
            "description": checkout.order.description,
            "wallet": checkout.order.method == .wallet,
            "threeDS": threeDS,
            "returnURL": checkout.order.returnURL,
        ]
        if case .closed = checkout.state { data["closed"] = true }
        if let error { data["error"] = error }
        return renderer.render(
            "sandbox-pay", title: catalog.text("web.sandbox.title", in: context.language), context: context, data: data,
            path: "/sandbox")
    }
}
