import Billing
import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird

/// `/api/v1/me/shares` and the `/shares` page: gigabytes of the line's own package given to another line. Giving
/// value away needs the `moveMoney` right, and a step-up when the line is not the session's own.
struct SharingRoutes {
    let service: any DataSharingService
    let idempotency: IdempotentRequests
    let renderer: WebRenderer

    var catalog: MessageCatalog { renderer.catalog }

    func add(api: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        api.get("me/shares") { _, context in
            let line = try context.requireLine(.viewBalance)
            return try Response.json(SharingDTO(try await service.sharing(for: line), own: line.msisdn))
        }
        api.post("me/shares") { request, context in
            let line = try context.requireMoneyLeaving(now: Date())
            let language = context.language
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                request in
                let body = try await request.decodeJSON(as: ShareBody.self, context: context)
                let share = try await service.share(
                    body.gigabytes, from: line, to: try MSISDNField.parse(body.to, field: "to"), language: language)
                return (.created, try JSONEncoder.apiBody(SharingDTO.Item(share, own: line.msisdn)))
            }
        }
        web.get("shares") { request, context in try await page(request, context, error: nil, typed: [:]) }
        web.post("shares") { request, context in
            var typed: [String: String] = [:]
            return try await WebForms.action(
                request, context, catalog: catalog,
                page: { try await page(request, context, error: $0, typed: typed) }
            ) { fields in
                typed = fields
                let line = try context.requireMoneyLeaving(now: Date())
                guard let gigabytes = Int(fields["gigabytes"] ?? "") else {
                    throw CabinetError.validation([FieldError(field: "gigabytes", code: BillingError.shareAmount)])
                }
                let share = try await service.share(
                    gigabytes, from: line, to: try MSISDNField.parse(fields["to"] ?? "", field: "to"),
                    language: context.language)
                return .seeOther(to: "/shares?done=\(share.id)")
            }
        }
    }

    func page(_ request: Request, _ context: CabinetRequestContext, error: String?, typed: [String: String])
        async throws -> Response
    {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let view = try await service.sharing(for: line)
        let policy = view.policy
        let fee =
            policy.fee.isPositive
            ? catalog.text("web.shares.fee", in: language, arguments: ["fee": policy.fee.displayString]) : ""
        var data: [String: Any] = [
            "csrf": context.session?.csrfToken ?? "",
            "rules": catalog.text(
                "web.shares.rules", in: language,
                arguments: [
                    "max": String(policy.maxGigabytes), "days": String(policy.validDays),
                    "perDay": String(policy.maxPerDay), "perMonth": String(policy.maxPerMonth), "fee": fee,
                ]),
            "own": catalog.text("web.shares.own", in: language, arguments: ["megabytes": String(view.ownMegabytes)]),
            "canShare": line.scopes.contains(.moveMoney),
            "choices": (1...policy.maxGigabytes).map { ["value": String($0)] },
            "typedTo": typed["to"] ?? "",
            "recent": view.recent.map { share -> [String: String] in
                let given = share.from == line.msisdn
                return [
                    "text": catalog.text(
                        given ? "web.shares.given" : "web.shares.received", in: language,
                        arguments: [
                            "megabytes": String(share.megabytes), "to": share.to.formatted,
                            "from": share.from.formatted,
                        ]),
                    "at": WebDates.dateTime(share.at, language: language),
                ]
            },
        ]
        if let done = request.uri.queryParameters.get("done"), let id = Int64(done),
            let share = view.recent.first(where: { $0.id == id })
        {
            data["notice"] = catalog.text(
                "web.shares.done", in: language,
                arguments: [
                    "megabytes": String(share.megabytes), "to": share.to.formatted,
                    "until": WebDates.dateTime(share.expiresAt, language: language),
                ])
        }
        if let error { data["error"] = error }
        return renderer.render(
            "shares", title: catalog.text("web.shares.title", in: language), context: context, data: data,
            path: "/shares")
    }
}

/// `{"to": "+79001234568", "gigabytes": 2}`.
struct ShareBody: Decodable, Sendable {
    var to: String
    var gigabytes: Int
}

struct SharingDTO: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        var id: Int64
        /// `given` or `received`, seen from the asking line.
        var direction: String
        var from: String
        var to: String
        var megabytes: Int64
        var fee: Money
        var expiresAt: Date
        var at: Date
        var request: String

        init(_ share: DataShare, own: MSISDN) {
            id = share.id
            direction = share.from == own ? "given" : "received"
            from = share.from.e164
            to = share.to.e164
            megabytes = share.megabytes
            fee = share.fee
            expiresAt = share.expiresAt
            at = share.at
            request = ServiceRequest.number(for: share.requestID)
        }
    }

    var maxGigabytes: Int
    var validDays: Int
    var fee: Money
    var maxPerDay: Int
    var maxPerMonth: Int
    var ownMegabytes: Int64
    var givenToday: Int
    var givenThisMonth: Int
    var items: [Item]

    init(_ view: SharingView, own: MSISDN) {
        maxGigabytes = view.policy.maxGigabytes
        validDays = view.policy.validDays
        fee = view.policy.fee
        maxPerDay = view.policy.maxPerDay
        maxPerMonth = view.policy.maxPerMonth
        ownMegabytes = view.ownMegabytes
        givenToday = view.givenToday
        givenThisMonth = view.givenThisMonth
        items = view.recent.map { Item($0, own: own) }
    }
}
