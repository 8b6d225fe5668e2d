import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Services

/// A lost SIM: `/api/v1/me/sim-block`, the public `POST /api/v1/sim-block` (number and PUK), the operator's
/// `POST /operator/v1/lines/{msisdn}/unblock`, and the `/sim-block` page (the block button, or without a session the
/// number-and-PUK form).
struct SIMBlockRoutes {
    let service: any ServicesService
    let idempotency: IdempotentRequests
    let renderer: WebRenderer

    var catalog: MessageCatalog { renderer.catalog }

    func add(
        api: RouterGroup<CabinetRequestContext>, operatorAPI: RouterGroup<CabinetRequestContext>?,
        web: RouterGroup<CabinetRequestContext>
    ) {
        api.get("me/sim-block") { _, context in
            let line = try context.requireLine(.viewBalance)
            return try Response.json(SIMBlockDTO(try await service.simBlock(for: line)))
        }
        api.post("me/sim-block") { request, context in
            // No step-up: the code would go to the lost phone. A PUK session may block before it sets a password.
            let line = try context.requireLine(.manageServices, alsoWhen: [.suspended], beforePassword: true)
            let language = context.language
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                _ in
                let record = try await service.blockSIM(for: line, language: language)
                return (.created, try JSONEncoder.apiBody(ServiceRequestDTO(record)))
            }
        }
        // Without a login: the number and its SIM's PUK (Auth's PUK lock-outs, per address and per SIM, apply), or the
        // code sent to the owner's contact number (the login code's limits).
        api.post("sim-block") { request, context in
            try await idempotency.run(request, context: context, scope: "public:\(context.clientAddress ?? "-")") {
                request in
                let body = try await request.decodeJSON(as: PublicBlockBody.self, context: context)
                let msisdn = try Self.msisdn(body.msisdn)
                let record: ServiceRequest
                switch (body.puk, body.code) {
                case (let puk?, nil):
                    record = try await service.blockSIM(
                        msisdn: msisdn, puk: puk, clientAddress: context.clientAddress, language: context.language)
                case (nil, let code?):
                    record = try await service.blockSIM(
                        msisdn: msisdn, contact: try MSISDNField.parse(body.contact ?? "", field: "contact"),
                        code: code,
                        clientAddress: context.clientAddress, language: context.language)
                default:
                    throw CabinetError.validation([FieldError(field: "puk", code: "services.sim.pukOrCode")])
                }
                return (.created, try JSONEncoder.apiBody(ServiceRequestDTO(record)))
            }
        }
        api.post("sim-block/code") { request, context in
            let body = try await request.decodeJSON(as: BlockCodeBody.self, context: context)
            let resendAt = try await service.requestBlockCode(
                msisdn: try Self.msisdn(body.msisdn), contact: try MSISDNField.parse(body.contact, field: "contact"),
                clientAddress: context.clientAddress, language: context.language)
            return try Response.json(BlockCodeDTO(resendAt: resendAt), status: .accepted)
        }
        operatorAPI?.post("lines/:msisdn/unblock") { request, context in
            let raw = context.parameters.get("msisdn") ?? ""
            let msisdn = try MSISDNField.parse(raw.removingPercentEncoding ?? raw, field: "msisdn")
            let body = try await request.decodeJSON(as: UnblockBody.self, context: context)
            let record = try await service.operatorUnblock(msisdn: msisdn, reason: body.reason)
            return try Response.json(ServiceRequestDTO(record))
        }
        web.get("sim-block") { request, context in try await page(request, context, error: nil, typed: [:]) }
        web.post("sim-block") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await page(request, context, error: $0, typed: [:]) }
            ) { _ in
                let line = try context.requireLine(.manageServices, alsoWhen: [.suspended], beforePassword: true)
                let record = try await service.blockSIM(for: line, language: context.language)
                return .seeOther(to: "/sim-block?done=\(record.number)")
            }
        }
        // The public forms carry no anti-forgery token: they do nothing without the SIM's PUK or the code sent to the
        // owner's contact number, which a forging site cannot know.
        web.post("sim-block/contact") { request, context -> Response in
            let fields = try await request.formFields()
            do {
                let msisdn = try Self.msisdn(fields["msisdn"] ?? "")
                _ = try await service.requestBlockCode(
                    msisdn: msisdn, contact: try MSISDNField.parse(fields["contact"] ?? "", field: "contact"),
                    clientAddress: context.clientAddress, language: context.language)
                let contact = try MSISDNField.parse(fields["contact"] ?? "", field: "contact")
                return try await page(
                    request, context, error: nil, typed: ["msisdn": msisdn.e164, "contact": contact.e164],
                    codeSent: true)
            } catch let error as CabinetError where error.kind != .internal {
                var response = try await page(
                    request, context, error: WebForms.explain(error, catalog: catalog, language: context.language),
                    typed: ["msisdn": fields["msisdn"] ?? ""])
                response.status = error.kind.httpStatus
                return response
            }
        }
        web.post("sim-block/code") { request, context -> Response in
            let fields = try await request.formFields()
            do {
                let msisdn = try Self.msisdn(fields["msisdn"] ?? "")
                let record = try await service.blockSIM(
                    msisdn: msisdn, contact: try MSISDNField.parse(fields["contact"] ?? "", field: "contact"),
                    code: fields["code"] ?? "", clientAddress: context.clientAddress, language: context.language)
                return Response.seeOther(to: "/sim-block?done=\(record.number)")
            } catch let error as CabinetError where error.kind != .internal {
                var response = try await page(
                    request, context, error: WebForms.explain(error, catalog: catalog, language: context.language),
                    typed: ["msisdn": fields["msisdn"] ?? "", "contact": fields["contact"] ?? ""], codeSent: true)
                response.status = error.kind.httpStatus
                return response
            }
        }
        web.post("sim-block/puk") { request, context -> Response in
            let fields = try await request.formFields()
            do {
                let msisdn = try Self.msisdn(fields["msisdn"] ?? "")
                let record = try await service.blockSIM(
                    msisdn: msisdn, puk: fields["puk"] ?? "", clientAddress: context.clientAddress,
                    language: context.language)
                return Response.seeOther(to: "/sim-block?done=\(record.number)")
            } catch let error as CabinetError where error.kind != .internal {
                var response = try await page(
                    request, context, error: WebForms.explain(error, catalog: catalog, language: context.language),
                    typed: ["msisdn": fields["msisdn"] ?? ""])
                response.status = error.kind.httpStatus
                return response
            }
        }
    }

    static func msisdn(_ text: String) throws -> MSISDN { try MSISDNField.parse(text, field: "msisdn") }

    func page(
        _ request: Request, _ context: CabinetRequestContext, error: String?, typed: [String: String],
        codeSent: Bool = false
    ) async throws -> Response {
        let language = context.language
        var data: [String: Any] = [
            "typedMsisdn": typed["msisdn"] ?? "", "typedContact": typed["contact"] ?? "", "codeSent": codeSent,
        ]
        if let line = context.line, let session = context.session {
            let view = try await service.simBlock(for: line)
            data["contacts"] = view.contacts.map { ["number": $0.number, "label": $0.label.text(in: language)] }
            data["email"] = view.email ?? ""
            data["hasContacts"] = !view.contacts.isEmpty
            let policy = view.policy
            data["session"] = true
            data["csrf"] = session.csrfToken
            data["fees"] =
                policy.dailyFee.isPositive
                ? catalog.text(
                    "web.simBlock.fees", in: language,
                    arguments: ["free": String(policy.freeDays), "daily": policy.dailyFee.displayString])
                : catalog.text("web.simBlock.feesFree", in: language)
            if view.status == .blocked || view.status == .terminated {
                let since = view.blockedSince.map { " " + WebDates.dateTime($0, language: language) } ?? ""
                data["blocked"] = catalog.text(
                    "web.simBlock.blocked", in: language,
                    arguments: ["msisdn": line.msisdn.formatted, "since": since])
            } else {
                data["active"] = catalog.text(
                    "web.simBlock.active", in: language, arguments: ["msisdn": line.msisdn.formatted])
                data["canBlock"] = line.scopes.contains(.manageServices)
            }
        }
        if let done = request.uri.queryParameters.get("done"), done.hasPrefix("R-") {
            data["notice"] = catalog.text("web.simBlock.done", in: language, arguments: ["number": String(done)])
        }
        if let error { data["error"] = error }
        return renderer.render(
            "sim-block", title: catalog.text("web.simBlock.title", in: language), context: context, data: data,
            path: "/sim-block")
    }
}

/// `{"msisdn", "puk"}` or `{"msisdn", "contact", "code"}`.
struct PublicBlockBody: Decodable, Sendable {
    var msisdn: String
    var puk: String?
    var contact: String?
    var code: String?
}

/// `{"msisdn", "contact"}`: the lost number and the owner's contact number.
struct BlockCodeBody: Decodable, Sendable {
    var msisdn: String
    var contact: String
}

struct BlockCodeDTO: Encodable, Sendable {
    /// When another code may be asked for.
    var resendAt: Date
}

struct UnblockBody: Decodable, Sendable {
    var reason: String
}

/// `{"status", "blockedSince"?, "freeDays", "dailyFee"}`.
struct SIMBlockDTO: Encodable, Sendable {
    var status: String
    var blockedSince: Date?
    var freeDays: Int
    var dailyFee: Money

    init(_ view: SIMBlockView) {
        status = view.status.rawValue
        blockedSince = view.blockedSince
        freeDays = view.policy.freeDays
        dailyFee = view.policy.dailyFee
    }
}
