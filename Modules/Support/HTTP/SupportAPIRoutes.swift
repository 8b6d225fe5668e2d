import CabinetCore
import CabinetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Support

/// The subscriber's support API: `/api/v1/support/…` (contacts, categories, the FAQ search: the region of the line,
/// or `?region=` without a login) and `/api/v1/me/tickets…` (tickets, messages, attachments, the live updates).
struct SupportAPIRoutes {
    let service: any SupportService
    let regions: RegionCatalog
    let catalog: MessageCatalog
    let liveWindow: Duration
    let streams: LiveStreams

    /// The largest body a ticket or a reply may have in the line's region: its files at the region's limits (in
    /// base64, a third larger, when `base64`) and a megabyte of text and form around them.
    func bodyLimit(_ line: LineAccess, base64: Bool) throws -> Int {
        let tickets = try service.settings(for: line.region).tickets
        let files = tickets.maxAttachments * tickets.maxAttachmentBytes
        return (base64 ? files / 3 * 4 + 4 * tickets.maxAttachments : files) + (1 << 20)
    }

    func add(to api: RouterGroup<CabinetRequestContext>) {
        api.get("support/contacts") { request, context in
            let region = try region(request, context)
            return try Response.json(ContactsDTO(try service.settings(for: region), language: context.language))
        }
        api.get("support/faq") { request, context in
            let region = try region(request, context)
            let query = request.uri.queryParameters.get("q").map { String($0) } ?? ""
            guard query.count <= 200 else {
                throw CabinetError.validation([FieldError(field: "q", code: KernelError.fieldInvalid)])
            }
            let hits = try await service.searchFAQ(query, region: region, language: context.language, limit: 10)
            return try Response.json(["items": hits.map(FAQHitDTO.init)])
        }
        api.get("me/tickets") { request, context in
            let line = try context.requireLine(.viewBalance)
            let query = try PageQuery(request)
            let rows = try await service.tickets(
                of: line, before: try query.cursor(ServiceRequest.id(fromNumber:)), limit: query.fetchLimit)
            return try Response.json(Page(rows, query: query, cursor: \.number, item: TicketDTO.init))
        }
        api.post("me/tickets") { request, context in
            let line = try context.requireLine(.viewBalance)
            let body = try await request.decodeJSON(
                as: NewTicketBody.self, context: context, limit: try bodyLimit(line, base64: true))
            let draft = try draft(from: body, line: line)
            let ticket = try await service.open(draft, on: line, language: context.language)
            return try Response.json(
                try await thread(ticket.id, line: line, language: context.language), status: .created)
        }
        api.get("me/tickets/:number") { _, context in
            let line = try context.requireLine(.viewBalance)
            return try Response.json(try await thread(try number(context), line: line, language: context.language))
        }
        api.post("me/tickets/:number/messages") { request, context in
            let line = try context.requireLine(.viewBalance)
            let body = try await request.decodeJSON(
                as: ReplyBody.self, context: context, limit: try bodyLimit(line, base64: true))
            let files = try SupportTexts.decodeFiles((body.attachments ?? []).map { ($0.fileName, $0.content) })
            let id = try number(context)
            let message = try await service.reply(to: id, on: line, body: body.message, attachments: files)
            let ticket = try await service.thread(id, of: line).ticket
            return try Response.json(
                TicketMessageDTO(message, ticket: ticket, catalog: catalog, language: context.language),
                status: .created)
        }
        api.post("me/tickets/:number/reopen") { _, context in
            let line = try context.requireLine(.viewBalance)
            return try Response.json(TicketDTO(try await service.reopen(try number(context), on: line)))
        }
        api.post("me/tickets/:number/rating") { request, context in
            let line = try context.requireLine(.viewBalance)
            let body = try await request.decodeJSON(as: RatingBody.self, context: context)
            return try Response.json(
                TicketDTO(
                    try await service.rate(try number(context), on: line, stars: body.stars, comment: body.comment)))
        }
        api.get("me/tickets/:number/attachments/:attachment") { _, context in
            let line = try context.requireLine(.viewBalance)
            guard let id = context.parameters.get("attachment").flatMap({ Int64($0) }) else {
                throw CabinetError(SupportError.attachmentNotFound)
            }
            return Self.download(try await service.attachment(id, of: try number(context), line: line))
        }
        api.get("me/tickets/:number/events") { request, context in
            let line = try context.requireLine(.viewBalance)
            let id = try number(context)
            let ticket = try await service.thread(id, of: line).ticket
            let after =
                request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int64($0) }
                ?? request.uri.queryParameters.get("after").flatMap { Int64($0) }
            return try events(ticket: ticket, line: line, after: after, language: context.language)
        }
    }

    /// New public messages as Server-Sent Events (`event: message`, `id:` the message's id, `data:` its JSON), read
    /// from the database every second — any server of a deployment sees any other's messages — for `liveWindow`;
    /// then the stream ends and the browser's `EventSource` reconnects with `Last-Event-ID`.
    func events(ticket: Ticket, line: LineAccess, after: Int64?, language: Language) throws -> Response {
        let service = service
        let catalog = catalog
        let window = liveWindow
        // A few streams per line (tabs, devices): each reads the database every second.
        guard streams.open(line.subscriberID) else {
            throw CabinetError(KernelError.rateLimited, retryAfterSeconds: 5)
        }
        let streams = streams
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // A proxy must pass the events on as they come rather than buffer them.
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        let body = ResponseBody { writer in
            defer { streams.close(line.subscriberID) }
            var last = after ?? 0
            let clock = ContinuousClock()
            let end = clock.now.advanced(by: window)
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            var quiet = 0
            while clock.now < end {
                let fresh = try await service.messages(of: ticket.id, line: line, after: last)
                for message in fresh {
                    let dto = TicketMessageDTO(message, ticket: ticket, catalog: catalog, language: language)
                    let json = String(decoding: try JSONEncoder.apiBody(dto), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "event: message\nid: \(message.id)\ndata: \(json)\n\n"))
                    last = message.id
                }
                // A comment now and then: a browser that went away fails the write and ends the stream.
                quiet = fresh.isEmpty ? quiet + 1 : 0
                if quiet >= 5 {
                    try await writer.write(ByteBuffer(string: ": ping\n\n"))
                    quiet = 0
                }
                try await Task.sleep(for: .seconds(1))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The bytes as a download: never shown inline, never sniffed into another type.
    static func download(_ file: Attachment) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = file.info.type.mediaType
        headers[.contentDisposition] = contentDisposition(file.info.fileName)
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[.cacheControl] = "private, no-store"
        headers[.contentSecurityPolicy] = "default-src 'none'; sandbox"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    /// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266), the name already made safe.
    static func contentDisposition(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    func thread(_ id: Int64, line: LineAccess, language: Language) async throws -> TicketThreadDTO {
        let thread = try await service.thread(id, of: line)
        return TicketThreadDTO(
            ticket: TicketDTO(thread.ticket),
            messages: thread.messages.map {
                TicketMessageDTO($0, ticket: thread.ticket, catalog: catalog, language: language)
            })
    }

    func number(_ context: CabinetRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("number").flatMap(ServiceRequest.id(fromNumber:)), id > 0 else {
            throw CabinetError(SupportError.ticketNotFound)
        }
        return id
    }

    /// The line's region, or `?region=` for whoever has no session.
    func region(_ request: Request, _ context: CabinetRequestContext) throws -> RegionID {
        if let text = request.uri.queryParameters.get("region") {
            guard let id = RegionID(rawValue: String(text)), regions.region(id) != nil else {
                throw CabinetError.validation([FieldError(field: "region", code: KernelError.regionUnknown)])
            }
            return id
        }
        if let line = context.line { return line.region }
        throw CabinetError.validation([FieldError(field: "region", code: KernelError.regionUnknown)])
    }

    func draft(from body: NewTicketBody, line: LineAccess) throws -> TicketDraft {
        let files = try SupportTexts.decodeFiles((body.attachments ?? []).map { ($0.fileName, $0.content) })
        guard let notify = Ticket.Notify(rawValue: body.notify ?? "sms") else {
            throw CabinetError.validation([FieldError(field: "notify", code: KernelError.fieldInvalid)])
        }
        var compensation: (Int64, Money)?
        if body.movement != nil || body.amount != nil {
            compensation = try Self.dispute(movement: body.movement, amount: body.amount, line: line, regions: regions)
        }
        return TicketDraft(
            category: body.category, subject: body.subject, message: body.message, attachments: files, notify: notify,
            compensation: compensation)
    }

    /// The disputed movement's entry id and the amount in the line's currency.
    static func dispute(movement: String?, amount: String?, line: LineAccess, regions: RegionCatalog) throws -> (
        Int64, Money
    ) {
        guard let entry = movement.flatMap({ Int64($0) }), entry > 0 else {
            throw CabinetError.validation([FieldError(field: "movement", code: SupportError.movementNotFound)])
        }
        let currency = regions.region(line.region)?.currency ?? .rub
        return (entry, try parseAmount(amount ?? "", currency: currency))
    }
}

/// An amount as a person types it (`12,50`, `1 200`), or the field's problem.
func parseAmount(_ text: String, currency: Currency) throws -> Money {
    switch Result(catching: { () throws(MoneyError) -> Money in try Money(parsingDisplay: text, currency: currency) }) {
    case .success(let money): return money
    case .failure(let error): throw error.cabinetError(field: "amount")
    }
}
