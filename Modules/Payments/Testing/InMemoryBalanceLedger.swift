public import Billing
public import CabinetCore
import CabinetStorage
import Foundation

/// Billing's ledger as far as Payments uses it, in memory, for Payments' domain tests: double-entry postings between
/// a line's account and the system accounts, each external id posted once, a charge beyond the balance refused unless
/// the posting allows it, and the balance, the restriction and the history kept as `SQLBillingStore` keeps them.
///
/// Payments' in-memory transactions post here through ``InMemoryPaymentsStore``: their postings are staged and
/// committed together with the store's changes, or dropped with them. A posting outside such a transaction waits
/// until it ends, as Billing's writes wait for the database's write lock.
///
/// It is not Billing: no tariffs, periods or usage, and no SMS (Billing's low-balance notice is not sent).
public actor InMemoryBalanceLedger: BalanceLedger {
    private struct Account {
        let id: Int64
        /// `nil` for a system account.
        let line: SubscriberID?
        let currency: Currency
        /// The line's balance (a system account's is not kept, as in Billing's tables).
        var balance: Int64 = 0
        var restricted = false
    }

    private struct SystemKey: Hashable {
        let account: SystemAccount
        let currency: Currency
    }

    private struct LedgerTransaction {
        let id: Int64
        let externalID: String
        let kind: MovementKind
        let explanation: String
        let arguments: [String: String]
    }

    private struct Entry {
        let id: Int64
        let transactionID: Int64
        let account: Int64
        let amount: Int64
        let currency: Currency
        /// The line's balance after the entry; `nil` on a system account's entry.
        let balanceAfter: Int64?
        let at: Int64
    }

    /// Everything the ledger holds: a transaction stages a copy and commits it whole.
    private struct Books {
        var accounts: [Int64: Account] = [:]
        var lineAccounts: [SubscriberID: Int64] = [:]
        var systemAccounts: [SystemKey: Int64] = [:]
        var transactions: [LedgerTransaction] = []
        var externalIDs: [String: Int64] = [:]
        var entries: [Entry] = []
        var lastAccountID: Int64 = 0
    }

    private var books = Books()
    /// The copy a Payments transaction posts to, between ``begin()`` and ``commit()`` or ``rollback()``.
    private var staged: Books?
    private let gate = TransactionGate()

    public init() {}

    /// Opens the line's account in `currency` (Billing opens it when the line gets a tariff); nothing changes when the
    /// line has one.
    public func openAccount(for line: SubscriberID, currency: Currency) async {
        await gate.acquire()
        if books.lineAccounts[line] == nil {
            books.lastAccountID += 1
            books.accounts[books.lastAccountID] = Account(id: books.lastAccountID, line: line, currency: currency)
            books.lineAccounts[line] = books.lastAccountID
        }
        await gate.release()
    }

    /// Posts one movement, exactly once per external id, as `SQLBillingStore` does; waits while a Payments
    /// transaction is open.
    public func post(_ posting: LedgerPosting) async throws -> PostingResult {
        await gate.acquire()
        let result = Result { try Self.post(posting, to: &books) }
        await gate.release()
        return try result.get()
    }

    /// The line's balance; ``BillingError/noAccount`` when the line has no account.
    public func balance(of line: SubscriberID) async throws -> Money {
        guard let id = books.lineAccounts[line], let account = books.accounts[id] else {
            throw CabinetError(BillingError.noAccount)
        }
        return Money(minorUnits: account.balance, currency: account.currency)
    }

    /// Whether the line's paid outgoing service is restricted (its balance is below zero); `nil` without an account.
    public func isRestricted(_ line: SubscriberID) -> Bool? {
        books.lineAccounts[line].flatMap { books.accounts[$0]?.restricted }
    }

    /// The line's movements, newest first, filtered as `SQLBillingStore.movements(of:query:)` filters them.
    public func movements(of line: SubscriberID, query: MovementQuery = MovementQuery()) -> [LedgerMovement] {
        guard let account = books.lineAccounts[line] else { return [] }
        let byID = Dictionary(books.transactions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [LedgerMovement] = []
        for entry in books.entries.reversed() where entry.account == account {
            guard let transaction = byID[entry.transactionID] else { continue }
            if let before = query.before, entry.id >= before { continue }
            if let from = query.from, entry.at < from.storageMilliseconds { continue }
            if let to = query.to, entry.at >= to.storageMilliseconds { continue }
            if !query.kinds.isEmpty, !query.kinds.contains(transaction.kind) { continue }
            result.append(
                LedgerMovement(
                    entryID: entry.id, transactionID: entry.transactionID, externalID: transaction.externalID,
                    kind: transaction.kind,
                    amount: Money(minorUnits: entry.amount, currency: entry.currency),
                    balanceAfter: Money(minorUnits: entry.balanceAfter ?? 0, currency: entry.currency),
                    at: Date(storageMilliseconds: entry.at),
                    explanation: transaction.explanation, arguments: transaction.arguments))
            if result.count == max(1, min(query.limit, 500)) { break }
        }
        return result
    }

    /// The checks of `cabinet ledger check` over the books: every transaction balanced, every line's balance the sum
    /// of its entries, each external id once, every entry in its account's currency.
    public func check() -> LedgerCheckReport {
        var sums: [Int64: (total: Int64, count: Int)] = [:]
        var accountTotals: [Int64: Int64] = [:]
        var currencyMismatches = 0
        for entry in books.entries {
            sums[entry.transactionID, default: (0, 0)].total += entry.amount
            sums[entry.transactionID, default: (0, 0)].count += 1
            accountTotals[entry.account, default: 0] += entry.amount
            if books.accounts[entry.account]?.currency != entry.currency { currencyMismatches += 1 }
        }
        let unbalanced = books.transactions.map(\.id).filter { id in
            sums[id].map { $0.total != 0 || $0.count < 2 } ?? true
        }
        let mismatched = books.accounts.values.filter { account in
            account.line != nil
                && (account.balance != accountTotals[account.id, default: 0]
                    || account.restricted != (account.balance < 0))
        }.map(\.id).sorted()
        let duplicates = Dictionary(grouping: books.transactions, by: \.externalID).filter { $0.value.count > 1 }.keys
            .sorted()
        return LedgerCheckReport(
            transactions: books.transactions.count, entries: books.entries.count, accounts: books.accounts.count,
            unbalancedTransactions: Array(unbalanced.prefix(100)), mismatchedAccounts: Array(mismatched.prefix(100)),
            duplicateExternalIDs: Array(duplicates.prefix(100)), currencyMismatches: currencyMismatches)
    }

    // MARK: - Inside a Payments transaction

    /// Opens a transaction: waits for the gate, then stages a copy of the books.
    func begin() async {
        await gate.acquire()
        staged = books
    }

    /// Posts to the staged books.
    func postStaged(_ posting: LedgerPosting) throws -> PostingResult {
        guard var books = staged.take() else { throw CabinetError.internal("a ledger posting outside its transaction") }
        defer { staged = books }
        return try Self.post(posting, to: &books)
    }

    /// Makes the staged books the ledger's and frees the gate.
    func commit() async {
        if let staged { books = staged }
        staged = nil
        await gate.release()
    }

    /// Drops the staged books and frees the gate.
    func rollback() async {
        staged = nil
        await gate.release()
    }

    // MARK: - Posting

    /// `SQLLedgerWriter.post` and `SQLBillingStore.postLocked` in one: refusals and checks in their order, then the
    /// transaction, the line's entry, the system accounts' entries and the new balance. Changes nothing when it throws.
    private static func post(_ posting: LedgerPosting, to books: inout Books) throws -> PostingResult {
        guard !posting.amount.isZero, posting.extraLegs.allSatisfy({ !$0.amount.isZero }) else {
            throw CabinetError(BillingError.amountInvalid, arguments: ["amount": posting.amount.amountString])
        }
        guard let accountID = books.lineAccounts[posting.line], var account = books.accounts[accountID] else {
            throw CabinetError(BillingError.noAccount)
        }
        if let existing = books.externalIDs[posting.externalID] { return .duplicate(transactionID: existing) }
        let net: Money
        do {
            net = try posting.lineAmount()
        } catch {
            throw CabinetError(BillingError.amountInvalid, arguments: ["amount": posting.amount.amountString])
        }
        if net.isNegative, !posting.allowsNegativeBalance, account.balance + net.minorUnits < 0 {
            return .insufficientFunds(balance: Money(minorUnits: account.balance, currency: account.currency))
        }
        guard posting.amount.currency == account.currency else {
            throw CabinetError(
                BillingError.currencyMismatch,
                arguments: ["expected": account.currency.code, "actual": posting.amount.currency.code])
        }
        guard posting.extraLegs.allSatisfy({ $0.amount.currency == account.currency }) else {
            throw CabinetError(
                BillingError.currencyMismatch, arguments: ["expected": account.currency.code, "actual": "?"])
        }
        let legs =
            [(posting.counterparty, posting.amount.minorUnits)]
            + posting.extraLegs.map { ($0.counterparty, $0.amount.minorUnits) }
        let (after, overflow) = account.balance.addingReportingOverflow(net.minorUnits)
        guard !overflow, net.minorUnits != .min, !legs.contains(where: { $0.1 == .min }) else {
            throw CabinetError(BillingError.amountInvalid, arguments: ["amount": posting.amount.amountString])
        }
        let id = Int64(books.transactions.count + 1)
        let at = posting.at.storageMilliseconds
        books.transactions.append(
            LedgerTransaction(
                id: id, externalID: posting.externalID, kind: posting.kind,
                explanation: posting.explanation, arguments: posting.arguments))
        books.externalIDs[posting.externalID] = id
        books.entries.append(
            Entry(
                id: Int64(books.entries.count + 1), transactionID: id, account: account.id, amount: net.minorUnits,
                currency: account.currency, balanceAfter: after, at: at))
        for (counterparty, amount) in legs {
            let system = systemAccount(counterparty, account.currency, in: &books)
            books.entries.append(
                Entry(
                    id: Int64(books.entries.count + 1), transactionID: id, account: system, amount: -amount,
                    currency: account.currency, balanceAfter: nil, at: at))
        }
        account.balance = after
        account.restricted = after < 0
        books.accounts[account.id] = account
        return .posted(transactionID: id, balance: Money(minorUnits: after, currency: account.currency))
    }

    private static func systemAccount(_ account: SystemAccount, _ currency: Currency, in books: inout Books) -> Int64 {
        let key = SystemKey(account: account, currency: currency)
        if let id = books.systemAccounts[key] { return id }
        books.lastAccountID += 1
        books.accounts[books.lastAccountID] = Account(id: books.lastAccountID, line: nil, currency: currency)
        books.systemAccounts[key] = books.lastAccountID
        return books.lastAccountID
    }
}
