public import CabinetCore
public import Foundation

/// The ledger accounts of companies that pay for their lines (Corporate's customers).
///
/// A line whose company link (Subscribers) names a company with an account here is *company-paid*: every charge for
/// the line's own service (``coveredKinds``) is still posted to the line, so its history, spending, quotas and
/// reports stay per line, and in the same database transaction a second ledger transaction of kind
/// ``MovementKind/companyPaid`` (external id `company:<company>:<charge's id>`) moves the same amount from the company's account
/// to the line. The line's balance is unchanged; the company's falls. Up to a cover limit a month, when the company
/// set one for the line (a quota of policy `personal`): beyond it, the employee pays from their own balance.
///
/// A company's account keeps no cached balance (as system accounts): every charge of thousands of lines would
/// otherwise wait on one row. Its balance is the sum of its entries. The contract is postpaid: the balance may go below
/// zero, and the company settles by invoice.
public protocol CompanyAccounts: Sendable {
    /// Opens the company's account in `currency`, once (again: nothing happens), in another module's `transaction`
    /// (the approval that creates the company). `holder` is the name its lines' histories show («Оплачено компанией
    /// ООО «Демо»»).
    func openAccount(
        for company: CompanyID, holder: String, currency: Currency, in transaction: any WriteTransaction, now: Date
    ) async throws
    /// Opens the company's account in a transaction of its own, once (a company approved before accounts existed).
    func openAccount(for company: CompanyID, holder: String, currency: Currency, now: Date) async throws
    /// Whether the company has an account.
    func hasAccount(_ company: CompanyID) async throws -> Bool
    /// The company's balance; `nil` when it has no account.
    func balance(of company: CompanyID) async throws -> Money?
    /// The company's movements, newest first, before entry `before` (keyset paging).
    func movements(of company: CompanyID, from: Date?, to: Date?, before: Int64?, limit: Int) async throws
        -> [LedgerMovement]
    /// Credits the company's account from `credit.counterparty` (a bank transfer, a card payment's gateway), once per
    /// external id.
    func credit(_ credit: CompanyCredit) async throws -> PostingResult
    /// What the company paid for its lines' service between the two instants (its ``MovementKind/companyPaid``
    /// movements, less what went back).
    func paid(by company: CompanyID, from: Date, to: Date) async throws -> Money?

    /// Sets (or with `nil` removes) the most the company pays for the line in a calendar month of the line's region,
    /// in another module's `transaction` (the quota's). What the company already paid this month counts.
    func setCoverLimit(_ limit: Money?, for line: SubscriberID, in transaction: any WriteTransaction, now: Date)
        async throws
}

/// Money into a company's account.
public struct CompanyCredit: Sendable, Hashable {
    /// Unique forever (`bank:<company>:<reference>`): a repeat is recognised and never applied twice.
    public var externalID: String
    public var company: CompanyID
    public var amount: Money
    public var kind: MovementKind
    /// Where the money comes from: ``SystemAccount/bank`` for a transfer, ``SystemAccount/gateway`` for a card.
    public var counterparty: SystemAccount
    public var explanation: String
    public var arguments: [String: String]
    public var at: Date

    public init(
        externalID: String, company: CompanyID, amount: Money, kind: MovementKind = .topUp,
        counterparty: SystemAccount, explanation: String, arguments: [String: String] = [:], at: Date
    ) {
        self.externalID = externalID
        self.company = company
        self.amount = amount
        self.kind = kind
        self.counterparty = counterparty
        self.explanation = explanation
        self.arguments = arguments
        self.at = at
    }
}

extension CompanyAccounts {
    /// Movement kinds a company pays for its lines: the lines' own service. Transfers to other numbers, promised
    /// payments and their write-offs stay the employee's.
    public static var coveredKinds: Set<MovementKind> {
        [.fee, .usage, .optionFee, .tariffChange, .statement, .dataShare]
    }

    /// The ledger account code of a company.
    public static func accountCode(_ company: CompanyID) -> String { "company:\(company.rawValue)" }
}
