public import Billing
public import CabinetCore
public import Payments

/// The company's money and documents, for admins of the whole company with the `finance` or `owner` scope: its
/// balance and movements, invoices it asks for, the monthly acts, the expense report as PDF; and for the operator, bank
/// transfers received.
public protocol CompanyFinanceService: Sendable {
    /// The balance, what the company paid for its lines this month and its movements (newest first, before `cursor`).
    func summary(_ access: AdminAccess, before cursor: Int64?) async throws -> CompanyFinanceSummary
    /// Issues an invoice («счёт на оплату») for `amount`, numbered in the company's sequence for the year, and mails
    /// it to the finance admins.
    func issueInvoice(_ access: AdminAccess, amount: Money) async throws -> CompanyDocument
    /// Invoices and acts, newest first.
    func documents(_ access: AdminAccess, before cursor: Int64?) async throws -> [CompanyDocument]
    /// A document's PDF.
    func documentFile(_ access: AdminAccess, id: Int64, language: Language) async throws -> RenderedFile
    /// The expense report as PDF (the report as ``CorporateService/expenseReport(_:month:)`` made it for this admin).
    func reportFile(_ access: AdminAccess, report: ExpenseReport, language: Language) throws -> RenderedFile
    /// Starts a card top-up of the company's account paid by this admin (at the region's gateway, within its top-up
    /// limits); the answer's URL is the gateway's page, which returns to `returnURL(paymentID)`.
    func startCardTopUp(_ access: AdminAccess, amount: Money, returnURL: @escaping @Sendable (String) -> String)
        async throws -> StartedTopUp
    /// This admin's top-up of this company (the page the gateway returns to shows its status).
    func cardTopUp(_ access: AdminAccess, id: String) async throws -> Payment
    /// Records a bank transfer the company made (the operator, from the bank statement), once per payment order.
    func recordBankTransfer(_ transfer: BankTransfer) async throws -> BankTransferOutcome
    /// Issues last month's acts that are due and mails documents not yet mailed.
    func runDocumentJob() async throws -> DocumentJobReport
}

/// What «Финансы» shows.
public struct CompanyFinanceSummary: Sendable, Hashable {
    public var balance: Money
    /// What the company paid for its lines' service since the month began (its region's month).
    public var paidThisMonth: Money
    public var movements: [LedgerMovement]

    public init(balance: Money, paidThisMonth: Money, movements: [LedgerMovement]) {
        self.balance = balance
        self.paidThisMonth = paidThisMonth
        self.movements = movements
    }
}

/// A bank transfer from the company, as the operator's bank statement shows it.
public struct BankTransfer: Sendable, Hashable {
    public var company: CompanyID
    public var amount: Money
    /// The payment order's number («платёжное поручение»): a transfer is recorded once per company and reference.
    public var reference: String
    public var paidOn: LocalDate

    public init(company: CompanyID, amount: Money, reference: String, paidOn: LocalDate) {
        self.company = company
        self.amount = amount
        self.reference = reference
        self.paidOn = paidOn
    }
}

public struct BankTransferOutcome: Sendable, Hashable {
    /// `false`: this payment order was recorded before and nothing changed.
    public var recorded: Bool
    public var balance: Money

    public init(recorded: Bool, balance: Money) {
        self.recorded = recorded
        self.balance = balance
    }
}

public struct DocumentJobReport: Sendable, Hashable {
    public var acts: Int = 0
    public var mailed: Int = 0

    public init(acts: Int = 0, mailed: Int = 0) {
        self.acts = acts
        self.mailed = mailed
    }
}
