import CabinetCore
import CabinetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Support

/// The operator's side: support agents (`/operator/v1/support/agents`) and the TMF621 trouble tickets for the CRM
/// (`/tmf-api/troubleTicket/v4/troubleTicket`), both behind the operator key.
struct SupportOperatorRoutes {
    let desk: any AgentDesk
    let tickets: any TroubleTickets
    let service: any SupportService

    static let tmfBase = "/tmf-api/troubleTicket/v4/troubleTicket"

    func add(operatorAPI: RouterGroup<CabinetRequestContext>?, tmfAPI: RouterGroup<CabinetRequestContext>?) {
        if let operatorAPI {
            operatorAPI.get("support/agents") { _, _ in
                try Response.json(["items": try await desk.agents().map(AgentDTO.init)])
            }
            operatorAPI.post("support/agents") { request, context in
                let body = try await request.decodeJSON(as: NewAgentBody.self, context: context)
                let role = try Agent.Role(rawValue: body.role ?? "agent").unwrap(field: "role")
                let regions = try body.regions.map { try RegionID(rawValue: $0).unwrap(field: "regions") }
                let created = try await desk.addAgent(
                    login: body.login, name: body.name, role: role, regions: Set(regions))
                return try Response.json(NewAgentDTO(created), status: .created)
            }
            operatorAPI.post("support/agents/:login/disable") { _, context in
                try await desk.setDisabled(login: context.parameters.get("login") ?? "", true)
                return Response(status: .noContent)
            }
            operatorAPI.post("support/agents/:login/enable") { _, context in
                try await desk.setDisabled(login: context.parameters.get("login") ?? "", false)
                return Response(status: .noContent)
            }
        }
        guard let tmfAPI else { return }
        tmfAPI.get("troubleTicket/v4/troubleTicket") { request, _ in
            let query = try PageQuery(request)
            let status = try request.uri.queryParameters.get("status").map {
                try TroubleTicketDTO.status(fromTMF: String($0)).unwrap(field: "status")
            }
            let rows = try await tickets.tickets(
                status: status, before: try query.cursor(ServiceRequest.id(fromNumber:)), limit: query.fetchLimit)
            let page = Array(rows.prefix(query.limit))
            var items: [TroubleTicketDTO] = []
            for ticket in page {
                items.append(try await dto(ticket.id))
            }
            var response = try Response.json(items)
            response.headers[HTTPField.Name("X-Result-Count")!] = String(items.count)
            if rows.count > query.limit, let last = page.last {
                response.headers[HTTPField.Name("X-Next-Cursor")!] = last.number
            }
            return response
        }
        tmfAPI.post("troubleTicket/v4/troubleTicket") { request, context in
            let body = try await request.decodeJSON(as: TroubleTicketCreate.self, context: context)
            guard let party = body.relatedParty?.first(where: { ($0.role ?? "customer") == "customer" }) else {
                throw CabinetError.validation([FieldError(field: "relatedParty", code: KernelError.fieldInvalid)])
            }
            let msisdn = try MSISDNField.parse(party.id, field: "relatedParty")
            let ticket = try await tickets.open(
                for: msisdn, category: body.ticketType, subject: body.name ?? body.description,
                description: body.description)
            return try Response.json(try await dto(ticket.id), status: .created)
        }
        tmfAPI.get("troubleTicket/v4/troubleTicket/:id") { _, context in
            try Response.json(try await dto(try id(context)))
        }
        tmfAPI.patch("troubleTicket/v4/troubleTicket/:id") { request, context in
            let ticketID = try id(context)
            let body = try await request.decodeJSON(as: TroubleTicketPatch.self, context: context)
            let status = try body.status.map { try TroubleTicketDTO.status(fromTMF: $0).unwrap(field: "status") }
            let notes = (body.note ?? []).map(\.text)
            guard status != nil || !notes.isEmpty else {
                throw CabinetError.validation([FieldError(field: "status", code: KernelError.fieldInvalid)])
            }
            for note in notes { _ = try await tickets.update(ticketID, status: nil, note: note) }
            if let status { _ = try await tickets.update(ticketID, status: status, note: nil) }
            return try Response.json(try await dto(ticketID))
        }
    }

    func id(_ context: CabinetRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap(ServiceRequest.id(fromNumber:)), id > 0 else {
            throw CabinetError(SupportError.ticketNotFound)
        }
        return id
    }

    func dto(_ id: Int64) async throws -> TroubleTicketDTO {
        let thread = try await tickets.ticket(id)
        return TroubleTicketDTO(thread, changes: try await tickets.statusChanges(id))
    }
}

extension Optional {
    /// The value, or a field problem naming `field`.
    func unwrap(field: String) throws -> Wrapped {
        guard let self else {
            throw CabinetError.validation([FieldError(field: field, code: KernelError.fieldInvalid)])
        }
        return self
    }
}

struct AgentDTO: Encodable, Sendable {
    var login: String
    var name: String
    var role: String
    var regions: [String]
    var disabled: Bool
    var enrolled: Bool

    init(_ agent: Agent) {
        login = agent.login
        name = agent.name
        role = agent.role.rawValue
        regions = agent.regions.map(\.rawValue).sorted()
        disabled = agent.disabled
        enrolled = agent.enrolled
    }
}

/// Shown once: the first password and the authenticator's secret.
struct NewAgentDTO: Encodable, Sendable {
    var agent: AgentDTO
    var password: String
    var totpSecret: String
    var provisioningURI: String

    init(_ credentials: AgentCredentials) {
        agent = AgentDTO(credentials.agent)
        password = credentials.password
        totpSecret = credentials.totpSecret
        provisioningURI = credentials.provisioningURI
    }
}

struct NewAgentBody: Decodable, Sendable {
    var login: String
    var name: String
    var role: String?
    var regions: [String]
}

/// TMF621 TroubleTicket (v4) with the fields the CRM reads: `ticketType` (the category, or `compensation`), `status`
/// in TMF's words, `statusChange`, `note` (agents' internal notes and the CRM's), `relatedParty` (the line),
/// `relatedEntity` (a compensation's disputed movement).
struct TroubleTicketDTO: Encodable, Sendable {
    struct StatusChange: Encodable, Sendable {
        var status: String
        var changeDate: Date
    }

    struct Note: Encodable, Sendable {
        var id: String
        var author: String
        var date: Date
        var text: String
    }

    struct Reference: Encodable, Sendable {
        var id: String
        var role: String
        var referredType: String

        enum CodingKeys: String, CodingKey {
            case id, role
            case referredType = "@referredType"
        }
    }

    var id: String
    var href: String
    var name: String
    var description: String
    var ticketType: String
    var status: String
    var severity: String
    var creationDate: Date
    var lastUpdate: Date
    var expectedResolutionDate: Date
    var resolutionDate: Date?
    var statusChange: [StatusChange]
    var note: [Note]
    var relatedParty: [Reference]
    var relatedEntity: [Reference]
    var type = "TroubleTicket"

    enum CodingKeys: String, CodingKey {
        case id, href, name, description, ticketType, status, severity, creationDate, lastUpdate
        case expectedResolutionDate, resolutionDate, statusChange, note, relatedParty, relatedEntity
        case type = "@type"
    }

    init(_ thread: TicketThread, changes: [(status: Ticket.Status, at: Date)]) {
        let ticket = thread.ticket
        id = ticket.number
        href = "\(SupportOperatorRoutes.tmfBase)/\(ticket.number)"
        name = ticket.subject
        description = thread.messages.first { $0.author == .subscriber }?.body ?? ticket.subject
        ticketType = ticket.kind == .compensation ? "compensation" : ticket.category
        status = Self.tmfStatus(ticket.status)
        severity = ticket.kind == .compensation ? "Major" : "Minor"
        creationDate = ticket.createdAt
        lastUpdate = ticket.updatedAt
        expectedResolutionDate = ticket.firstResponseDue
        resolutionDate = ticket.resolvedAt
        statusChange = changes.map { StatusChange(status: Self.tmfStatus($0.status), changeDate: $0.at) }
        note = thread.messages.filter(\.isInternal).map { message in
            let author: String
            switch message.author {
            case .agent(_, let name): author = name
            case .subscriber: author = ticket.msisdn.e164
            case .system: author = "operator"
            }
            return Note(id: String(message.id), author: author, date: message.createdAt, text: message.body)
        }
        relatedParty = [Reference(id: ticket.msisdn.e164, role: "customer", referredType: "Individual")]
        relatedEntity =
            ticket.compensation.map {
                [Reference(id: String($0.movementEntryID), role: "disputedMovement", referredType: "BalanceMovement")]
            } ?? []
    }

    static func tmfStatus(_ status: Ticket.Status) -> String {
        switch status {
        case .new: "acknowledged"
        case .inProgress: "inProgress"
        case .waitingForCustomer: "pending"
        case .resolved: "resolved"
        case .closed: "closed"
        }
    }

    static func status(fromTMF text: String) -> Ticket.Status? {
        switch text {
        case "acknowledged": .new
        case "inProgress": .inProgress
        case "pending": .waitingForCustomer
        case "resolved": .resolved
        case "closed": .closed
        default: nil
        }
    }
}

struct TroubleTicketCreate: Decodable, Sendable {
    struct Party: Decodable, Sendable {
        var id: String
        var role: String?
    }

    var name: String?
    var description: String
    var ticketType: String?
    var relatedParty: [Party]?
}

struct TroubleTicketPatch: Decodable, Sendable {
    struct Note: Decodable, Sendable {
        var text: String
    }

    var status: String?
    var note: [Note]?
}
