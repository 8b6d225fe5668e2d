public import CabinetCore
public import Foundation

/// A change an admin makes, as the journal and the request history keep it: the request record is opened under
/// `line` (the line acted on, or the admin's own for company-wide changes) with `kind`, in the change's transaction.
public struct JournalDraft: Sendable, Hashable {
    public var company: CompanyID
    public var admin: Int64
    public var adminName: String
    public var action: String
    public var target: String
    public var line: SubscriberID
    public var at: Date

    public init(
        company: CompanyID, admin: Int64, adminName: String, action: String, target: String, line: SubscriberID,
        at: Date
    ) {
        self.company = company
        self.admin = admin
        self.adminName = adminName
        self.action = action
        self.target = target
        self.line = line
        self.at = at
    }

    /// The request record's kind: `corporate.` and the action.
    public var requestKind: String { "corporate." + action }
}

/// An SMS the quota job sends once (its dedupe key), queued in the transaction that records the notice.
public struct QuotaNotice: Sendable, Hashable {
    public var to: MSISDN
    public var text: String
    public var dedupeKey: String

    public init(to: MSISDN, text: String, dedupeKey: String) {
        self.to = to
        self.text = text
        self.dedupeKey = dedupeKey
    }
}

/// Storage of companies, applications, admins, groups, quotas and the journal. Implemented over SQL only (like
/// Support's): the rules lean on the database's unique indexes and conditional updates, tested on both backends.
public protocol CorporateStore: Sendable {
    // Applications and companies
    func insertApplication(_ draft: ApplicationDraft, inn: INN, at now: Date) async throws -> CompanyApplication
    func application(_ id: Int64) async throws -> CompanyApplication?
    func applications(status: CompanyApplication.Status?, before cursor: Int64?, limit: Int) async throws
        -> [CompanyApplication]
    /// Creates the company and its first owner and marks the application approved, only while it is pending
    /// (`corporate.application.decided` otherwise); `corporate.company.exists` when the id or INN is taken. The
    /// company's ledger account (Billing) opens in `currency` in the same transaction.
    func approve(_ application: Int64, company: Company, currency: Currency, owner: AdminDraft, at now: Date)
        async throws -> Company
    func reject(_ application: Int64, reason: String, at now: Date) async throws -> CompanyApplication
    func company(_ id: CompanyID) async throws -> Company?

    // Admins
    func admin(msisdn: MSISDN) async throws -> CompanyAdmin?
    func admins(of company: CompanyID) async throws -> [CompanyAdmin]
    func addAdmin(_ draft: AdminDraft, to company: CompanyID, journal: JournalDraft) async throws -> CompanyAdmin
    /// Removes an admin unless they are the company's last owner.
    func removeAdmin(_ id: Int64, of company: CompanyID, journal: JournalDraft) async throws

    // Groups
    func groups(of company: CompanyID) async throws -> [LineGroup]
    func createGroup(named name: String, in company: CompanyID, journal: JournalDraft) async throws -> LineGroup
    /// Deletes an empty group (`corporate.group.notEmpty` otherwise).
    func deleteGroup(_ id: Int64, of company: CompanyID, journal: JournalDraft) async throws
    /// The group of each of these lines that has one.
    func groupIDs(of lines: [SubscriberID]) async throws -> [SubscriberID: Int64]
    /// Puts the line in `group` (`nil`: in none).
    func move(_ line: SubscriberID, msisdn: MSISDN, to group: Int64?, in company: CompanyID, journal: JournalDraft)
        async throws
    /// The lines of these groups by number after `cursor` (a group-limited admin's view).
    func members(of groups: Set<Int64>, in company: CompanyID, after cursor: MSISDN?, limit: Int) async throws
        -> [SubscriberID]

    // Quotas
    /// Opens the request (pending) with its record and journal entry.
    func openQuotaRequest(
        line: SubscriberID, msisdn: MSISDN, action: QuotaRequest.Action, limits: QuotaLimits?, journal: JournalDraft
    ) async throws -> QuotaRequest
    func quotaRequests(of line: SubscriberID, limit: Int) async throws -> [QuotaRequest]
    /// Requests in `status`, oldest first.
    func quotaRequests(in status: ServiceRequest.Status, limit: Int) async throws -> [QuotaRequest]
    /// Moves a request from one status to another (a conditional update: `false` if it was elsewhere by then);
    /// `done` applies it (the quota is stored or deleted) in the same transaction.
    func advance(
        _ request: QuotaRequest, from: ServiceRequest.Status, to: ServiceRequest.Status, reason: String?,
        at now: Date
    ) async throws -> Bool
    func quotas(of lines: [SubscriberID]) async throws -> [SubscriberID: Quota]
    /// Quotas in force with a money limit, by line after `cursor` (the job's scan).
    func quotas(after cursor: SubscriberID?, limit: Int) async throws -> [Quota]
    /// Queues each notice once (its dedupe key), returning how many were new.
    func send(_ notices: [QuotaNotice], at now: Date) async throws -> Int

    // Bulk operations
    /// Stores the dry run's plan with the operation's own request record and journal entry.
    func insertBulk(_ action: BulkAction, plan: [BulkPlanLine], journal: JournalDraft) async throws -> BulkOperation
    func bulk(_ id: Int64) async throws -> BulkOperation?
    func bulks(of company: CompanyID, limit: Int) async throws -> [BulkOperation]
    /// `planned → running` (a conditional update: `false` when it was started already).
    func start(_ bulk: Int64, at now: Date) async throws -> Bool
    func runningBulks(limit: Int) async throws -> [BulkOperation]
    /// Claims up to `limit` pending lines (`pending → processing`, each by a conditional update).
    func claim(_ bulk: Int64, limit: Int, at now: Date) async throws -> [BulkItem]
    /// Lines left `processing` since before `cutoff`: a server stopped while changing them.
    func stuck(_ bulk: Int64, before cutoff: Date, limit: Int) async throws -> [BulkItem]
    /// Records a line's outcome (only from `processing`).
    func finish(_ item: BulkItem, outcome: BulkItem.Outcome, requestID: Int64?, reason: String?, at now: Date)
        async throws
    /// Gives a stuck line back to the queue.
    func release(_ item: BulkItem, at now: Date) async throws
    /// A quota change of one line and the line's outcome in one transaction (so it is never done twice).
    func finishWithQuota(
        _ item: BulkItem, action: QuotaRequest.Action, limits: QuotaLimits?, company: CompanyID, journal: JournalDraft
    ) async throws -> QuotaRequest
    /// An SMS to one line, its request record and the line's outcome in one transaction.
    func finishWithSMS(_ item: BulkItem, text: String, journal: JournalDraft) async throws -> Int64
    /// `running → done` once no line is pending or processing.
    func complete(_ bulk: Int64, at now: Date) async throws -> Bool
    func items(of bulk: Int64, after position: Int?, limit: Int) async throws -> [BulkItem]

    // Journal
    func journal(of company: CompanyID, before cursor: Int64?, limit: Int) async throws -> [JournalEntry]
}
