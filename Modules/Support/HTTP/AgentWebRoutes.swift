import Billing
import CabinetCore
import CabinetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Support
import Tariffs

/// The agents' console under `/agent`: login with a password and a TOTP code (enrolment shows the secret), the
/// queue of the agent's regions, and a ticket's view with the line's context, replies, notes, canned replies,
/// status, hand-over and compensation decisions. Its own cookie (`cabinet_agent`, path `/agent`, `SameSite=Strict`),
/// never the subscriber's session.
struct AgentWebRoutes {
    let desk: any AgentDesk
    let service: any SupportService
    let regions: RegionCatalog
    let renderer: WebRenderer
    let https: Bool

    var catalog: MessageCatalog { renderer.catalog }
    var cookieName: String { https ? "__Secure-cabinet_agent" : "cabinet_agent" }
    var loginCSRFName: String { https ? "__Secure-cabinet_agent_csrf" : "cabinet_agent_csrf" }

    func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        var text = "\(name)=\(value); Path=/agent; HttpOnly; SameSite=Strict"
        if https { text += "; Secure" }
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        return text
    }

    /// The agent of the request's cookie, or `support.agent.required`.
    func agentSession(_ request: Request) async throws -> AgentSession {
        guard let token = request.cookies[cookieName]?.value, let session = try await desk.session(token: token) else {
            throw CabinetError(SupportError.agentRequired)
        }
        return session
    }

    /// Runs a page or an action for a logged-in agent: without a session a page sends to the login, an action is 401;
    /// an agent still on the operator's first password is sent to set their own first.
    func withAgent(
        _ request: Request, passwordPage: Bool = false, _ body: (AgentSession) async throws -> Response
    ) async throws -> Response {
        let session: AgentSession
        do {
            session = try await agentSession(request)
        } catch let error as CabinetError where error.code == SupportError.agentRequired {
            if request.method == .get { return .seeOther(to: "/agent/login") }
            throw error
        }
        if !session.agent.passwordSet, !passwordPage {
            if request.method == .get { return .seeOther(to: "/agent/password") }
            throw CabinetError(SupportError.agentPasswordRequired)
        }
        return try await body(session)
    }

    /// An action's form fields after its anti-forgery token matched the agent's session.
    func fields(_ request: Request, _ session: AgentSession) async throws -> [String: String] {
        let fields = try await request.formFields()
        guard let presented = fields["csrf"], ConstantTime.equals(presented, session.csrfToken) else {
            throw CabinetError(KernelError.csrf)
        }
        return fields
    }

    func add(to web: RouterGroup<CabinetRequestContext>) {
        web.get("agent/login") { _, context in
            loginPage(context, csrf: Hex.random(bytes: 16), error: nil, enrolment: nil, login: "")
        }
        web.post("agent/login") { request, context in
            let fields = try await request.formFields()
            let expected = request.cookies[loginCSRFName]?.value ?? ""
            guard let presented = fields["csrf"], !expected.isEmpty, ConstantTime.equals(presented, expected) else {
                throw CabinetError(KernelError.csrf)
            }
            let login = (fields["login"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            do {
                switch try await desk.login(
                    login: login, password: fields["password"] ?? "", code: fields["code"] ?? "",
                    clientAddress: context.clientAddress)
                {
                case .session(let token, _):
                    return Response.seeOther(
                        to: "/agent", cookies: [cookie(cookieName, token), cookie(loginCSRFName, "", maxAge: 0)])
                case .enrolmentNeeded(let secret, let uri):
                    return loginPage(context, csrf: expected, error: nil, enrolment: (secret, uri), login: login)
                }
            } catch let error as CabinetError where error.kind == .unauthenticated || error.kind == .tooManyRequests {
                var response = loginPage(
                    context, csrf: expected, error: catalog.message(for: error, in: context.language), enrolment: nil,
                    login: login)
                response.status = error.kind.httpStatus
                return response
            }
        }
        web.post("agent/logout") { request, _ in
            try await withAgent(request) { session in
                _ = try await fields(request, session)
                if let token = request.cookies[cookieName]?.value { try await desk.logout(token: token) }
                return .seeOther(to: "/agent/login", cookies: [cookie(cookieName, "", maxAge: 0)])
            }
        }
        web.get("agent/password") { request, context in
            try await withAgent(request, passwordPage: true) { session in passwordPage(context, session, error: nil) }
        }
        web.post("agent/password") { request, context in
            try await withAgent(request, passwordPage: true) { session in
                let form = try await fields(request, session)
                do {
                    try await desk.changePassword(
                        of: session.agent, current: form["current"] ?? "", new: form["password"] ?? "")
                } catch let error as CabinetError where error.kind != .internal {
                    var response = passwordPage(
                        context, session, error: WebForms.explain(error, catalog: catalog, language: context.language))
                    response.status = error.kind.httpStatus
                    return response
                }
                return .seeOther(to: "/agent")
            }
        }
        web.get("agent") { request, context in
            try await withAgent(request) { session in try await queuePage(request, context, session) }
        }
        web.get("agent/tickets/:number") { request, context in
            try await withAgent(request) { session in
                try await ticketPage(context, session, id: try number(context), error: nil)
            }
        }
        web.get("agent/tickets/:number/attachments/:attachment") { request, context in
            try await withAgent(request) { session in
                guard let attachmentID = context.parameters.get("attachment").flatMap({ Int64($0) }) else {
                    throw CabinetError(SupportError.attachmentNotFound)
                }
                return SupportAPIRoutes.download(
                    try await desk.attachment(attachmentID, of: try number(context), by: session.agent))
            }
        }
        action("take") { session, id, _ in try await desk.take(id, by: session.agent) }
        action("reply") { session, id, fields in
            let status = fields["status"].flatMap { $0.isEmpty ? nil : Ticket.Status(rawValue: $0) }
            // A canned reply is sent as it is when nothing was typed (the form works without JavaScript).
            var body = fields["message"] ?? ""
            if body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, let canned = fields["canned"],
                !canned.isEmpty
            {
                let ticket = try await desk.ticket(id, by: session.agent)
                body = desk.cannedReply(canned, for: ticket, by: session.agent) ?? ""
            }
            _ = try await desk.reply(to: id, by: session.agent, body: body, status: status)
        }
        action("note") { session, id, fields in
            _ = try await desk.note(on: id, by: session.agent, body: fields["message"] ?? "")
        }
        action("status") { session, id, fields in
            guard let status = Ticket.Status(rawValue: fields["status"] ?? "") else {
                throw CabinetError.validation([FieldError(field: "status", code: KernelError.fieldInvalid)])
            }
            try await desk.setStatus(id, by: session.agent, to: status)
        }
        action("handover") { session, id, fields in
            try await desk.handOver(id, by: session.agent, to: (fields["agent"] ?? "").lowercased())
        }
        action("compensation/approve") { session, id, fields in
            guard let ticket = try await desk.ticket(id, by: session.agent).compensation else {
                throw CabinetError(SupportError.compensationDecided)
            }
            let amount = try parseAmount(fields["amount"] ?? "", currency: ticket.disputed.currency)
            try await desk.approveCompensation(id, by: session.agent, amount: amount)
        }
        action("compensation/reject") { session, id, fields in
            try await desk.rejectCompensation(id, by: session.agent, reason: fields["reason"] ?? "")
        }

        func action(
            _ name: String, _ body: @escaping @Sendable (AgentSession, Int64, [String: String]) async throws -> Void
        ) {
            web.post("agent/tickets/:number/\(name)") { request, context in
                try await withAgent(request) { session in
                    let id = try number(context)
                    let form = try await fields(request, session)
                    do {
                        try await body(session, id, form)
                    } catch let error as CabinetError where error.kind != .unauthenticated && error.kind != .internal {
                        var response = try await ticketPage(
                            context, session, id: id,
                            error: WebForms.explain(error, catalog: catalog, language: context.language))
                        response.status = error.kind.httpStatus
                        return response
                    }
                    return .seeOther(to: "/agent/tickets/\(ServiceRequest.number(for: id))")
                }
            }
        }
    }

    func number(_ context: CabinetRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("number").flatMap(ServiceRequest.id(fromNumber:)), id > 0 else {
            throw CabinetError(SupportError.ticketNotFound)
        }
        return id
    }

    // MARK: Pages

    func loginPage(
        _ context: CabinetRequestContext, csrf: String, error: String?, enrolment: (String, String)?, login: String
    ) -> Response {
        var data: [String: Any] = ["csrf": csrf, "login": login]
        if let error { data["error"] = error }
        if let (secret, uri) = enrolment {
            data["enrolment"] = ["secret": secret, "uri": uri]
        }
        var response = renderer.render(
            "agent-login", title: catalog.text("web.agent.login.title", in: context.language), context: context,
            data: data, path: "/agent")
        response.headers.append(HTTPField(name: .setCookie, value: cookie(loginCSRFName, csrf, maxAge: 3600)))
        return response
    }

    func passwordPage(_ context: CabinetRequestContext, _ session: AgentSession, error: String?) -> Response {
        var data: [String: Any] = ["agent": agentData(session), "csrf": session.csrfToken]
        if let error { data["error"] = error }
        return renderer.render(
            "agent-password", title: catalog.text("web.agent.password.title", in: context.language), context: context,
            data: data, path: "/agent")
    }

    func queuePage(_ request: Request, _ context: CabinetRequestContext, _ session: AgentSession) async throws
        -> Response
    {
        let language = context.language
        let agent = session.agent
        let parameters = request.uri.queryParameters
        let status = parameters.get("status").flatMap { Ticket.Status(rawValue: String($0)) }
        let category = parameters.get("category").map { String($0) }.flatMap { $0.isEmpty ? nil : $0 }
        let mine = parameters.get("mine") == "1"
        let filter = QueueFilter(
            regions: agent.regions, statuses: status.map { [$0] } ?? [.new, .inProgress, .waitingForCustomer],
            category: category, assignedTo: mine ? agent.id : nil)
        let now = service.now
        let tickets = try await desk.queue(for: agent, filter: filter)
        let categories = Set(
            agent.regions.compactMap { regions.region($0)?.settings(for: SupportModule.self) }.flatMap {
                $0.tickets.categories.map(\.id)
            })
        let rows = tickets.map { ticket -> [String: Any] in
            let zone = regions.region(ticket.region)?.timeZone ?? .gmt
            return [
                "number": ticket.number, "subject": ticket.subject, "region": ticket.region.rawValue,
                "category": ticket.category, "statusCode": ticket.status.rawValue,
                "status": SupportTexts.status(ticket.status, catalog: catalog, language: language),
                "overdue": ticket.isOverdue(at: now),
                "due": WebDates.dateTime(ticket.firstResponseDue, language: language, timeZone: zone),
                "age": age(from: ticket.createdAt, to: now, language: language),
                "mine": ticket.assignedAgent == agent.id, "unassigned": ticket.assignedAgent == nil,
            ]
        }
        return renderer.render(
            "agent-queue", title: catalog.text("web.agent.queue.title", in: language), context: context,
            data: [
                "agent": agentData(session), "tickets": rows, "empty": rows.isEmpty, "mine": mine,
                "statuses": Ticket.Status.allCases.map {
                    [
                        "value": $0.rawValue, "selected": $0 == status,
                        "label": SupportTexts.status($0, catalog: catalog, language: language),
                    ] as [String: Any]
                },
                "categories": categories.sorted().map { ["value": $0, "selected": $0 == category] as [String: Any] },
            ], path: "/agent")
    }

    func ticketPage(_ context: CabinetRequestContext, _ session: AgentSession, id: Int64, error: String?) async throws
        -> Response
    {
        let language = context.language
        let view = try await desk.view(id, by: session.agent)
        let ticket = view.thread.ticket
        let zone = regions.region(ticket.region)?.timeZone ?? .gmt
        let settings = try service.settings(for: ticket.region)
        var ticketData: [String: Any] = [
            "number": ticket.number, "subject": ticket.subject, "msisdn": ticket.msisdn.formatted,
            "region": ticket.region.rawValue, "category": ticket.category, "statusCode": ticket.status.rawValue,
            "status": SupportTexts.status(ticket.status, catalog: catalog, language: language),
            "due": WebDates.dateTime(ticket.firstResponseDue, language: language, timeZone: zone),
            "overdue": ticket.isOverdue(at: service.now), "assigned": view.assignedAgent?.name ?? "—",
        ]
        if let rating = ticket.rating { ticketData["rating"] = "\(rating)/5 \(ticket.ratingComment ?? "")" }
        var data: [String: Any] = [
            "agent": agentData(session), "csrf": session.csrfToken, "ticket": ticketData,
            "open": ticket.status.isOpen,
            "messages": view.thread.messages.map { message -> [String: Any] in
                let author: String
                switch message.author {
                case .subscriber: author = ticket.msisdn.formatted
                case .agent(_, let name): author = name
                case .system: author = catalog.text("web.support.author.system", in: language)
                }
                return [
                    "author": author, "internal": message.isInternal,
                    "text": SupportTexts.body(of: message, catalog: catalog, language: language),
                    "at": WebDates.dateTime(message.createdAt, language: language, timeZone: zone),
                    "attachments": message.attachments.map {
                        [
                            "name": $0.fileName,
                            "url": "/agent/tickets/\(ticket.number)/attachments/\($0.id)",
                        ]
                    },
                ]
            },
            "canned": settings.cannedReplies.map {
                [
                    "id": $0.id, "title": $0.title.text(in: language),
                    "text": desk.cannedReply($0.id, for: ticket, by: session.agent) ?? "",
                ]
            },
            "replyStatuses": [Ticket.Status.waitingForCustomer, .inProgress, .resolved].map {
                ["value": $0.rawValue, "label": SupportTexts.status($0, catalog: catalog, language: language)]
            },
        ]
        if let context = view.context {
            var line: [String: Any] = [:]
            if let dashboard = context.dashboard {
                line["balance"] = dashboard.balance.displayString
                line["tariff"] = dashboard.tariff.name.text(in: language)
                line["status"] = dashboard.status.rawValue
            }
            line["movements"] = context.movements.map {
                [
                    "at": WebDates.dateTime($0.at, language: language, timeZone: zone),
                    "amount": $0.amount.displayString, "kind": $0.kind.rawValue,
                    "text": catalog.contains($0.explanation, in: language)
                        ? catalog.text($0.explanation, in: language, arguments: $0.arguments) : $0.explanation,
                ]
            }
            line["requests"] = context.openRequests.map {
                ["number": $0.number, "kind": $0.kind, "status": $0.status.rawValue]
            }
            data["line"] = line
        }
        if let compensation = ticket.compensation {
            var block: [String: Any] = [
                "disputed": compensation.disputed.displayString,
                "amount": compensation.disputed.amountString,
                "limit": settings.compensationAgentLimit.displayString,
                "undecided": compensation.decision == nil,
            ]
            if let movement = view.disputedMovement {
                block["movement"] =
                    "\(WebDates.dateTime(movement.at, language: language, timeZone: zone)) · \(movement.amount.displayString) · \(movement.kind.rawValue)"
            }
            data["compensation"] = block
        }
        if let error { data["error"] = error }
        return renderer.render(
            "agent-ticket",
            title: catalog.text("web.support.ticket.title", in: language, arguments: ["number": ticket.number]),
            context: context, data: data, path: "/agent")
    }

    func agentData(_ session: AgentSession) -> [String: Any] {
        [
            "name": session.agent.name, "login": session.agent.login, "csrf": session.csrfToken,
            "supervisor": session.agent.role == .supervisor,
            "regions": session.agent.regions.map(\.rawValue).sorted().joined(separator: ", "),
        ]
    }

    func age(from: Date, to: Date, language: Language) -> String {
        let minutes = max(0, Int(to.timeIntervalSince(from) / 60))
        if minutes < 60 {
            return catalog.text("web.agent.age.minutes", in: language, arguments: ["n": String(minutes)])
        }
        let hours = minutes / 60
        if hours < 48 { return catalog.text("web.agent.age.hours", in: language, arguments: ["n": String(hours)]) }
        return catalog.text("web.agent.age.days", in: language, arguments: ["n": String(hours / 24)])
    }
}
