public import Billing
public import CabinetCore
public import Foundation

/// A new ticket as the service hands it to the store: checked, attachments sniffed.
public struct NewTicket: Sendable {
    public var subscriberID: SubscriberID
    public var msisdn: MSISDN
    public var region: RegionID
    public var category: String
    public var kind: Ticket.Kind
    public var subject: String
    public var message: String
    public var attachments: [CheckedAttachment]
    public var notify: Ticket.Notify
    public var language: Language
    public var firstResponseDue: Date
    public var compensation: Compensation?
    public var at: Date

    public init(
        subscriberID: SubscriberID, msisdn: MSISDN, region: RegionID, category: String, kind: Ticket.Kind,
        subject: String, message: String, attachments: [CheckedAttachment], notify: Ticket.Notify, language: Language,
        firstResponseDue: Date, compensation: Compensation?, at: Date
    ) {
        self.subscriberID = subscriberID
        self.msisdn = msisdn
        self.region = region
        self.category = category
        self.kind = kind
        self.subject = subject
        self.message = message
        self.attachments = attachments
        self.notify = notify
        self.language = language
        self.firstResponseDue = firstResponseDue
        self.compensation = compensation
        self.at = at
    }

    /// The request record's kind: `support.ticket` or `support.compensation`.
    public var requestKind: String { "support.\(kind == .compensation ? "compensation" : "ticket")" }
}

/// An attachment whose type was decided from its bytes.
public struct CheckedAttachment: Sendable, Hashable {
    public var fileName: String
    public var type: AttachmentType
    public var bytes: [UInt8]

    public init(fileName: String, type: AttachmentType, bytes: [UInt8]) {
        self.fileName = fileName
        self.type = type
        self.bytes = bytes
    }
}

/// A message to add to a ticket, with what it changes.
public struct NewMessage: Sendable {
    public var ticketID: Int64
    public var author: TicketMessage.Author
    public var isInternal: Bool
    public var body: String
    public var attachments: [CheckedAttachment]
    /// The ticket moves to this status only from one of `from` (else nothing is written: `support.ticket.closed`).
    public var status: Ticket.Status?
    public var from: Set<Ticket.Status>
    /// The SMS or e-mail telling the subscriber, queued in the same transaction.
    public var notice: Notice?
    public var at: Date

    public init(
        ticketID: Int64, author: TicketMessage.Author, isInternal: Bool, body: String,
        attachments: [CheckedAttachment] = [], status: Ticket.Status?, from: Set<Ticket.Status>, notice: Notice?,
        at: Date
    ) {
        self.ticketID = ticketID
        self.author = author
        self.isInternal = isInternal
        self.body = body
        self.attachments = attachments
        self.status = status
        self.from = from
        self.notice = notice
        self.at = at
    }
}

/// A text to the subscriber through the outbox.
public enum Notice: Sendable, Hashable {
    case sms(to: MSISDN, text: String)
    case email(to: String, subject: String, text: String)
}

/// An agent with what only the login compares.
public struct AgentSecrets: Sendable, Hashable {
    public var agent: Agent
    public var passwordHash: String
    /// Sealed by ``AgentSecretBox``.
    public var totpSecret: String
    public var failures: Int
    public var lockedUntil: Date?
    /// The last TOTP step accepted: a code is used once.
    public var lastStep: Int64

    public init(
        agent: Agent, passwordHash: String, totpSecret: String, failures: Int, lockedUntil: Date?, lastStep: Int64
    ) {
        self.agent = agent
        self.passwordHash = passwordHash
        self.totpSecret = totpSecret
        self.failures = failures
        self.lockedUntil = lockedUntil
        self.lastStep = lastStep
    }
}

/// The queue's filters.
public struct QueueFilter: Sendable, Hashable {
    public var regions: Set<RegionID>
    public var statuses: Set<Ticket.Status>
    public var category: String?
    /// Only tickets assigned to this agent.
    public var assignedTo: AgentID?
    public var limit: Int

    public init(
        regions: Set<RegionID>, statuses: Set<Ticket.Status> = [.new, .inProgress, .waitingForCustomer],
        category: String? = nil, assignedTo: AgentID? = nil, limit: Int = 100
    ) {
        self.regions = regions
        self.statuses = statuses
        self.category = category
        self.assignedTo = assignedTo
        self.limit = limit
    }
}

/// An FAQ article in one language, as the search indexes it.
public struct FAQArticle: Sendable, Hashable {
    public var id: String
    /// `nil`: every region.
    public var region: RegionID?
    public var language: Language
    public var title: String
    public var body: String

    public init(id: String, region: RegionID?, language: Language, title: String, body: String) {
        self.id = id
        self.region = region
        self.language = language
        self.title = title
        self.body = body
    }
}

/// A search hit: the article, its rank and excerpts with the matches between `[[` and `]]` (the page turns them
/// into `<mark>` after escaping, so an article's text never becomes markup).
public struct FAQHit: Sendable, Hashable {
    public var id: String
    public var title: String
    public var titleHighlighted: String
    public var snippet: String
    public var rank: Double

    public init(id: String, title: String, titleHighlighted: String, snippet: String, rank: Double) {
        self.id = id
        self.title = title
        self.titleHighlighted = titleHighlighted
        self.snippet = snippet
        self.rank = rank
    }
}

/// Where Support keeps tickets, agents and the FAQ index: SQL on both backends (`SupportStorage`). Every change of a
/// ticket updates its request record in the same transaction.
public protocol SupportStore: Sendable {
    func open(_ ticket: NewTicket) async throws -> Ticket
    func ticket(_ id: Int64) async throws -> Ticket?
    func tickets(of subscriber: SubscriberID, before cursor: Int64?, limit: Int) async throws -> [Ticket]
    /// Every region's tickets, newest first (the operator's CRM).
    func allTickets(status: Ticket.Status?, before cursor: Int64?, limit: Int) async throws -> [Ticket]
    /// The conversation, oldest first; internal notes only when asked; only messages after `after` when given.
    func messages(of ticket: Int64, includeInternal: Bool, after: Int64?) async throws -> [TicketMessage]
    func add(_ message: NewMessage) async throws -> TicketMessage
    /// Moves the ticket from one of `from` to `to`, with a system line in the conversation; `false` when it was not
    /// in one of `from`.
    func changeStatus(_ ticket: Int64, from: Set<Ticket.Status>, to: Ticket.Status, note: String?, at: Date)
        async throws
        -> Bool
    /// Assigns an open ticket; with `onlyIfFree` only when nobody (or this agent) has it. `false` when it did not.
    func assign(_ ticket: Int64, to agent: AgentID, onlyIfFree: Bool, at: Date) async throws -> Bool
    /// Rates a resolved or closed ticket once; `false` when it was rated or is open.
    func rate(_ ticket: Int64, stars: Int, comment: String?, at: Date) async throws -> Bool
    func attachment(_ id: Int64) async throws -> Attachment?
    /// Closes the region's tickets resolved before `cutoff`; returns their ids.
    func closeResolved(before cutoff: Date, region: RegionID, at now: Date) async throws -> [Int64]
    func queue(_ filter: QueueFilter, at now: Date) async throws -> [Ticket]
    func overdueCount(at now: Date) async throws -> Int
    /// The compensation ticket that is open or was approved for this movement (a movement is compensated once).
    func openCompensation(forMovement entryID: Int64) async throws -> Int64?
    /// Records the decision, the credit (approved) and the ticket's resolution in one ledger transaction; the
    /// decision is written only while none is, so concurrent approvals credit once.
    func decide(_ ticket: Int64, decision: Compensation.Decision, credit: LedgerPosting?, note: String, at: Date)
        async throws

    /// `totpSecret` is sealed by ``AgentSecretBox``.
    func addAgent(_ agent: Agent, passwordHash: String, totpSecret: String) async throws -> Agent
    func agent(login: String) async throws -> AgentSecrets?
    func agent(_ id: AgentID) async throws -> Agent?
    func agents() async throws -> [Agent]
    /// Disables or enables; disabling ends the agent's sessions. `false` when there is no such agent.
    func setDisabled(login: String, _ disabled: Bool) async throws -> Bool
    /// Counts a failure; the `maxFailures`-th in a row locks the agent until `lockUntil` (decided in the update, so
    /// a burst of parallel tries gets no more).
    /// The agent's own password replaces the operator's first one.
    func setPassword(_ agent: AgentID, hash: String, at: Date) async throws
    func loginFailed(_ agent: AgentID, maxFailures: Int, lockUntil: Date, at: Date) async throws
    /// Accepts a login at TOTP `step` only if no later or equal step was used (one code, one login).
    func loginSucceeded(_ agent: AgentID, step: Int64, at: Date) async throws -> Bool
    func createSession(tokenHash: String, agent: AgentID, csrf: String, expiresAt: Date, at: Date) async throws
    func session(tokenHash: String, at: Date) async throws -> AgentSession?
    func deleteSession(tokenHash: String) async throws
    func journal(_ entry: AgentJournalEntry) async throws
    func journal(ofTicket ticket: Int64) async throws -> [AgentJournalEntry]

    /// Replaces the FAQ index with `articles` (at start, from the files).
    func replaceFAQ(_ articles: [FAQArticle]) async throws
    /// Articles of the region (and every region) in `language` matching every stem in `stems` as a word prefix.
    func searchFAQ(region: RegionID, language: Language, stems: [String], limit: Int) async throws -> [FAQHit]
    func faqArticle(id: String, region: RegionID, language: Language) async throws -> FAQArticle?
}
