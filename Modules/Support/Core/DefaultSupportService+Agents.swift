import Auth
import Billing
public import CabinetCore
import Foundation
import Logging

extension DefaultSupportService: AgentDesk {
    // MARK: Accounts

    public func addAgent(login: String, name: String, role: Agent.Role, regions: Set<RegionID>) async throws
        -> AgentCredentials
    {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [FieldError] = []
        if !Agent.isValidLogin(login) { problems.append(FieldError(field: "login", code: SupportError.agentInvalid)) }
        if name.isEmpty || name.count > 100 || !SupportText.isClean(name) {
            problems.append(FieldError(field: "name", code: SupportError.agentInvalid))
        }
        let unknown = regions.filter { self.regions.region($0) == nil }
        if regions.isEmpty || !unknown.isEmpty {
            problems.append(
                FieldError(
                    field: "regions", code: SupportError.agentInvalid,
                    arguments: ["value": unknown.map(\.rawValue).sorted().joined(separator: ", ")]))
        }
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        if try await store.agent(login: login) != nil { throw CabinetError(SupportError.agentExists) }
        let password = SecureRandom.token(bytes: 12)
        let secret = TOTP.generateSecret()
        let agent = try await store.addAgent(
            Agent(
                id: AgentID(0), login: login, name: name, role: role, regions: regions, disabled: false,
                enrolled: false, createdAt: clock.now),
            passwordHash: await hasher.hash(password), totpSecret: try secrets.seal(secret))
        let totp = TOTP(secret: secret)
        return AgentCredentials(
            agent: agent, password: password, totpSecret: Base32.encode(secret),
            provisioningURI: totp.provisioningURI(issuer: "Cabinet Support", account: login))
    }

    public func setDisabled(login: String, _ disabled: Bool) async throws {
        guard try await store.setDisabled(login: login, disabled) else {
            throw CabinetError(SupportError.agentNotFound)
        }
    }

    public func agents() async throws -> [Agent] { try await store.agents() }

    // MARK: Login

    public func login(login: String, password: String, code: String, clientAddress: String?) async throws
        -> AgentLoginResult
    {
        let now = clock.now
        guard let found = try await store.agent(login: login), !found.agent.disabled else {
            // The same work (one bcrypt at the configured cost) and the same answer for a login that does not exist.
            _ = await hasher.hash(password)
            throw CabinetError(SupportError.agentLoginFailed)
        }
        let passwordRight = await hasher.verify(password, against: found.passwordHash)
        if let until = found.lockedUntil, until > now {
            // Only whoever knows the password learns that the agent is locked (and for how long).
            guard passwordRight else { throw CabinetError(SupportError.agentLoginFailed) }
            throw CabinetError(
                SupportError.agentLocked, retryAfterSeconds: max(1, Int(until.timeIntervalSince(now).rounded(.up))))
        }
        guard let secret = secrets.open(found.totpSecret) else {
            // Sealed with another server secret: the operator must create the agent again.
            logger.error(
                "an agent's authenticator key does not open", metadata: ["cabinet.agent": "\(found.agent.login)"])
            throw CabinetError(SupportError.agentLoginFailed)
        }
        let totp = TOTP(secret: secret)
        let trimmed = code.filter { !$0.isWhitespace }
        if passwordRight, !found.agent.enrolled, trimmed.isEmpty {
            // First login: the password is right, the authenticator is not set up; show its secret.
            return .enrolmentNeeded(
                secret: Base32.encode(secret),
                provisioningURI: totp.provisioningURI(issuer: "Cabinet Support", account: found.agent.login))
        }
        guard passwordRight, let step = totp.matchingStep(trimmed, at: now), step > found.lastStep,
            try await store.loginSucceeded(found.agent.id, step: step, at: now)
        else {
            try await store.loginFailed(
                found.agent.id, maxFailures: Self.maxLoginFailures,
                lockUntil: now.addingTimeInterval(Self.lockDuration),
                at: now)
            try await store.journal(
                AgentJournalEntry(agent: found.agent.id, at: now, action: "login.failed", detail: clientAddress))
            throw CabinetError(SupportError.agentLoginFailed)
        }
        let token = SecureRandom.token()
        let csrf = SecureRandom.token(bytes: 16)
        let expires = now.addingTimeInterval(Self.sessionLifetime)
        try await store.createSession(
            tokenHash: SecureRandom.sha256(token), agent: found.agent.id, csrf: csrf, expiresAt: expires, at: now)
        try await store.journal(
            AgentJournalEntry(agent: found.agent.id, at: now, action: "login", detail: clientAddress))
        var agent = found.agent
        agent.enrolled = true
        return .session(token: token, AgentSession(agent: agent, csrfToken: csrf, expiresAt: expires))
    }

    public func changePassword(of agent: Agent, current: String, new: String) async throws {
        guard let found = try await store.agent(login: agent.login), found.agent.id == agent.id,
            await hasher.verify(current, against: found.passwordHash)
        else { throw CabinetError(SupportError.agentLoginFailed) }
        guard (12...128).contains(new.count), new != current, SupportText.isClean(new) else {
            throw CabinetError.validation([FieldError(field: "password", code: SupportError.agentPasswordWeak)])
        }
        let now = clock.now
        try await store.setPassword(agent.id, hash: await hasher.hash(new), at: now)
        try await store.journal(AgentJournalEntry(agent: agent.id, at: now, action: "password.changed"))
    }

    public func session(token: String) async throws -> AgentSession? {
        guard !token.isEmpty, token.count <= 100 else { return nil }
        return try await store.session(tokenHash: SecureRandom.sha256(token), at: clock.now)
    }

    public func logout(token: String) async throws {
        if let session = try await session(token: token) {
            try await store.journal(AgentJournalEntry(agent: session.agent.id, at: clock.now, action: "logout"))
        }
        try await store.deleteSession(tokenHash: SecureRandom.sha256(token))
    }

    // MARK: The desk

    /// The ticket when the agent serves its region; the same `notFound` otherwise (an agent does not learn of
    /// another region's tickets).
    func ticket(_ id: Int64, for agent: Agent) async throws -> Ticket {
        guard let ticket = try await store.ticket(id), agent.serves(ticket.region), !agent.disabled else {
            throw CabinetError(SupportError.ticketNotFound)
        }
        return ticket
    }

    public func ticket(_ id: Int64, by agent: Agent) async throws -> Ticket { try await ticket(id, for: agent) }

    public func queue(for agent: Agent, filter: QueueFilter) async throws -> [Ticket] {
        var filter = filter
        filter.regions = filter.regions.isEmpty ? agent.regions : filter.regions.intersection(agent.regions)
        guard !filter.regions.isEmpty else { return [] }
        return try await store.queue(filter, at: clock.now)
    }

    public func view(_ id: Int64, by agent: Agent) async throws -> AgentTicketView {
        let ticket = try await ticket(id, for: agent)
        let messages = try await store.messages(of: id, includeInternal: true, after: nil)
        var context: AgentTicketView.LineContext?
        var disputed: LedgerMovement?
        let access = LineAccess(
            subscriberID: ticket.subscriberID, msisdn: ticket.msisdn, region: ticket.region, relation: .own,
            scopes: [.viewBalance])
        if ticket.status.isOpen {
            // The line's context only while the ticket is open, and each look is recorded on both sides.
            let now = clock.now
            try await store.journal(
                AgentJournalEntry(
                    agent: agent.id, at: now, action: "ticket.view", ticketID: id, subscriberID: ticket.subscriberID))
            try await viewJournal.recordSupportView(
                of: ticket.subscriberID, msisdn: ticket.msisdn, agent: agent.name, ticket: ticket.number, at: now)
            let dashboard = try? await billing.dashboard(access)
            let movements = (try? await billing.history(access, query: MovementQuery(limit: 10))) ?? []
            let open = try await requests.requests(
                of: ticket.subscriberID, matching: ServiceRequestFilter(statuses: [.pending, .processing]),
                before: nil, limit: 20)
            context = AgentTicketView.LineContext(dashboard: dashboard, movements: movements, openRequests: open)
        }
        if let compensation = ticket.compensation {
            disputed = try await movement(compensation.movementEntryID, of: access)
        }
        let assigned = try await ticket.assignedAgent.asyncMap { try await store.agent($0) } ?? nil
        return AgentTicketView(
            thread: TicketThread(ticket: ticket, messages: messages), context: context, assignedAgent: assigned,
            disputedMovement: disputed)
    }

    public func take(_ id: Int64, by agent: Agent) async throws {
        let ticket = try await ticket(id, for: agent)
        guard ticket.status.isOpen else { throw CabinetError(SupportError.ticketClosed) }
        if let assigned = ticket.assignedAgent, assigned != agent.id, agent.role != .supervisor {
            throw CabinetError(SupportError.agentForbidden)
        }
        let now = clock.now
        guard try await store.assign(id, to: agent.id, onlyIfFree: agent.role != .supervisor, at: now) else {
            throw CabinetError(SupportError.agentForbidden)
        }
        if ticket.status == .new {
            _ = try await store.changeStatus(id, from: [.new], to: .inProgress, note: nil, at: now)
        }
        try await store.journal(
            AgentJournalEntry(
                agent: agent.id, at: now, action: "ticket.take", ticketID: id, subscriberID: ticket.subscriberID))
    }

    public func reply(to id: Int64, by agent: Agent, body: String, status: Ticket.Status?) async throws -> TicketMessage
    {
        let ticket = try await ticket(id, for: agent)
        let text = try checkedBody(body)
        guard ticket.status.isOpen else { throw CabinetError(SupportError.ticketClosed) }
        if let status, ![.inProgress, .waitingForCustomer, .resolved].contains(status) {
            throw CabinetError(SupportError.statusChange, arguments: ["status": status.rawValue])
        }
        if status == .resolved, ticket.awaitsDecision { throw CabinetError(SupportError.compensationUndecided) }
        let now = clock.now
        // The first to answer an unassigned ticket takes it (someone else's stays theirs).
        if ticket.assignedAgent == nil { _ = try await store.assign(id, to: agent.id, onlyIfFree: true, at: now) }
        let message = try await store.add(
            NewMessage(
                ticketID: id, author: .agent(agent.id, name: agent.name), isInternal: false, body: text,
                status: status ?? .waitingForCustomer, from: [.new, .inProgress, .waitingForCustomer],
                notice: try await notice(for: ticket), at: now))
        try await store.journal(
            AgentJournalEntry(
                agent: agent.id, at: now, action: "ticket.reply", ticketID: id, subscriberID: ticket.subscriberID))
        return message
    }

    public func note(on id: Int64, by agent: Agent, body: String) async throws -> TicketMessage {
        let ticket = try await ticket(id, for: agent)
        let text = try checkedBody(body)
        let now = clock.now
        let message = try await store.add(
            NewMessage(
                ticketID: id, author: .agent(agent.id, name: agent.name), isInternal: true, body: text, status: nil,
                from: Set(Ticket.Status.allCases), notice: nil, at: now))
        try await store.journal(
            AgentJournalEntry(
                agent: agent.id, at: now, action: "ticket.note", ticketID: id, subscriberID: ticket.subscriberID))
        return message
    }

    func checkedBody(_ body: String) throws -> String {
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 5000, SupportText.isClean(text) else {
            throw CabinetError.validation([FieldError(field: "message", code: SupportError.messageInvalid)])
        }
        return text
    }

    public func setStatus(_ id: Int64, by agent: Agent, to status: Ticket.Status) async throws {
        let ticket = try await ticket(id, for: agent)
        // Agents move open tickets between the open statuses and resolve them; closing is the reopen window's end.
        let allowed: Set<Ticket.Status> = [.inProgress, .waitingForCustomer, .resolved]
        guard allowed.contains(status), ticket.status.isOpen, ticket.status != status else {
            throw CabinetError(SupportError.statusChange, arguments: ["status": status.rawValue])
        }
        if status == .resolved, ticket.awaitsDecision { throw CabinetError(SupportError.compensationUndecided) }
        let now = clock.now
        guard
            try await store.changeStatus(
                id, from: [ticket.status], to: status, note: "support.system.status.\(status.rawValue)", at: now)
        else { throw CabinetError(SupportError.statusChange, arguments: ["status": status.rawValue]) }
        try await store.journal(
            AgentJournalEntry(
                agent: agent.id, at: now, action: "ticket.status", ticketID: id, subscriberID: ticket.subscriberID,
                detail: status.rawValue))
    }

    public func handOver(_ id: Int64, by agent: Agent, to login: String) async throws {
        let ticket = try await ticket(id, for: agent)
        guard ticket.status.isOpen else { throw CabinetError(SupportError.ticketClosed) }
        guard agent.role == .supervisor || ticket.assignedAgent == agent.id else {
            throw CabinetError(SupportError.agentForbidden)
        }
        guard let target = try await store.agent(login: login)?.agent, !target.disabled, target.serves(ticket.region)
        else { throw CabinetError(SupportError.agentNotFound) }
        let now = clock.now
        guard try await store.assign(id, to: target.id, onlyIfFree: false, at: now) else {
            throw CabinetError(SupportError.ticketClosed)
        }
        try await store.journal(
            AgentJournalEntry(
                agent: agent.id, at: now, action: "ticket.handover", ticketID: id, subscriberID: ticket.subscriberID,
                detail: target.login))
    }

    public func approveCompensation(_ id: Int64, by agent: Agent, amount: Money) async throws {
        let ticket = try await ticket(id, for: agent)
        guard let compensation = ticket.compensation, compensation.decision == nil else {
            throw CabinetError(SupportError.compensationDecided)
        }
        guard amount.currency == compensation.disputed.currency, amount.minorUnits > 0,
            amount.minorUnits <= compensation.disputed.minorUnits
        else {
            throw CabinetError.validation([
                FieldError(
                    field: "amount", code: SupportError.amountInvalid,
                    arguments: ["max": compensation.disputed.amountString])
            ])
        }
        let limit = try settings(for: ticket.region).compensationAgentLimit
        if agent.role != .supervisor, amount.currency != limit.currency || amount.minorUnits > limit.minorUnits {
            throw CabinetError(SupportError.supervisorRequired, arguments: ["limit": limit.amountString])
        }
        let now = clock.now
        let credit = LedgerPosting(
            externalID: Compensation.externalID(ticket: id), kind: .adjustment, line: ticket.subscriberID,
            amount: amount, counterparty: .adjustment, explanation: "support.explain.compensation",
            arguments: ["ticket": ticket.number], allowsNegativeBalance: true, at: now)
        try await store.decide(
            id, decision: .approved(amount, by: agent.id), credit: credit, note: "support.system.compensation.approved",
            at: now)
        try await store.journal(
            AgentJournalEntry(
                agent: agent.id, at: now, action: "compensation.approve", ticketID: id,
                subscriberID: ticket.subscriberID, detail: amount.amountString))
    }

    public func rejectCompensation(_ id: Int64, by agent: Agent, reason: String) async throws {
        let ticket = try await ticket(id, for: agent)
        guard let compensation = ticket.compensation, compensation.decision == nil else {
            throw CabinetError(SupportError.compensationDecided)
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 1000, SupportText.isClean(reason) else {
            throw CabinetError.validation([FieldError(field: "reason", code: SupportError.messageInvalid)])
        }
        let now = clock.now
        try await store.decide(
            id, decision: .rejected(reason: reason, by: agent.id), credit: nil,
            note: "support.system.compensation.rejected", at: now)
        try await store.journal(
            AgentJournalEntry(
                agent: agent.id, at: now, action: "compensation.reject", ticketID: id,
                subscriberID: ticket.subscriberID, detail: reason))
    }

    public func attachment(_ id: Int64, of ticket: Int64, by agent: Agent) async throws -> Attachment {
        _ = try await self.ticket(ticket, for: agent)
        guard let file = try await store.attachment(id), file.ticketID == ticket else {
            throw CabinetError(SupportError.attachmentNotFound)
        }
        return file
    }

    public func cannedReply(_ id: String, for ticket: Ticket, by agent: Agent) -> String? {
        guard let settings = try? settings(for: ticket.region),
            let reply = settings.cannedReplies.first(where: { $0.id == id })
        else { return nil }
        return reply.text.text(in: ticket.language).replacingOccurrences(of: "{agent}", with: agent.name)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
