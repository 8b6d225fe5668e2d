public import CabinetCore

/// The public side of the business cabinet: the application form anyone may send.
public protocol CorporateApplications: Sendable {
    /// Files an application after checking the ИНН and the PUK of the company's SIM (the number's owner proves it
    /// holds the SIM; a wrong PUK answers like a wrong login, with Auth's limits).
    func apply(_ draft: ApplicationDraft, clientAddress: String?) async throws -> CompanyApplication
}

/// The operator's side: applications decided, companies looked up.
public protocol CorporateOperations: Sendable {
    func applications(status: CompanyApplication.Status?, before cursor: Int64?, limit: Int) async throws
        -> [CompanyApplication]
    /// Approves an application: the company, its first owner (the application's number) and the link of that line to
    /// the company, at once.
    func approve(_ application: Int64, with approval: ApplicationApproval) async throws -> Company
    func reject(_ application: Int64, reason: String) async throws -> CompanyApplication
    func company(_ id: CompanyID) async throws -> Company?
}

/// The admin's side. Every method takes the ``AdminAccess`` resolved from the session by ``access(for:)`` and checks
/// the action against the admin's scopes and groups.
public protocol CorporateService: CorporateApplications, CorporateOperations {
    /// The admin the session's own number is (`corporate.notAdmin` otherwise, also for a blocked admin line or a
    /// session acting on a linked or delegated line: only the number logged in with counts).
    func access(for session: SessionInfo) async throws -> AdminAccess

    func lines(_ access: AdminAccess, search: String?, group: Int64?, after cursor: MSISDN?, limit: Int) async throws
        -> [CompanyLine]
    func line(_ access: AdminAccess, msisdn: MSISDN) async throws -> (line: CompanyLine, requests: [QuotaRequest])
    /// Asks for a quota on the line; the quota job applies it (`pending → processing → done`).
    func requestQuota(_ access: AdminAccess, msisdn: MSISDN, limits: QuotaLimits) async throws -> QuotaRequest
    func requestQuotaDeletion(_ access: AdminAccess, msisdn: MSISDN) async throws -> QuotaRequest

    func groups(_ access: AdminAccess) async throws -> [LineGroup]
    func createGroup(_ access: AdminAccess, name: String) async throws -> LineGroup
    func deleteGroup(_ access: AdminAccess, id: Int64) async throws
    func move(_ access: AdminAccess, msisdn: MSISDN, to group: Int64?) async throws

    func admins(_ access: AdminAccess) async throws -> [CompanyAdmin]
    func addAdmin(_ access: AdminAccess, _ draft: AdminDraft) async throws -> CompanyAdmin
    func removeAdmin(_ access: AdminAccess, id: Int64) async throws

    /// «История заявок»: the company's journal, newest first, each entry with its request's present status.
    func journal(_ access: AdminAccess, before cursor: Int64?, limit: Int) async throws
        -> [(entry: JournalEntry, request: ServiceRequest?)]

    /// A bulk operation's dry run over a selection or a group: per line, what would happen or why it would be
    /// refused. Nothing changes until ``startBulk(_:id:)``.
    func planBulk(_ access: AdminAccess, action: BulkAction, selection: BulkSelection) async throws -> BulkOperation
    /// Starts a planned operation; the bulk job changes its lines, one request per line.
    func startBulk(_ access: AdminAccess, id: Int64) async throws -> BulkOperation
    func bulk(_ access: AdminAccess, id: Int64) async throws -> BulkOperation
    func bulks(_ access: AdminAccess) async throws -> [BulkOperation]
    /// The operation's lines with their plan and outcome, by position.
    func bulkItems(_ access: AdminAccess, id: Int64, after position: Int?, limit: Int) async throws -> [BulkItem]
    /// The bulk job's run: up to `lines` lines of running operations changed; how many.
    func runBulkJob(lines: Int) async throws -> Int

    /// The month's expenses of the company's lines the admin sees, per line, group and kind (`finance` or `owner`);
    /// `nil`: the current month of the company's region.
    func expenseReport(_ access: AdminAccess, month: LocalDate?) async throws -> ExpenseReport

    /// The quota job's run: applies requested quotas and sends the month's warnings; what it did.
    func runQuotaJob() async throws -> QuotaJobReport
}

/// What one run of the quota job did.
public struct QuotaJobReport: Sendable, Hashable {
    public var applied = 0
    public var rejected = 0
    public var notices = 0

    public init(applied: Int = 0, rejected: Int = 0, notices: Int = 0) {
        self.applied = applied
        self.rejected = rejected
        self.notices = notices
    }
}
