public import CabinetCore
public import Foundation
import Subscribers

/// The operator's CRM (TMF621): tickets of every region, opened for a number, updated by status and notes.
extension DefaultSupportService: TroubleTickets {
    public func tickets(status: Ticket.Status?, before cursor: Int64?, limit: Int) async throws -> [Ticket] {
        try await store.allTickets(status: status, before: cursor, limit: limit)
    }

    public func ticket(_ id: Int64) async throws -> TicketThread {
        guard let ticket = try await store.ticket(id) else { throw CabinetError(SupportError.ticketNotFound) }
        return TicketThread(
            ticket: ticket, messages: try await store.messages(of: id, includeInternal: true, after: nil))
    }

    public func open(for msisdn: MSISDN, category: String?, subject: String, description: String) async throws
        -> Ticket
    {
        guard let line = try await lines.line(msisdn: msisdn), line.status != .terminated else {
            throw CabinetError.validation([FieldError(field: "relatedParty", code: SupportError.ticketNotFound)])
        }
        let settings = try settings(for: line.region)
        let access = LineAccess.owned(line.id, msisdn: line.msisdn, region: line.region, status: line.status)
        return try await open(
            TicketDraft(
                category: category ?? settings.tickets.categories.last?.id ?? "other", subject: subject,
                message: description, notify: .sms),
            on: access, language: .ru)
    }

    public func statusChanges(_ id: Int64) async throws -> [(status: Ticket.Status, at: Date)] {
        try await requests.events(of: id).compactMap { event in
            guard let detail = event.detail, detail.hasPrefix("support.status."),
                let status = Ticket.Status(rawValue: String(detail.dropFirst("support.status.".count)))
            else { return nil }
            return (status, event.at)
        }
    }

    public func update(_ id: Int64, status: Ticket.Status?, note: String?) async throws -> TicketThread {
        guard let ticket = try await store.ticket(id) else { throw CabinetError(SupportError.ticketNotFound) }
        let now = clock.now
        if let note {
            let text = note.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty, text.count <= 5000, SupportText.isClean(text) else {
                throw CabinetError.validation([FieldError(field: "note", code: SupportError.messageInvalid)])
            }
            _ = try await store.add(
                NewMessage(
                    ticketID: id, author: .system, isInternal: true, body: text, status: nil,
                    from: Set(Ticket.Status.allCases), notice: nil, at: now))
        }
        if let status, status != ticket.status {
            if status == .resolved || status == .closed, ticket.awaitsDecision {
                throw CabinetError(SupportError.compensationUndecided)
            }
            // The CRM may move a ticket anywhere but back to `new`; a closed ticket stays closed.
            guard status != .new, ticket.status != .closed,
                try await store.changeStatus(
                    id, from: [ticket.status], to: status, note: "support.system.status.\(status.rawValue)", at: now)
            else { throw CabinetError(SupportError.statusChange, arguments: ["status": status.rawValue]) }
        }
        return try await self.ticket(id)
    }
}
