public import CabinetCore
public import Foundation

/// Why money moved; shown in the balance history and filtered on.
public enum MovementKind: String, Sendable, Hashable, CaseIterable, Codable {
    case fee
    case usage
    case topUp
    case promisedPayment
    case promisedRepayment
    case optionFee
    case transfer
    case statement
    case tariffChange
    case refund
    case writeOff
    case adjustment
    /// Gigabytes given to or received from another line: the giver's fee (0.00 when free) or the recipient's 0.00
    /// line, so both see the share in their balance history.
    case dataShare
    /// The company pays a company line's charge: from the company's account to the line (``CompanyAccounts``).
    case companyPaid
}

/// The non-line accounts money moves to and from. Each exists once per currency.
public enum SystemAccount: String, Sendable, Hashable, CaseIterable, Codable {
    /// The operator's income (fees, usage, paid services).
    case revenue
    /// Money on its way from the payment gateway (card top-ups); nets to zero after settlement.
    case gateway
    /// Credit lent as promised payments.
    case promisedCredit
    /// Manual corrections and demo credits.
    case adjustment
    /// Transfers in flight between two lines.
    case transfers
    /// Bank transfers received (companies pay invoices by transfer, recorded by the operator).
    case bank
}

/// One money movement on a line's account, as other modules ask for it (Payments, Services, Tariffs).
public struct LedgerPosting: Sendable, Hashable {
    /// Unique forever: a repeat with the same id is recognised and never applied twice.
    public var externalID: String
    public var kind: MovementKind
    public var line: SubscriberID
    /// Seen from the line: negative charges it, positive credits it.
    public var amount: Money
    public var counterparty: SystemAccount
    /// Message key and arguments explaining the movement to the subscriber (`billing.explain.fee`, …).
    public var explanation: String
    public var arguments: [String: String]
    /// Fees and usage may take the balance below zero; purchases may not.
    public var allowsNegativeBalance: Bool
    public var at: Date
    /// Further parts of the same movement against other system accounts, in the same ledger transaction (a promised
    /// payment credits the amount from `promisedCredit` and charges its fee to `revenue` at once). The line's entry is
    /// the sum of `amount` and every leg.
    public var extraLegs: [LedgerLeg]

    /// The line's entry: `amount` plus every extra leg (throws on mixed currencies or overflow).
    public func lineAmount() throws(MoneyError) -> Money {
        var total = amount
        for leg in extraLegs { total = try total.adding(leg.amount) }
        return total
    }

    public init(
        externalID: String, kind: MovementKind, line: SubscriberID, amount: Money, counterparty: SystemAccount,
        explanation: String, arguments: [String: String] = [:], allowsNegativeBalance: Bool, at: Date,
        extraLegs: [LedgerLeg] = []
    ) {
        self.extraLegs = extraLegs
        self.externalID = externalID
        self.kind = kind
        self.line = line
        self.amount = amount
        self.counterparty = counterparty
        self.explanation = explanation
        self.arguments = arguments
        self.allowsNegativeBalance = allowsNegativeBalance
        self.at = at
    }
}

/// One more part of a posting: money between the line and another system account, seen from the line.
public struct LedgerLeg: Sendable, Hashable {
    public var amount: Money
    public var counterparty: SystemAccount

    public init(amount: Money, counterparty: SystemAccount) {
        self.amount = amount
        self.counterparty = counterparty
    }
}

public enum PostingResult: Sendable, Hashable {
    case posted(transactionID: Int64, balance: Money)
    /// This external id was posted before; nothing changed.
    case duplicate(transactionID: Int64)
    /// The charge would take the balance below zero and the posting does not allow that.
    case insufficientFunds(balance: Money)
}

/// What other modules use to move a line's money (Payments, Services). They never touch Billing's tables.
public protocol BalanceLedger: Sendable {
    /// Posts one movement between the line and a system account, exactly once per external id. A credit that brings
    /// the balance back to zero or above lifts the restriction.
    func post(_ posting: LedgerPosting) async throws -> PostingResult
    /// The line's balance; ``BillingError/noAccount`` when the line has no account.
    func balance(of line: SubscriberID) async throws -> Money
    /// The balances of many lines (a batch of the network's call checks) in one read; lines without an account are
    /// absent.
    func balances(of lines: [SubscriberID]) async throws -> [SubscriberID: Money]
}

extension BalanceLedger {
    /// Line by line (ledgers kept in memory); the SQL store answers in one query.
    public func balances(of lines: [SubscriberID]) async throws -> [SubscriberID: Money] {
        var result: [SubscriberID: Money] = [:]
        for line in Set(lines) {
            do {
                result[line] = try await balance(of: line)
            } catch let error as CabinetError where error.code == BillingError.noAccount {
                continue
            }
        }
        return result
    }
}

/// A movement as the balance history shows it.
public struct LedgerMovement: Sendable, Hashable {
    /// The line's entry: the position in the history (paging goes by it).
    public var entryID: Int64
    public var transactionID: Int64
    public var externalID: String
    public var kind: MovementKind
    public var amount: Money
    public var balanceAfter: Money
    public var at: Date
    /// Message key explaining the movement, with its arguments.
    public var explanation: String
    public var arguments: [String: String]

    public init(
        entryID: Int64, transactionID: Int64, externalID: String, kind: MovementKind, amount: Money,
        balanceAfter: Money,
        at: Date, explanation: String, arguments: [String: String]
    ) {
        self.entryID = entryID
        self.transactionID = transactionID
        self.externalID = externalID
        self.kind = kind
        self.amount = amount
        self.balanceAfter = balanceAfter
        self.at = at
        self.explanation = explanation
        self.arguments = arguments
    }
}

/// The result of `cabinet ledger check`.
public struct LedgerCheckReport: Sendable, Hashable {
    public var transactions: Int
    public var entries: Int
    public var accounts: Int
    /// Transactions whose entries do not sum to zero.
    public var unbalancedTransactions: [Int64]
    /// Accounts whose cached balance differs from the sum of their entries.
    public var mismatchedAccounts: [Int64]
    /// External ids used more than once (the unique index should make this impossible).
    public var duplicateExternalIDs: [String]
    /// Entries with a currency different from their account's.
    public var currencyMismatches: Int

    public init(
        transactions: Int, entries: Int, accounts: Int, unbalancedTransactions: [Int64], mismatchedAccounts: [Int64],
        duplicateExternalIDs: [String], currencyMismatches: Int
    ) {
        self.transactions = transactions
        self.entries = entries
        self.accounts = accounts
        self.unbalancedTransactions = unbalancedTransactions
        self.mismatchedAccounts = mismatchedAccounts
        self.duplicateExternalIDs = duplicateExternalIDs
        self.currencyMismatches = currencyMismatches
    }

    public var isClean: Bool {
        unbalancedTransactions.isEmpty && mismatchedAccounts.isEmpty && duplicateExternalIDs.isEmpty
            && currencyMismatches == 0
    }
}
