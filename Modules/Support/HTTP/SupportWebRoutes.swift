import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Support

/// The subscriber's support pages: `/support` (contacts, the FAQ search, the line's tickets), `/support/faq/{id}`,
/// `/support/new` (search first, then the form with files; a compensation from the balance history), the ticket's
/// page with its conversation (live without a reload when JavaScript runs), reply, reopen and rating.
struct SupportWebRoutes {
    let service: any SupportService
    let regions: RegionCatalog
    let renderer: WebRenderer
    let api: SupportAPIRoutes

    var catalog: MessageCatalog { renderer.catalog }

    func add(to web: RouterGroup<CabinetRequestContext>) {
        web.get("support") { request, context in
            try await home(request, context)
        }
        web.get("support/faq/:id") { request, context in
            let region = try region(request, context)
            guard let id = context.parameters.get("id"),
                let article = try await service.faqArticle(id: id, region: region, language: context.language)
            else { throw CabinetError(KernelError.notFound) }
            var data = try contacts(region, context.language)
            data["article"] = ["title": article.title, "paragraphs": paragraphs(article.body)]
            return renderer.render("support-faq", title: article.title, context: context, data: data, path: "/support")
        }
        web.get("support/new") { request, context in
            try await newPage(request, context, error: nil, fields: [:])
        }
        web.post("support/new") { request, context in
            var fields: [String: String] = [:]
            // Nothing is read from a body before its sender is known.
            let line = try context.requireLine(.viewBalance)
            do {
                let form = try await MultipartForm.read(request, limit: try api.bodyLimit(line, base64: false))
                fields = form.fields
                try request.checkForgeryToken(form.fields, context: context, cookieName: WebForms.forgeryCookie)
                var compensation: (Int64, Money)?
                if let movement = form.fields["movement"], !movement.isEmpty {
                    compensation = try SupportAPIRoutes.dispute(
                        movement: movement, amount: form.fields["amount"], line: line, regions: regions)
                }
                let draft = TicketDraft(
                    category: form.fields["category"] ?? "", subject: form.fields["subject"] ?? "",
                    message: form.fields["message"] ?? "", attachments: form.files,
                    notify: Ticket.Notify(rawValue: form.fields["notify"] ?? "") ?? .sms, compensation: compensation)
                let ticket = try await service.open(draft, on: line, language: context.language)
                return Response.seeOther(to: "/support/tickets/\(ticket.number)")
            } catch let error as CabinetError where error.kind != .unauthenticated && error.kind != .internal {
                var response = try await newPage(
                    request, context, error: WebForms.explain(error, catalog: catalog, language: context.language),
                    fields: fields)
                response.status = error.kind.httpStatus
                return response
            }
        }
        web.get("support/tickets/:number") { request, context in
            try await ticketPage(request, context, error: nil)
        }
        web.get("support/tickets/:number/events") { request, context in
            let line = try context.requireLine(.viewBalance)
            let id = try api.number(context)
            let ticket = try await service.thread(id, of: line).ticket
            let after =
                request.headers[.init("Last-Event-ID")!].flatMap { Int64($0) }
                ?? request.uri.queryParameters.get("after").flatMap { Int64($0) }
            return try api.events(ticket: ticket, line: line, after: after, language: context.language)
        }
        web.get("support/tickets/:number/attachments/:attachment") { _, context in
            let line = try context.requireLine(.viewBalance)
            guard let id = context.parameters.get("attachment").flatMap({ Int64($0) }) else {
                throw CabinetError(SupportError.attachmentNotFound)
            }
            return SupportAPIRoutes.download(try await service.attachment(id, of: try api.number(context), line: line))
        }
        web.post("support/tickets/:number/reply") { request, context in
            let line = try context.requireLine(.viewBalance)
            do {
                let form = try await MultipartForm.read(request, limit: try api.bodyLimit(line, base64: false))
                try request.checkForgeryToken(form.fields, context: context, cookieName: WebForms.forgeryCookie)
                let id = try api.number(context)
                _ = try await service.reply(
                    to: id, on: line, body: form.fields["message"] ?? "", attachments: form.files)
                return Response.seeOther(to: "/support/tickets/\(ServiceRequest.number(for: id))#last")
            } catch let error as CabinetError where error.kind != .unauthenticated && error.kind != .internal {
                var response = try await ticketPage(
                    request, context, error: WebForms.explain(error, catalog: catalog, language: context.language))
                response.status = error.kind.httpStatus
                return response
            }
        }
        web.post("support/tickets/:number/reopen") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await ticketPage(request, context, error: $0) }
            ) { _ in
                let line = try context.requireLine(.viewBalance)
                let ticket = try await service.reopen(try api.number(context), on: line)
                return .seeOther(to: "/support/tickets/\(ticket.number)")
            }
        }
        web.post("support/tickets/:number/rating") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await ticketPage(request, context, error: $0) }
            ) { fields in
                let line = try context.requireLine(.viewBalance)
                let ticket = try await service.rate(
                    try api.number(context), on: line, stars: Int(fields["stars"] ?? "") ?? 0,
                    comment: fields["comment"])
                return .seeOther(to: "/support/tickets/\(ticket.number)")
            }
        }
    }

    // MARK: Pages

    func home(_ request: Request, _ context: CabinetRequestContext) async throws -> Response {
        let language = context.language
        let region = try region(request, context)
        var data = try contacts(region, language)
        let query = request.uri.queryParameters.get("q").map { String($0.prefix(200)) } ?? ""
        data["q"] = query
        if !query.isEmpty {
            let hits = try await service.searchFAQ(query, region: region, language: language, limit: 10)
            data["searched"] = true
            data["hits"] = hits.map(hit)
            data["noHits"] = hits.isEmpty
        }
        if let line = context.line {
            let tickets = try await service.tickets(of: line, before: nil, limit: 50)
            data["loggedIn"] = true
            data["tickets"] = tickets.map { ticketRow($0, language: language, zone: zone(line.region)) }
            data["noTickets"] = tickets.isEmpty
        }
        return renderer.render(
            "support", title: catalog.text("web.support.title", in: language), context: context, data: data,
            path: "/support")
    }

    func newPage(_ request: Request, _ context: CabinetRequestContext, error: String?, fields: [String: String])
        async throws -> Response
    {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let settings = try service.settings(for: line.region)
        var data = try contacts(line.region, language)
        let parameters = request.uri.queryParameters
        let subject = fields["subject"] ?? parameters.get("subject").map { String($0.prefix(200)) } ?? ""
        let movement = fields["movement"] ?? parameters.get("movement").map { String($0) } ?? ""
        let chosen = fields["category"] ?? (movement.isEmpty ? "" : "payments")
        data["csrf"] = context.session?.csrfToken ?? ""
        data["subject"] = subject
        data["message"] = fields["message"] ?? ""
        data["categories"] = settings.tickets.categories.map {
            ["id": $0.id, "name": $0.name.text(in: language), "selected": $0.id == chosen] as [String: Any]
        }
        let notify = fields["notify"] ?? "sms"
        data["notify"] = Ticket.Notify.allCases.map {
            [
                "value": $0.rawValue, "checked": $0.rawValue == notify,
                "label": catalog.text("web.support.notify.\($0.rawValue)", in: language),
            ] as [String: Any]
        }
        data["maxAttachments"] = settings.tickets.maxAttachments
        data["attachmentRule"] = catalog.text(
            "web.support.attachmentRule", in: language,
            arguments: [
                "max": String(settings.tickets.maxAttachments),
                "maxKB": String(settings.tickets.maxAttachmentBytes / 1024),
            ])
        if !movement.isEmpty {
            data["movement"] = movement
            data["amount"] = fields["amount"] ?? parameters.get("amount").map { String($0) } ?? ""
            data["compensation"] = true
        }
        // Search first: the articles that match the subject, before the form is sent.
        if !subject.isEmpty, error == nil {
            let hits = try await service.searchFAQ(subject, region: line.region, language: language, limit: 5)
            data["suggestions"] = hits.map(hit)
            data["hasSuggestions"] = !hits.isEmpty
        }
        if let error { data["error"] = error }
        return renderer.render(
            "support-new", title: catalog.text("web.support.new.title", in: language), context: context, data: data,
            path: "/support")
    }

    func ticketPage(_ request: Request, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let thread = try await service.thread(try api.number(context), of: line)
        let ticket = thread.ticket
        let settings = try service.settings(for: ticket.region)
        var data = try contacts(ticket.region, language)
        let zone = zone(ticket.region)
        data["ticket"] = ticketRow(ticket, language: language, zone: zone)
        data["messages"] = thread.messages.map { messageRow($0, ticket: ticket, language: language, zone: zone) }
        data["lastMessage"] = thread.messages.last?.id ?? 0
        data["csrf"] = context.session?.csrfToken ?? ""
        data["open"] = ticket.status.isOpen
        data["canReopen"] = ticket.canReopen(at: service.now, reopenDays: settings.tickets.reopenDays)
        data["canRate"] = !ticket.status.isOpen && ticket.rating == nil
        data["rated"] =
            ticket.rating.map {
                catalog.text("web.support.rated", in: language, arguments: ["stars": String($0)])
            } ?? ""
        data["stars"] = (1...5).reversed().map { ["value": $0] }
        data["maxAttachments"] = settings.tickets.maxAttachments
        if let compensation = ticket.compensation {
            data["compensation"] = compensationText(compensation, language: language)
        }
        if let error { data["error"] = error }
        return renderer.render(
            "support-ticket",
            title: catalog.text("web.support.ticket.title", in: language, arguments: ["number": ticket.number]),
            context: context, data: data, path: "/support")
    }

    // MARK: Pieces

    func contacts(_ region: RegionID, _ language: Language) throws -> [String: Any] {
        let settings = try service.settings(for: region)
        return [
            "contacts": settings.contacts.map { ["number": $0.number, "label": $0.label.text(in: language)] },
            "email": settings.email, "region": region.rawValue,
        ]
    }

    func hit(_ hit: FAQHit) -> [String: Any] {
        [
            "id": hit.id, "title": SupportTexts.highlighted(hit.titleHighlighted),
            "snippet": SupportTexts.highlighted(hit.snippet),
        ]
    }

    func paragraphs(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter {
            !$0.isEmpty
        }
    }

    func ticketRow(_ ticket: Ticket, language: Language, zone: TimeZone) -> [String: Any] {
        let category = (try? service.settings(for: ticket.region))?.tickets.category(ticket.category)
        return [
            "number": ticket.number, "subject": ticket.subject, "statusCode": ticket.status.rawValue,
            "status": SupportTexts.status(ticket.status, catalog: catalog, language: language),
            "category": category?.name.text(in: language) ?? ticket.category,
            "createdAt": WebDates.dateTime(ticket.createdAt, language: language, timeZone: zone),
            "updatedAt": WebDates.dateTime(ticket.updatedAt, language: language, timeZone: zone),
            "compensation": ticket.kind == .compensation,
        ]
    }

    func messageRow(_ message: TicketMessage, ticket: Ticket, language: Language, zone: TimeZone) -> [String: Any] {
        let author: String
        switch message.author {
        case .subscriber: author = catalog.text("web.support.author.you", in: language)
        case .agent(_, let name):
            author = catalog.text("web.support.author.agent", in: language, arguments: ["name": name])
        case .system: author = catalog.text("web.support.author.system", in: language)
        }
        return [
            "id": message.id, "author": author, "system": message.author == .system,
            "mine": message.author == .subscriber,
            "text": SupportTexts.body(of: message, catalog: catalog, language: language),
            "at": WebDates.dateTime(message.createdAt, language: language, timeZone: zone),
            "attachments": message.attachments.map {
                [
                    "name": $0.fileName, "size": "\(max(1, $0.size / 1024)) KB",
                    "url": "/support/tickets/\(ticket.number)/attachments/\($0.id)",
                ]
            },
        ]
    }

    func compensationText(_ compensation: Compensation, language: Language) -> String {
        switch compensation.decision {
        case nil:
            catalog.text(
                "web.support.compensation.pending", in: language,
                arguments: ["amount": compensation.disputed.displayString])
        case .approved(let amount, _)?:
            catalog.text("web.support.compensation.approved", in: language, arguments: ["amount": amount.displayString])
        case .rejected(let reason, _)?:
            catalog.text("web.support.compensation.rejected", in: language, arguments: ["reason": reason])
        }
    }

    func zone(_ region: RegionID) -> TimeZone {
        regions.region(region)?.timeZone ?? TimeZone(identifier: "Europe/Moscow") ?? .gmt
    }

    /// The line's region; without a session `?region=` or the first region.
    func region(_ request: Request, _ context: CabinetRequestContext) throws -> RegionID {
        if let line = context.line { return line.region }
        if let text = request.uri.queryParameters.get("region"), let id = RegionID(rawValue: String(text)),
            regions.region(id) != nil
        {
            return id
        }
        guard let first = regions.regions.first(where: { $0.settings(for: SupportModule.self) != nil }) else {
            throw CabinetError(KernelError.moduleDisabled, arguments: ["module": SupportModule.id.rawValue])
        }
        return first.id
    }
}
