public import Auth
public import Billing
public import CabinetCore
public import Foundation
public import Logging
public import Subscribers

/// Support's rules: tickets and their life cycle, attachments checked from their bytes, compensation through
/// Billing's ledger, the FAQ search, and (in `+Agents`) the agents' login and desk.
public struct DefaultSupportService: SupportService {
    let store: any SupportStore
    let regions: RegionCatalog
    let billing: any BillingService
    let lines: any SubscriberDirectory
    let requests: any RequestRegistry
    let emails: any ConfirmedEmails
    /// Auth's journal: the subscriber sees when support viewed their account.
    let viewJournal: any AccountViewJournal
    let hasher: any PasswordHasher
    /// Seals agents' authenticator secrets with the server's secret.
    let secrets: AgentSecretBox
    let clock: any WallClock
    let logger: Logger
    let texts: MessageCatalog

    /// Agent sessions last a working day; wrong logins lock an agent out for a while.
    static let sessionLifetime: TimeInterval = 10 * 3600
    static let maxLoginFailures = 5
    static let lockDuration: TimeInterval = 15 * 60

    public init(
        store: any SupportStore, regions: RegionCatalog, billing: any BillingService, lines: any SubscriberDirectory,
        requests: any RequestRegistry, emails: any ConfirmedEmails, viewJournal: any AccountViewJournal,
        hasher: any PasswordHasher, secrets: AgentSecretBox, clock: any WallClock, logger: Logger,
        texts: MessageCatalog = (try? SupportModule.messages()) ?? MessageCatalog()
    ) {
        self.store = store
        self.regions = regions
        self.billing = billing
        self.lines = lines
        self.requests = requests
        self.emails = emails
        self.viewJournal = viewJournal
        self.hasher = hasher
        self.secrets = secrets
        self.clock = clock
        self.logger = logger
        self.texts = texts
    }

    public var now: Date { clock.now }

    public func settings(for region: RegionID) throws -> SupportSettings {
        guard let settings = regions.region(region)?.settings(for: SupportModule.self) else {
            throw CabinetError(KernelError.moduleDisabled, arguments: ["module": SupportModule.id.rawValue])
        }
        return settings
    }

    // MARK: Tickets

    public func open(_ draft: TicketDraft, on line: LineAccess, language: Language) async throws -> Ticket {
        let line = try requireWriter(line)
        let settings = try settings(for: line.region)
        var problems: [FieldError] = []
        let category = settings.tickets.category(draft.category)
        if category == nil {
            problems.append(FieldError(field: "category", code: SupportError.categoryUnknown))
        }
        let subject = draft.subject.trimmingCharacters(in: .whitespacesAndNewlines)
        if subject.isEmpty || subject.count > 200 || !SupportText.isClean(subject) {
            problems.append(FieldError(field: "subject", code: SupportError.subjectInvalid))
        }
        let message = draft.message.trimmingCharacters(in: .whitespacesAndNewlines)
        if message.isEmpty || message.count > 5000 || !SupportText.isClean(message) {
            problems.append(FieldError(field: "message", code: SupportError.messageInvalid))
        }
        let attachments = try check(draft.attachments, policy: settings.tickets, problems: &problems)
        guard problems.isEmpty, let category else { throw CabinetError.validation(problems) }

        var compensation: Compensation?
        if let disputed = draft.compensation {
            compensation = try await checkDispute(disputed.movementEntryID, amount: disputed.amount, line: line)
        }
        let at = clock.now
        let ticket = try await store.open(
            NewTicket(
                subscriberID: line.subscriberID, msisdn: line.msisdn, region: line.region, category: category.id,
                kind: compensation == nil ? .question : .compensation, subject: subject, message: message,
                attachments: attachments, notify: draft.notify, language: language,
                firstResponseDue: at.addingTimeInterval(TimeInterval(category.firstResponse.components.seconds)),
                compensation: compensation, at: at))
        logger.info(
            "ticket opened",
            metadata: ["cabinet.ticket": "\(ticket.number)", "cabinet.category": "\(category.id)"])
        return ticket
    }

    /// The movement must be the line's own and the disputed amount between 0.01 and the movement's size.
    func checkDispute(_ entryID: Int64, amount: Money, line: LineAccess) async throws -> Compensation {
        // Only a charge can be disputed: a credit (a top-up, an earlier compensation) cannot be "compensated".
        guard let movement = try await movement(entryID, of: line), movement.amount.isNegative else {
            throw CabinetError(SupportError.movementNotFound)
        }
        let magnitude = movement.amount.minorUnits == .min ? Int64.max : abs(movement.amount.minorUnits)
        let size = Money(minorUnits: magnitude, currency: movement.amount.currency)
        guard amount.currency == size.currency, amount.minorUnits > 0, amount.minorUnits <= size.minorUnits else {
            throw CabinetError.validation([
                FieldError(field: "amount", code: SupportError.amountInvalid, arguments: ["max": size.amountString])
            ])
        }
        if try await store.openCompensation(forMovement: entryID) != nil {
            throw CabinetError(SupportError.compensationOpen)
        }
        return Compensation(movementEntryID: entryID, disputed: amount)
    }

    /// The line's movement with this entry id (the balance history's keyset page that starts at it).
    func movement(_ entryID: Int64, of line: LineAccess) async throws -> LedgerMovement? {
        guard entryID > 0, entryID < Int64.max else { return nil }
        let page = try await billing.history(
            LineAccess.owned(line.subscriberID, msisdn: line.msisdn, region: line.region, status: line.status),
            query: MovementQuery(before: entryID + 1, limit: 1))
        return page.first { $0.entryID == entryID }
    }

    func check(_ files: [NewAttachment], policy: SupportSettings.TicketPolicy, problems: inout [FieldError]) throws
        -> [CheckedAttachment]
    {
        guard files.count <= policy.maxAttachments else {
            problems.append(
                FieldError(
                    field: "attachments", code: SupportError.tooManyAttachments,
                    arguments: ["max": String(policy.maxAttachments)]))
            return []
        }
        var checked: [CheckedAttachment] = []
        for file in files {
            guard file.bytes.count <= policy.maxAttachmentBytes else {
                problems.append(
                    FieldError(
                        field: "attachments", code: SupportError.attachmentTooLarge,
                        arguments: ["name": file.fileName, "maxKB": String(policy.maxAttachmentBytes / 1024)]))
                continue
            }
            guard let type = AttachmentType.sniff(file.bytes) else {
                problems.append(
                    FieldError(
                        field: "attachments", code: SupportError.attachmentType, arguments: ["name": file.fileName]))
                continue
            }
            checked.append(
                CheckedAttachment(
                    fileName: AttachmentType.safeFileName(file.fileName, type: type), type: type, bytes: file.bytes))
        }
        return checked
    }

    /// Writing to support in the line's name: the line's own session, a linked number, or a delegate allowed to
    /// manage services. A blocked or suspended line may still write (that is when people need support).
    func requireWriter(_ line: LineAccess) throws -> LineAccess {
        try line.require(.manageServices)
        return line
    }

    /// Reading the line's tickets: whoever may look at the line.
    func requireReader(_ line: LineAccess) throws -> LineAccess {
        try line.require(.viewBalance)
        return line
    }

    /// The ticket when it is the line's; the same `notFound` for another line's and for none.
    func ticket(_ id: Int64, of line: LineAccess) async throws -> Ticket {
        guard let ticket = try await store.ticket(id), ticket.subscriberID == line.subscriberID else {
            throw CabinetError(SupportError.ticketNotFound)
        }
        return ticket
    }

    public func tickets(of line: LineAccess, before cursor: Int64?, limit: Int) async throws -> [Ticket] {
        let line = try requireReader(line)
        return try await store.tickets(of: line.subscriberID, before: cursor, limit: limit)
    }

    public func thread(_ id: Int64, of line: LineAccess) async throws -> TicketThread {
        let line = try requireReader(line)
        let ticket = try await ticket(id, of: line)
        return TicketThread(
            ticket: ticket, messages: try await store.messages(of: id, includeInternal: false, after: nil))
    }

    public func messages(of id: Int64, line: LineAccess, after: Int64?) async throws -> [TicketMessage] {
        let line = try requireReader(line)
        _ = try await ticket(id, of: line)
        return try await store.messages(of: id, includeInternal: false, after: after)
    }

    public func reply(to id: Int64, on line: LineAccess, body: String, attachments: [NewAttachment]) async throws
        -> TicketMessage
    {
        let line = try requireWriter(line)
        let ticket = try await ticket(id, of: line)
        let settings = try settings(for: ticket.region)
        var problems: [FieldError] = []
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty || text.count > 5000 || !SupportText.isClean(text) {
            problems.append(FieldError(field: "message", code: SupportError.messageInvalid))
        }
        let files = try check(attachments, policy: settings.tickets, problems: &problems)
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        guard ticket.status.isOpen else { throw CabinetError(SupportError.ticketClosed) }
        // The customer's answer puts a ticket that waited for it back in the agents' hands.
        let next: Ticket.Status? = ticket.status == .waitingForCustomer ? .inProgress : nil
        return try await store.add(
            NewMessage(
                ticketID: id, author: .subscriber, isInternal: false, body: text, attachments: files, status: next,
                from: [.new, .inProgress, .waitingForCustomer], notice: nil, at: clock.now))
    }

    public func reopen(_ id: Int64, on line: LineAccess) async throws -> Ticket {
        let line = try requireWriter(line)
        let ticket = try await ticket(id, of: line)
        let settings = try settings(for: ticket.region)
        guard ticket.canReopen(at: clock.now, reopenDays: settings.tickets.reopenDays) else {
            throw CabinetError(SupportError.reopenRefused, arguments: ["days": String(settings.tickets.reopenDays)])
        }
        guard
            try await store.changeStatus(
                id, from: [.resolved], to: .inProgress, note: "support.system.reopened", at: clock.now)
        else {
            throw CabinetError(SupportError.reopenRefused, arguments: ["days": String(settings.tickets.reopenDays)])
        }
        return try await self.ticket(id, of: line)
    }

    public func rate(_ id: Int64, on line: LineAccess, stars: Int, comment: String?) async throws -> Ticket {
        let line = try requireWriter(line)
        let comment = comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...5).contains(stars), (comment?.count ?? 0) <= 1000, SupportText.isClean(comment ?? "") else {
            throw CabinetError.validation([FieldError(field: "stars", code: SupportError.ratingInvalid)])
        }
        let ticket = try await ticket(id, of: line)
        guard !ticket.status.isOpen, ticket.rating == nil,
            try await store.rate(id, stars: stars, comment: comment?.isEmpty == true ? nil : comment, at: clock.now)
        else { throw CabinetError(SupportError.ratingRefused) }
        return try await self.ticket(id, of: line)
    }

    public func attachment(_ id: Int64, of ticket: Int64, line: LineAccess) async throws -> Attachment {
        let line = try requireReader(line)
        _ = try await self.ticket(ticket, of: line)
        guard let file = try await store.attachment(id), file.ticketID == ticket else {
            throw CabinetError(SupportError.attachmentNotFound)
        }
        // A file attached to an internal note is the agents' only.
        let visible = try await store.messages(of: ticket, includeInternal: false, after: nil)
        guard visible.contains(where: { $0.id == file.info.messageID }) else {
            throw CabinetError(SupportError.attachmentNotFound)
        }
        return file
    }

    // MARK: FAQ

    public func searchFAQ(_ query: String, region: RegionID, language: Language, limit: Int) async throws -> [FAQHit] {
        let stems = FAQQuery.stems(query)
        guard !stems.isEmpty else { return [] }
        return try await store.searchFAQ(region: region, language: language, stems: stems, limit: limit)
    }

    public func faqArticle(id: String, region: RegionID, language: Language) async throws -> FAQArticle? {
        try await store.faqArticle(id: id, region: region, language: language)
    }

    // MARK: Housekeeping

    public func closeExpired() async throws -> Int {
        // Each region has its own window; the shortest decides which tickets are looked at, each is checked.
        var closed = 0
        let now = clock.now
        for region in regions.regions {
            guard let settings = region.settings(for: SupportModule.self) else { continue }
            let cutoff = now.addingTimeInterval(-TimeInterval(settings.tickets.reopenDays) * 86_400)
            closed += try await store.closeResolved(before: cutoff, region: region.id, at: now).count
        }
        return closed
    }

    public func overdueCount() async throws -> Int { try await store.overdueCount(at: clock.now) }

    // MARK: Texts

    func text(_ key: String, _ language: Language, _ arguments: [String: String] = [:]) -> String {
        texts.text(key, in: language, arguments: arguments)
    }

    /// The SMS or e-mail for an agent's answer, by the subscriber's choice; e-mail only to a confirmed address.
    func notice(for ticket: Ticket) async throws -> Notice? {
        let language = ticket.language
        switch ticket.notify {
        case .none:
            return nil
        case .sms:
            return .sms(to: ticket.msisdn, text: text("support.sms.answer", language, ["number": ticket.number]))
        case .email:
            guard let line = try await lines.line(id: ticket.subscriberID), let email = line.owner.email,
                try await emails.isConfirmed(email: email, of: ticket.subscriberID)
            else {
                return .sms(to: ticket.msisdn, text: text("support.sms.answer", language, ["number": ticket.number]))
            }
            return .email(
                to: email, subject: text("support.mail.answer.subject", language, ["number": ticket.number]),
                text: text(
                    "support.mail.answer.body", language, ["number": ticket.number, "subject": ticket.subject]))
        }
    }
}
