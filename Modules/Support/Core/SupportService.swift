public import Billing
public import CabinetCore
public import Foundation

/// What an agent sees of a ticket: the whole conversation (notes too) and, while the ticket is open, the line's
/// context needed to answer it. Every such view is journaled and the subscriber sees it in their journal.
public struct AgentTicketView: Sendable {
    public struct LineContext: Sendable {
        public var dashboard: Dashboard?
        public var movements: [LedgerMovement]
        public var openRequests: [ServiceRequest]

        public init(dashboard: Dashboard?, movements: [LedgerMovement], openRequests: [ServiceRequest]) {
            self.dashboard = dashboard
            self.movements = movements
            self.openRequests = openRequests
        }
    }

    public var thread: TicketThread
    /// `nil` once the ticket is resolved or closed.
    public var context: LineContext?
    public var assignedAgent: Agent?
    /// The disputed movement of a compensation ticket.
    public var disputedMovement: LedgerMovement?

    public init(
        thread: TicketThread, context: LineContext?, assignedAgent: Agent?, disputedMovement: LedgerMovement?
    ) {
        self.thread = thread
        self.context = context
        self.assignedAgent = assignedAgent
        self.disputedMovement = disputedMovement
    }
}

/// What a subscriber asks of support; who may do what is decided per action on the ``LineAccess`` the session gives.
/// ``DefaultSupportService`` is the implementation.
public protocol SupportService: Sendable {
    var now: Date { get }
    func settings(for region: RegionID) throws -> SupportSettings

    /// Opens a ticket on the acting line (`manageServices`: a delegate who may only look or pay may not write to
    /// support in the owner's name). A compensation names a movement of the line's balance history.
    func open(_ draft: TicketDraft, on line: LineAccess, language: Language) async throws -> Ticket
    func tickets(of line: LineAccess, before cursor: Int64?, limit: Int) async throws -> [Ticket]
    /// The ticket with its conversation, internal notes left out; another line's ticket is `support.ticket.notFound`.
    func thread(_ id: Int64, of line: LineAccess) async throws -> TicketThread
    /// Public messages after `after` (the live page's updates).
    func messages(of id: Int64, line: LineAccess, after: Int64?) async throws -> [TicketMessage]
    func reply(to id: Int64, on line: LineAccess, body: String, attachments: [NewAttachment]) async throws
        -> TicketMessage
    func reopen(_ id: Int64, on line: LineAccess) async throws -> Ticket
    func rate(_ id: Int64, on line: LineAccess, stars: Int, comment: String?) async throws -> Ticket
    func attachment(_ id: Int64, of ticket: Int64, line: LineAccess) async throws -> Attachment
    func searchFAQ(_ query: String, region: RegionID, language: Language, limit: Int) async throws -> [FAQHit]
    func faqArticle(id: String, region: RegionID, language: Language) async throws -> FAQArticle?

    /// Closes resolved tickets past the region's reopen window; returns how many.
    func closeExpired() async throws -> Int
    func overdueCount() async throws -> Int
}

/// The agents' side: their accounts, login, queue and actions. Every action checks the agent serves the ticket's
/// region; every view and action is journaled.
public protocol AgentDesk: Sendable {
    func addAgent(login: String, name: String, role: Agent.Role, regions: Set<RegionID>) async throws
        -> AgentCredentials
    func setDisabled(login: String, _ disabled: Bool) async throws
    func agents() async throws -> [Agent]

    /// Password and TOTP code; an agent without an enrolled authenticator gets its secret first and confirms it with
    /// a code in the same form.
    func login(login: String, password: String, code: String, clientAddress: String?) async throws
        -> AgentLoginResult
    func session(token: String) async throws -> AgentSession?
    /// Replaces the password (the operator's first one, or the agent's) after checking the current one.
    func changePassword(of agent: Agent, current: String, new: String) async throws
    func logout(token: String) async throws

    func queue(for agent: Agent, filter: QueueFilter) async throws -> [Ticket]
    /// The ticket alone, for an action (no look at the line, so nothing is journaled).
    func ticket(_ id: Int64, by agent: Agent) async throws -> Ticket
    func view(_ id: Int64, by agent: Agent) async throws -> AgentTicketView
    func take(_ id: Int64, by agent: Agent) async throws
    func reply(to id: Int64, by agent: Agent, body: String, status: Ticket.Status?) async throws -> TicketMessage
    func note(on id: Int64, by agent: Agent, body: String) async throws -> TicketMessage
    func setStatus(_ id: Int64, by agent: Agent, to status: Ticket.Status) async throws
    /// Hands the ticket to another agent of its region: its assignee may; a supervisor may reassign any.
    func handOver(_ id: Int64, by agent: Agent, to login: String) async throws
    func approveCompensation(_ id: Int64, by agent: Agent, amount: Money) async throws
    func rejectCompensation(_ id: Int64, by agent: Agent, reason: String) async throws
    func cannedReply(_ id: String, for ticket: Ticket, by agent: Agent) -> String?
    /// A file of a ticket of the agent's regions (notes' files too).
    func attachment(_ id: Int64, of ticket: Int64, by agent: Agent) async throws -> Attachment
}

/// The operator's CRM through the TMF621 resource: every region, no agent.
public protocol TroubleTickets: Sendable {
    func tickets(status: Ticket.Status?, before cursor: Int64?, limit: Int) async throws -> [Ticket]
    func ticket(_ id: Int64) async throws -> TicketThread
    func open(for msisdn: MSISDN, category: String?, subject: String, description: String) async throws -> Ticket
    /// Each status the ticket took, with its time (from its request record's history).
    func statusChanges(_ id: Int64) async throws -> [(status: Ticket.Status, at: Date)]
    /// Sets the status and/or adds an internal note, as the CRM's operator.
    func update(_ id: Int64, status: Ticket.Status?, note: String?) async throws -> TicketThread
}
