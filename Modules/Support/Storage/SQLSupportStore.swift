public import Billing
public import CabinetCore
import CabinetMessaging
public import CabinetStorage
public import Foundation
import SQLKit
public import Support

/// ``SupportStore`` on SQLite and PostgreSQL. A ticket's change and its request record's status commit together;
/// a compensation's decision, its ledger credit and the ticket's resolution are one ledger transaction.
public struct SQLSupportStore: SupportStore {
    let database: CabinetDatabase
    let ledger: any LedgerTransactions
    /// Called after a commit that queued a message (the outbox sends it now rather than at its next poll).
    let messagesQueued: @Sendable () -> Void

    public init(
        database: CabinetDatabase, ledger: any LedgerTransactions, messagesQueued: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.ledger = ledger
        self.messagesQueued = messagesQueued
    }

    static let ticketColumns: SQLQueryString = """
        id, subscriber_id, msisdn, region, category, kind, subject, status, notify, language, assigned_agent,
        created_at, updated_at, first_response_due, first_responded_at, resolved_at, closed_at, rating, rating_comment,
        movement_entry_id, disputed_amount, currency, decision, decided_amount, decision_reason, decided_by
        """

    // MARK: Tickets

    public func open(_ new: NewTicket) async throws -> Ticket {
        let at = new.at.storageMilliseconds
        let ticket = try await database.write { db in
            let request = try await SQLRequestRegistry.open(
                kind: new.requestKind, subscriber: new.subscriberID, status: .pending, detail: "support.status.new",
                at: new.at, on: db)
            do {
                try await db.raw(
                    """
                    INSERT INTO support_ticket (id, subscriber_id, msisdn, region, category, kind, subject, status,
                        notify, language, created_at, updated_at, first_response_due, movement_entry_id,
                        disputed_amount, currency)
                    VALUES (\(bind: request.id), \(bind: new.subscriberID.rawValue), \(bind: new.msisdn.e164),
                        \(bind: new.region.rawValue), \(bind: new.category), \(bind: new.kind.rawValue),
                        \(bind: new.subject), 'new', \(bind: new.notify.rawValue), \(bind: new.language.rawValue),
                        \(bind: at), \(bind: at), \(bind: new.firstResponseDue.storageMilliseconds),
                        \(bind: new.compensation?.movementEntryID), \(bind: new.compensation?.disputed.minorUnits),
                        \(bind: new.compensation?.disputed.currency.code))
                    """
                ).run()
            } catch  where StorageErrors.isUniqueViolation(error) {
                throw CabinetError(SupportError.compensationOpen)
            }
            _ = try await Self.insertMessage(
                ticket: request.id, author: .subscriber, isInternal: false, body: new.message,
                attachments: new.attachments, at: at, on: db)
            return request.id
        }
        guard let stored = try await self.ticket(ticket) else { throw CabinetError.internal("ticket not stored") }
        return stored
    }

    public func ticket(_ id: Int64) async throws -> Ticket? {
        try await database.read { db in
            try await db.raw("SELECT \(Self.ticketColumns) FROM support_ticket WHERE id = \(bind: id)").first()
        }.flatMap(Self.decodeTicket)
    }

    public func tickets(of subscriber: SubscriberID, before cursor: Int64?, limit: Int) async throws -> [Ticket] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.ticketColumns) FROM support_ticket WHERE subscriber_id = \(bind: subscriber.rawValue)
                  AND id < \(bind: cursor ?? Int64.max) ORDER BY id DESC LIMIT \(literal: limit)
                """
            ).all()
        }.compactMap(Self.decodeTicket)
    }

    public func allTickets(status: Ticket.Status?, before cursor: Int64?, limit: Int) async throws -> [Ticket] {
        let filter: SQLQueryString = status.map { " AND status = \(bind: $0.rawValue)" } ?? ""
        let query: SQLQueryString =
            "SELECT \(Self.ticketColumns) FROM support_ticket WHERE id < \(bind: cursor ?? Int64.max)" + filter
            + " ORDER BY id DESC LIMIT \(literal: limit)"
        return try await database.read { db in try await db.raw(query).all() }.compactMap(Self.decodeTicket)
    }

    public func messages(of ticket: Int64, includeInternal: Bool, after: Int64?) async throws -> [TicketMessage] {
        try await database.read { db in
            let rows = try await db.raw(
                """
                SELECT id, author, agent_id, agent_name, internal, body, created_at FROM support_message
                WHERE ticket_id = \(bind: ticket) AND id > \(bind: after ?? 0)
                  AND (internal = 0 OR \(bind: includeInternal ? 1 : 0) = 1)
                ORDER BY id
                """
            ).all()
            let files = try await db.raw(
                """
                SELECT id, message_id, file_name, type, size FROM support_attachment
                WHERE ticket_id = \(bind: ticket) AND message_id > \(bind: after ?? 0) ORDER BY id
                """
            ).all().compactMap(Self.decodeAttachmentInfo)
            let byMessage = Dictionary(grouping: files, by: \.messageID)
            return try rows.map { row in
                let id = try row.decode(column: "id", as: Int64.self)
                let author: TicketMessage.Author
                switch try row.decode(column: "author", as: String.self) {
                case "agent":
                    author = .agent(
                        AgentID(try row.decode(column: "agent_id", as: Int64?.self) ?? 0),
                        name: try row.decode(column: "agent_name", as: String?.self) ?? "")
                case "system": author = .system
                default: author = .subscriber
                }
                return TicketMessage(
                    id: id, ticketID: ticket, author: author,
                    isInternal: try row.decode(column: "internal", as: Int.self) != 0,
                    body: try row.decode(column: "body", as: String.self),
                    createdAt: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
                    attachments: byMessage[id] ?? [])
            }
        }
    }

    public func add(_ message: NewMessage) async throws -> TicketMessage {
        let at = message.at.storageMilliseconds
        let (id, queued) = try await database.write { db -> (Int64, Bool) in
            guard
                let row = try await db.raw(
                    "SELECT status, first_responded_at FROM support_ticket WHERE id = \(bind: message.ticketID)"
                ).first(), let current = Ticket.Status(rawValue: try row.decode(column: "status", as: String.self)),
                message.from.contains(current)
            else { throw CabinetError(SupportError.ticketClosed) }
            let id = try await Self.insertMessage(
                ticket: message.ticketID, author: message.author, isInternal: message.isInternal, body: message.body,
                attachments: message.attachments, at: at, on: db)
            // An agent's first public answer meets (or misses) the first-response target.
            if case .agent = message.author, !message.isInternal,
                try row.decode(column: "first_responded_at", as: Int64?.self) == nil
            {
                try await db.raw(
                    "UPDATE support_ticket SET first_responded_at = \(bind: at) WHERE id = \(bind: message.ticketID)"
                ).run()
            }
            // Written only while the ticket is still as read: a reply that races a resolution or the closing job
            // fails whole (the message too) rather than reopening the ticket behind the reopen window.
            let moved: Bool
            if let status = message.status, status != current {
                moved = try await Self.setStatus(message.ticketID, to: status, from: current, at: message.at, on: db)
            } else {
                moved =
                    try await db.raw(
                        """
                        UPDATE support_ticket SET updated_at = \(bind: at)
                        WHERE id = \(bind: message.ticketID) AND status = \(bind: current.rawValue) RETURNING id
                        """
                    ).first() != nil
            }
            guard moved else { throw CabinetError(SupportError.ticketClosed) }
            var queued = false
            switch message.notice {
            case .sms(let to, let text):
                queued = try await Outbox.enqueue(
                    OutgoingSMS(to: to, text: text, purpose: "support.answer", dedupeKey: "support-message:\(id)"),
                    on: db, now: message.at)
            case .email(let to, let subject, let text):
                queued = try await Outbox.enqueue(
                    MailMessage(
                        to: to, subject: subject, textBody: text, purpose: "support.answer",
                        dedupeKey: "support-message:\(id)"),
                    on: db, now: message.at)
            case nil:
                break
            }
            return (id, queued)
        }
        if queued { messagesQueued() }
        let all = try await messages(of: message.ticketID, includeInternal: true, after: id - 1)
        guard let stored = all.first(where: { $0.id == id }) else { throw CabinetError.internal("message not stored") }
        return stored
    }

    public func changeStatus(_ ticket: Int64, from: Set<Ticket.Status>, to: Ticket.Status, note: String?, at: Date)
        async throws -> Bool
    {
        try await database.write { db in
            guard let row = try await db.raw("SELECT status FROM support_ticket WHERE id = \(bind: ticket)").first(),
                let current = Ticket.Status(rawValue: try row.decode(column: "status", as: String.self)),
                from.contains(current)
            else { return false }
            guard try await Self.setStatus(ticket, to: to, from: current, at: at, on: db) else { return false }
            if let note {
                _ = try await Self.insertMessage(
                    ticket: ticket, author: .system, isInternal: false, body: note, attachments: [],
                    at: at.storageMilliseconds, on: db)
            }
            return true
        }
    }

    /// Moves the ticket (only from `from` when given: a conditional update, so two changes at once move it once) and
    /// its request record.
    @discardableResult
    static func setStatus(
        _ ticket: Int64, to status: Ticket.Status, from: Ticket.Status? = nil, at: Date, on db: any SQLDatabase
    ) async throws -> Bool {
        let ms = at.storageMilliseconds
        // Resolving stamps the time; closing keeps it (the reopen window ran from it); anything else clears it.
        let resolved: SQLQueryString =
            switch status {
            case .resolved: "resolved_at = \(bind: ms)"
            case .closed: "resolved_at = resolved_at"
            default: "resolved_at = NULL"
            }
        let closed: SQLQueryString = status == .closed ? "closed_at = \(bind: ms)" : "closed_at = NULL"
        // Only from the status the caller read: of two changes at once, one moves the ticket.
        let condition: SQLQueryString = from.map { " AND status = \(bind: $0.rawValue)" } ?? ""
        let query: SQLQueryString =
            "UPDATE support_ticket SET status = \(bind: status.rawValue), updated_at = \(bind: ms), " + resolved + ", "
            + closed + " WHERE id = \(bind: ticket)" + condition + " RETURNING id"
        let moved = try await db.raw(query).first()
        guard moved != nil else { return false }
        try await SQLRequestRegistry.update(
            ticket, status: status.requestStatus, detail: "support.status.\(status.rawValue)", at: at, on: db)
        return true
    }

    static func insertMessage(
        ticket: Int64, author: TicketMessage.Author, isInternal: Bool, body: String, attachments: [CheckedAttachment],
        at: Int64, on db: any SQLDatabase
    ) async throws -> Int64 {
        let (kind, agentID, agentName): (String, Int64?, String?) =
            switch author {
            case .subscriber: ("subscriber", nil, nil)
            case .agent(let id, let name): ("agent", id.rawValue, name)
            case .system: ("system", nil, nil)
            }
        guard
            let row = try await db.raw(
                """
                INSERT INTO support_message (ticket_id, author, agent_id, agent_name, internal, body, created_at)
                VALUES (\(bind: ticket), \(bind: kind), \(bind: agentID), \(bind: agentName),
                    \(bind: isInternal ? 1 : 0), \(bind: body), \(bind: at))
                RETURNING id
                """
            ).first()
        else { throw CabinetError.internal("message not stored") }
        let id = try row.decode(column: "id", as: Int64.self)
        for file in attachments {
            try await db.raw(
                """
                INSERT INTO support_attachment (ticket_id, message_id, file_name, type, size, data, created_at)
                VALUES (\(bind: ticket), \(bind: id), \(bind: file.fileName), \(bind: file.type.rawValue),
                    \(bind: file.bytes.count), \(bind: Data(file.bytes)), \(bind: at))
                """
            ).run()
        }
        return id
    }

    public func assign(_ ticket: Int64, to agent: AgentID, onlyIfFree: Bool, at: Date) async throws -> Bool {
        // Taking is "nobody's or mine already": of two agents taking at once, one gets it.
        let condition: SQLQueryString =
            onlyIfFree
            ? " AND (assigned_agent IS NULL OR assigned_agent = \(bind: agent.rawValue))" : ""
        let query: SQLQueryString =
            """
            UPDATE support_ticket SET assigned_agent = \(bind: agent.rawValue), updated_at = \(bind: at.storageMilliseconds)
            WHERE id = \(bind: ticket) AND status IN ('new', 'inProgress', 'waitingForCustomer')
            """ + condition + " RETURNING id"
        return try await database.write { db in try await db.raw(query).first() != nil }
    }

    public func rate(_ ticket: Int64, stars: Int, comment: String?, at: Date) async throws -> Bool {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE support_ticket SET rating = \(bind: stars), rating_comment = \(bind: comment),
                    updated_at = \(bind: at.storageMilliseconds)
                WHERE id = \(bind: ticket) AND rating IS NULL AND status IN ('resolved', 'closed')
                RETURNING id
                """
            ).first() != nil
        }
    }

    public func attachment(_ id: Int64) async throws -> Attachment? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id, ticket_id, message_id, file_name, type, size, data FROM support_attachment
                WHERE id = \(bind: id)
                """
            ).first()
        }.flatMap { row in
            guard let info = try Self.decodeAttachmentInfo(row) else { return nil }
            return Attachment(
                info: info, ticketID: try row.decode(column: "ticket_id", as: Int64.self),
                bytes: Array(try row.decode(column: "data", as: Data.self)))
        }
    }

    public func closeResolved(before cutoff: Date, region: RegionID, at now: Date) async throws -> [Int64] {
        let due = try await database.read { db in
            try await db.raw(
                """
                SELECT id FROM support_ticket WHERE status = 'resolved' AND region = \(bind: region.rawValue)
                  AND resolved_at < \(bind: cutoff.storageMilliseconds) ORDER BY id LIMIT 500
                """
            ).all().map { try $0.decode(column: "id", as: Int64.self) }
        }
        var closed: [Int64] = []
        for id in due where try await changeStatus(id, from: [.resolved], to: .closed, note: nil, at: now) {
            closed.append(id)
        }
        return closed
    }

    public func queue(_ filter: QueueFilter, at now: Date) async throws -> [Ticket] {
        let regions: [SQLQueryString] = filter.regions.sorted { $0.rawValue < $1.rawValue }.map {
            "\(bind: $0.rawValue)"
        }
        let statuses: [SQLQueryString] = filter.statuses.sorted { $0.rawValue < $1.rawValue }.map {
            "\(bind: $0.rawValue)"
        }
        guard !regions.isEmpty, !statuses.isEmpty else { return [] }
        let ms = now.storageMilliseconds
        var query: SQLQueryString = "SELECT \(Self.ticketColumns) FROM support_ticket WHERE region IN ("
        query = query + regions.joined(separator: ", ") + ") AND status IN (" + statuses.joined(separator: ", ") + ")"
        if let category = filter.category { query = query + " AND category = \(bind: category)" }
        if let agent = filter.assignedTo { query = query + " AND assigned_agent = \(bind: agent.rawValue)" }
        // Overdue first (no first answer and past the target), then by the deadline, oldest first.
        query =
            query
                + """
                 ORDER BY CASE WHEN first_responded_at IS NULL AND first_response_due < \(bind: ms) THEN 0 ELSE 1 END,
                    CASE WHEN first_responded_at IS NULL THEN first_response_due ELSE updated_at END, id
                LIMIT \(literal: filter.limit)
                """
        let final = query
        return try await database.read { db in try await db.raw(final).all() }.compactMap(Self.decodeTicket)
    }

    public func overdueCount(at now: Date) async throws -> Int {
        try await database.read { db in
            try await db.raw(
                """
                SELECT COUNT(*) AS n FROM support_ticket WHERE first_responded_at IS NULL
                  AND status IN ('new', 'inProgress', 'waitingForCustomer')
                  AND first_response_due < \(bind: now.storageMilliseconds)
                """
            ).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func openCompensation(forMovement entryID: Int64) async throws -> Int64? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id FROM support_ticket WHERE movement_entry_id = \(bind: entryID)
                  AND (decision IS NULL OR decision = 'approved')
                """
            ).first()?.decode(column: "id", as: Int64.self)
        }
    }

    public func decide(
        _ ticket: Int64, decision: Compensation.Decision, credit: LedgerPosting?, note: String, at: Date
    ) async throws {
        let (kind, amount, reason, agent): (String, Int64?, String?, AgentID) =
            switch decision {
            case .approved(let money, let by): ("approved", money.minorUnits, nil, by)
            case .rejected(let reason, let by): ("rejected", nil, reason, by)
            }
        let lines = credit.map { [$0.line] } ?? []
        try await ledger.transaction(lines: lines) { transaction, writer in
            let db = try transaction.sql()
            // Written only while undecided: of two approvals at once, one decides and credits.
            guard
                try await db.raw(
                    """
                    UPDATE support_ticket SET decision = \(bind: kind), decided_amount = \(bind: amount),
                        decision_reason = \(bind: reason), decided_by = \(bind: agent.rawValue)
                    WHERE id = \(bind: ticket) AND kind = 'compensation' AND decision IS NULL
                      AND status IN ('new', 'inProgress', 'waitingForCustomer')
                    RETURNING id
                    """
                ).first() != nil
            else { throw CabinetError(SupportError.compensationDecided) }
            if let credit {
                switch try await writer.post(credit) {
                case .posted, .duplicate: break
                case .insufficientFunds: throw CabinetError.internal("a credit was refused")
                }
            }
            let status = try await db.raw("SELECT status FROM support_ticket WHERE id = \(bind: ticket)").first()
                .flatMap { Ticket.Status(rawValue: try $0.decode(column: "status", as: String.self)) }
            // A system line is a message key and its one value (the amount or the reason): `key|value`.
            let value = reason ?? credit?.amount.displayString
            _ = try await Self.insertMessage(
                ticket: ticket, author: .system, isInternal: false, body: value.map { "\(note)|\($0)" } ?? note,
                attachments: [],
                at: at.storageMilliseconds, on: db)
            if let status, status.isOpen {
                guard try await Self.setStatus(ticket, to: .resolved, from: status, at: at, on: db) else {
                    throw CabinetError(SupportError.compensationDecided)
                }
            }
        }
    }

    // MARK: Decoding

    static func decodeTicket(_ row: any SQLRow) throws -> Ticket? {
        guard let msisdn = MSISDN(e164: try row.decode(column: "msisdn", as: String.self)),
            let kind = Ticket.Kind(rawValue: try row.decode(column: "kind", as: String.self)),
            let status = Ticket.Status(rawValue: try row.decode(column: "status", as: String.self)),
            let region = RegionID(rawValue: try row.decode(column: "region", as: String.self))
        else { return nil }
        func date(_ column: String) throws -> Date? {
            try row.decode(column: column, as: Int64?.self).map(Date.init(storageMilliseconds:))
        }
        var compensation: Compensation?
        if let entry = try row.decode(column: "movement_entry_id", as: Int64?.self),
            let minor = try row.decode(column: "disputed_amount", as: Int64?.self),
            let currency = Currency(code: try row.decode(column: "currency", as: String?.self) ?? "")
        {
            var decision: Compensation.Decision?
            let by = AgentID(try row.decode(column: "decided_by", as: Int64?.self) ?? 0)
            switch try row.decode(column: "decision", as: String?.self) {
            case "approved":
                decision = .approved(
                    Money(
                        minorUnits: try row.decode(column: "decided_amount", as: Int64?.self) ?? 0, currency: currency),
                    by: by)
            case "rejected":
                decision = .rejected(reason: try row.decode(column: "decision_reason", as: String?.self) ?? "", by: by)
            default:
                decision = nil
            }
            compensation = Compensation(
                movementEntryID: entry, disputed: Money(minorUnits: minor, currency: currency), decision: decision)
        }
        return Ticket(
            id: try row.decode(column: "id", as: Int64.self),
            subscriberID: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)), msisdn: msisdn,
            region: region,
            category: try row.decode(column: "category", as: String.self), kind: kind,
            subject: try row.decode(column: "subject", as: String.self), status: status,
            notify: Ticket.Notify(rawValue: try row.decode(column: "notify", as: String.self)) ?? .none,
            language: Language(rawValue: try row.decode(column: "language", as: String.self)) ?? .ru,
            assignedAgent: try row.decode(column: "assigned_agent", as: Int64?.self).map { AgentID($0) },
            createdAt: try date("created_at") ?? Date(timeIntervalSince1970: 0),
            updatedAt: try date("updated_at") ?? Date(timeIntervalSince1970: 0),
            firstResponseDue: try date("first_response_due") ?? Date(timeIntervalSince1970: 0),
            firstRespondedAt: try date("first_responded_at"), resolvedAt: try date("resolved_at"),
            closedAt: try date("closed_at"), rating: try row.decode(column: "rating", as: Int?.self),
            ratingComment: try row.decode(column: "rating_comment", as: String?.self), compensation: compensation)
    }

    static func decodeAttachmentInfo(_ row: any SQLRow) throws -> AttachmentInfo? {
        guard let type = AttachmentType(rawValue: try row.decode(column: "type", as: String.self)) else { return nil }
        return AttachmentInfo(
            id: try row.decode(column: "id", as: Int64.self),
            messageID: try row.decode(column: "message_id", as: Int64.self),
            fileName: try row.decode(column: "file_name", as: String.self), type: type,
            size: try row.decode(column: "size", as: Int.self))
    }
}
