import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Payments

/// `/api/v1/me/transfers` and the `/transfers` page. Sending needs a step-up: an SMS code confirmed in this session
/// within the last five minutes (`POST /api/v1/auth/step-up`, then `/verify`).
struct TransferRoutes {
    let service: any PaymentsService
    let idempotency: IdempotentRequests
    let renderer: WebRenderer
    let api: PaymentsAPIRoutes

    var catalog: MessageCatalog { renderer.catalog }

    func add(api group: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        group.post("me/transfers") { request, context in
            let line = try context.requireMoneyLeaving(now: service.now, alwaysStepUp: true)
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                request in
                let body = try await request.decodeJSON(as: TransferBody.self, context: context)
                let transfer = try await send(line, to: body.to, amount: body.amount)
                return (.created, try JSONEncoder.apiBody(TransferDTO(transfer, viewer: line.subscriberID)))
            }
        }
        group.get("me/transfers") { _, context in
            let line = try context.requireLine(.viewBalance)
            let items = try await service.transfers(of: line.subscriberID).map {
                TransferDTO($0, viewer: line.subscriberID)
            }
            return try Response.json(Page(items: items, nextCursor: nil))
        }
        web.get("transfers") { request, context in try await page(request, context, error: nil) }
        web.post("transfers") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await page(request, context, error: $0) }
            ) { fields in
                let line = try context.requireMoneyLeaving(now: service.now, alwaysStepUp: true)
                // A double click sends the money once and shows the same answer.
                return try await idempotency.form(
                    submission: fields["submission"], scope: "line:\(line.subscriberID.rawValue)",
                    path: request.uri.path
                ) {
                    let transfer = try await send(line, to: fields["to"] ?? "", amount: fields["amount"] ?? "")
                    return "/transfers?done=\(transfer.requestID.map { ServiceRequest.number(for: $0) } ?? "")"
                }
            }
        }
    }

    func send(_ line: LineAccess, to text: String, amount: String) async throws -> Transfer {
        return try await service.transfer(
            from: line.subscriberID, to: try MSISDNField.parse(text, field: "to"),
            amount: try PaymentsInput.money(amount, currency: try api.currency(line.region)))
    }

    func page(_ request: Request, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let limits = service.settings(line.region)?.transfers
        let transfers = try await service.transfers(of: line.subscriberID)
        var data: [String: Any] = [
            "csrf": context.session?.csrfToken ?? "",
            "canPay": context.line?.scopes.contains(.pay) == true,
            "steppedUp": (try? context.requireStepUp(now: service.now)) != nil,
            "noTransfers": transfers.isEmpty,
            "submission": IdempotentRequests.newSubmission(),
        ]
        if let limits {
            data["limits"] = catalog.text(
                "web.transfers.limits", in: language,
                arguments: [
                    "minimum": limits.minimum.displayString, "maximum": limits.maxPerTransfer.displayString,
                    "perDay": limits.maxPerDay.displayString, "fee": limits.fee.displayString,
                ])
        }
        data["transfers"] = transfers.map { transfer -> [String: Any] in
            let outgoing = transfer.sender == line.subscriberID
            return [
                "date": WebDates.dateTime(transfer.createdAt, language: language),
                "direction": catalog.text(outgoing ? "web.transfers.out" : "web.transfers.in", in: language),
                "other": (outgoing ? transfer.recipientMSISDN : transfer.senderMSISDN).formatted,
                "amount": transfer.amount.displayString,
                "status": transfer.status.rawValue,
                "statusText": catalog.text("web.transfers.status.\(transfer.status.rawValue)", in: language),
            ]
        }
        if let done = request.uri.queryParameters.get("done") {
            data["notice"] = catalog.text("web.transfers.done", in: language, arguments: ["request": String(done)])
        }
        if let error { data["error"] = error }
        return renderer.render(
            "transfers", title: catalog.text("web.transfers.title", in: language), context: context, data: data,
            path: "/transfers")
    }
}

struct TransferBody: Decodable {
    var to: String
    var amount: String
}

struct TransferDTO: Encodable {
    var id: Int64
    var direction: String
    var from: String
    var to: String
    var amount: Money
    var fee: Money?
    var status: String
    var requestId: String?
    var createdAt: Date

    init(_ transfer: Transfer, viewer: SubscriberID) {
        let outgoing = transfer.sender == viewer
        id = transfer.id
        direction = outgoing ? "out" : "in"
        from = transfer.senderMSISDN.e164
        to = transfer.recipientMSISDN.e164
        amount = transfer.amount
        fee = outgoing ? transfer.fee : nil
        status = transfer.status.rawValue
        requestId = outgoing ? transfer.requestID.map { ServiceRequest.number(for: $0) } : nil
        createdAt = transfer.createdAt
    }
}
