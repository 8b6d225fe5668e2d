public import CabinetCore
public import Foundation

/// A support ticket («Обращение»). Its id is the id of its request record, so its number (`R-000042`) is the one the
/// request history shows, and the record's status follows the ticket's.
public struct Ticket: Sendable, Hashable, Identifiable {
    public enum Status: String, Sendable, Hashable, CaseIterable, Codable {
        case new, inProgress, waitingForCustomer, resolved, closed

        /// The request record's status for this ticket status.
        public var requestStatus: ServiceRequest.Status {
            switch self {
            case .new: .pending
            case .inProgress, .waitingForCustomer: .processing
            case .resolved, .closed: .done
            }
        }

        /// Open tickets are the agents' queue.
        public var isOpen: Bool { self != .resolved && self != .closed }
    }

    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case question
        /// A disputed movement of the balance history («Перерасчёт»).
        case compensation
    }

    /// How the subscriber hears of an agent's answer.
    public enum Notify: String, Sendable, Hashable, CaseIterable, Codable {
        case sms, email, none
    }

    public var id: Int64
    public var subscriberID: SubscriberID
    public var msisdn: MSISDN
    public var region: RegionID
    public var category: String
    public var kind: Kind
    public var subject: String
    public var status: Status
    public var notify: Notify
    public var language: Language
    public var assignedAgent: AgentID?
    public var createdAt: Date
    public var updatedAt: Date
    /// When an agent's first public answer is due (the category's target from the opening).
    public var firstResponseDue: Date
    public var firstRespondedAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?
    public var rating: Int?
    public var ratingComment: String?
    public var compensation: Compensation?

    public init(
        id: Int64, subscriberID: SubscriberID, msisdn: MSISDN, region: RegionID, category: String, kind: Kind,
        subject: String, status: Status, notify: Notify, language: Language, assignedAgent: AgentID?, createdAt: Date,
        updatedAt: Date, firstResponseDue: Date, firstRespondedAt: Date? = nil, resolvedAt: Date? = nil,
        closedAt: Date? = nil, rating: Int? = nil, ratingComment: String? = nil, compensation: Compensation? = nil
    ) {
        self.id = id
        self.subscriberID = subscriberID
        self.msisdn = msisdn
        self.region = region
        self.category = category
        self.kind = kind
        self.subject = subject
        self.status = status
        self.notify = notify
        self.language = language
        self.assignedAgent = assignedAgent
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.firstResponseDue = firstResponseDue
        self.firstRespondedAt = firstRespondedAt
        self.resolvedAt = resolvedAt
        self.closedAt = closedAt
        self.rating = rating
        self.ratingComment = ratingComment
        self.compensation = compensation
    }

    public var number: String { ServiceRequest.number(for: id) }

    /// Waiting for its first answer past the category's target.
    public func isOverdue(at now: Date) -> Bool {
        firstRespondedAt == nil && status.isOpen && now > firstResponseDue
    }

    /// A compensation request nobody decided yet: only a decision resolves it.
    public var awaitsDecision: Bool { kind == .compensation && compensation?.decision == nil }

    /// Whether the subscriber may still reopen it.
    public func canReopen(at now: Date, reopenDays: Int) -> Bool {
        guard status == .resolved, let resolvedAt else { return false }
        return now < resolvedAt.addingTimeInterval(TimeInterval(reopenDays) * 86_400)
    }
}

/// The disputed movement of a compensation ticket and the agent's decision.
public struct Compensation: Sendable, Hashable {
    public enum Decision: Sendable, Hashable {
        case approved(Money, by: AgentID)
        case rejected(reason: String, by: AgentID)
    }

    /// The balance history's entry (`LedgerMovement.entryID`) the subscriber disputes.
    public var movementEntryID: Int64
    public var disputed: Money
    public var decision: Decision?

    public init(movementEntryID: Int64, disputed: Money, decision: Decision? = nil) {
        self.movementEntryID = movementEntryID
        self.disputed = disputed
        self.decision = decision
    }

    /// The permanent external id of the credit: a ticket is credited once, whoever approves how often.
    public static func externalID(ticket: Int64) -> String { "compensation:\(ServiceRequest.number(for: ticket))" }
}

/// One message of a ticket's conversation.
public struct TicketMessage: Sendable, Hashable, Identifiable {
    public enum Author: Sendable, Hashable {
        case subscriber
        case agent(AgentID, name: String)
        /// Status changes and decisions the conversation records.
        case system
    }

    public var id: Int64
    public var ticketID: Int64
    public var author: Author
    /// An internal note: agents only, never the subscriber.
    public var isInternal: Bool
    public var body: String
    public var createdAt: Date
    public var attachments: [AttachmentInfo]

    public init(
        id: Int64, ticketID: Int64, author: Author, isInternal: Bool, body: String, createdAt: Date,
        attachments: [AttachmentInfo] = []
    ) {
        self.id = id
        self.ticketID = ticketID
        self.author = author
        self.isInternal = isInternal
        self.body = body
        self.createdAt = createdAt
        self.attachments = attachments
    }
}

/// An attached file as lists show it (the bytes are read only for a download).
public struct AttachmentInfo: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var messageID: Int64
    public var fileName: String
    public var type: AttachmentType
    public var size: Int

    public init(id: Int64, messageID: Int64, fileName: String, type: AttachmentType, size: Int) {
        self.id = id
        self.messageID = messageID
        self.fileName = fileName
        self.type = type
        self.size = size
    }
}

/// A file as it is downloaded.
public struct Attachment: Sendable, Hashable {
    public var info: AttachmentInfo
    public var ticketID: Int64
    public var bytes: [UInt8]

    public init(info: AttachmentInfo, ticketID: Int64, bytes: [UInt8]) {
        self.info = info
        self.ticketID = ticketID
        self.bytes = bytes
    }
}

/// A file as the subscriber sends it: its name as typed, its bytes (the type is sniffed from them).
public struct NewAttachment: Sendable, Hashable {
    public var fileName: String
    public var bytes: [UInt8]

    public init(fileName: String, bytes: [UInt8]) {
        self.fileName = fileName
        self.bytes = bytes
    }
}

/// What a subscriber fills in to open a ticket.
public struct TicketDraft: Sendable, Hashable {
    public var category: String
    public var subject: String
    public var message: String
    public var attachments: [NewAttachment]
    public var notify: Ticket.Notify
    /// For a compensation: the disputed movement's entry and amount.
    public var compensation: (movementEntryID: Int64, amount: Money)?

    public init(
        category: String, subject: String, message: String, attachments: [NewAttachment] = [],
        notify: Ticket.Notify = .sms, compensation: (movementEntryID: Int64, amount: Money)? = nil
    ) {
        self.category = category
        self.subject = subject
        self.message = message
        self.attachments = attachments
        self.notify = notify
        self.compensation = compensation
    }

    public static func == (lhs: TicketDraft, rhs: TicketDraft) -> Bool {
        lhs.category == rhs.category && lhs.subject == rhs.subject && lhs.message == rhs.message
            && lhs.attachments == rhs.attachments && lhs.notify == rhs.notify
            && lhs.compensation?.movementEntryID == rhs.compensation?.movementEntryID
            && lhs.compensation?.amount == rhs.compensation?.amount
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(subject)
        hasher.combine(message)
    }
}

/// A ticket with its conversation as one reader may see it (internal notes only for agents).
public struct TicketThread: Sendable, Hashable {
    public var ticket: Ticket
    public var messages: [TicketMessage]

    public init(ticket: Ticket, messages: [TicketMessage]) {
        self.ticket = ticket
        self.messages = messages
    }
}
