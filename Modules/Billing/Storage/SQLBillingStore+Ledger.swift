public import Billing
public import CabinetCore
import CabinetMessaging
import CabinetStorage
import Foundation
public import SQLKit

extension SQLBillingStore {
    public func post(_ posting: LedgerPosting) async throws -> PostingResult {
        try await transaction(lines: [posting.line]) { _, ledger in try await ledger.post(posting) }
    }

    /// Runs `body` in one write transaction of the shared database in which `ledger` posts: another module's rows and
    /// the money they move commit together or not at all. The body may run more than once (see
    /// ``CabinetDatabase/write(_:)``); the lines it posts to leave the snapshot cache, and ``balancesChanged`` hears of
    /// them, after the commit.
    public func transaction<T: Sendable>(
        lines: [SubscriberID] = [],
        _ body: @escaping @Sendable (any SQLDatabase, SQLLedgerWriter) async throws -> T
    )
        async throws -> T
    {
        let queued = Flag()
        let raised = TouchedKeys<Int64>(), lowered = TouchedKeys<Int64>()
        let result = try await writing(lines: lines, onlyRaised: { raised.all.subtracting(lowered.all) }) {
            db, touched in
            try await body(
                db,
                SQLLedgerWriter(store: self, db: db, touched: touched, queued: queued, raised: raised, lowered: lowered)
            )
        }
        if queued.isSet { messagesQueued() }
        return result
    }

    /// Writes one posting for a locked account: the transaction, the line's entry, the system account's entry and the
    /// new cached balance. The caller has checked funds and duplicates.
    @discardableResult
    func postLocked(_ posting: LedgerPosting, account: inout AccountRow, queued: Flag, on db: any SQLDatabase)
        async throws -> Int64
    {
        guard posting.amount.currency == account.currency else {
            throw CabinetError(
                BillingError.currencyMismatch,
                arguments: ["expected": account.currency.code, "actual": posting.amount.currency.code])
        }
        let net = try Self.lineAmount(posting)
        guard posting.extraLegs.allSatisfy({ $0.amount.currency == account.currency }) else {
            throw CabinetError(
                BillingError.currencyMismatch, arguments: ["expected": account.currency.code, "actual": "?"])
        }
        var systemEntries = [(try systemAccount(posting.counterparty, account.currency), -posting.amount.minorUnits)]
        for leg in posting.extraLegs {
            systemEntries.append((try systemAccount(leg.counterparty, account.currency), -leg.amount.minorUnits))
        }
        let at = posting.at.storageMilliseconds
        var (after, overflow) = account.balance.addingReportingOverflow(net.minorUnits)
        guard !overflow, net.minorUnits != .min, !systemEntries.contains(where: { $0.1 == .min }) else {
            throw CabinetError(BillingError.amountInvalid, arguments: ["amount": posting.amount.amountString])
        }
        guard
            let id = try await db.raw(
                """
                INSERT INTO billing_transaction (external_id, kind, at, explanation, arguments)
                VALUES (\(bind: posting.externalID), \(bind: posting.kind.rawValue), \(bind: at), \(bind: posting.explanation),
                        \(bind: Self.encode(posting.arguments)))
                RETURNING id
                """
            ).first()?.decode(column: "id", as: Int64.self)
        else { throw CabinetError.internal("transaction not stored") }
        // The line's entry and the system accounts' in one statement.
        var entries: SQLQueryString = """
            INSERT INTO billing_entry (transaction_id, account_id, amount, currency, balance_after, at) VALUES
                (\(bind: id), \(bind: account.id), \(bind: net.minorUnits), \(bind: account.currency.code), \(bind: after), \(bind: at))
            """
        for (system, amount) in systemEntries {
            entries +=
                ", (\(bind: id), \(bind: system), \(bind: amount), \(bind: account.currency.code), NULL, \(bind: at))"
        }
        try await db.raw(entries).run()
        if LineExpenses.spendingKinds.contains(posting.kind), net.minorUnits != 0 {
            var bounds = MonthBounds(store: self)
            let month = SpendingMonth(
                subscriber: account.subscriberID.rawValue, monthStart: bounds.start(of: at, region: account.region))
            try await addSpending([month: -net.minorUnits], on: db)
        }
        // A company line's charge for its own service is paid by the company, in this transaction (CompanyAccounts).
        if net.isNegative,
            let cover = try await cover(
                of: -net.minorUnits, kind: posting.kind, account: account, at: posting.at, on: db)
        {
            var balances = [account.id: after]
            try await postCovers(
                [account.id: cover], balances: &balances, currency: account.currency, externalID: posting.externalID,
                at: posting.at, on: db)
            after = balances[account.id] ?? after
        }
        let before = account.balance
        account.balance = after
        account.restricted = after < 0
        try await db.raw(
            """
            UPDATE billing_account SET balance = \(bind: after), restricted = \(bind: account.restricted ? 1 : 0)
            WHERE id = \(bind: account.id)
            """
        ).run()
        // A refund to a company-paid line goes back to the company as far as the company paid for the line.
        if posting.kind == .refund, net.isPositive {
            try await returnCover(
                refund: net.minorUnits, refundID: posting.externalID, account: &account, at: posting.at, on: db)
        }
        try await noticeLowBalance(account, before: before, at: posting.at, queued: queued, on: db)
        return id
    }

    static func lineAmount(_ posting: LedgerPosting) throws -> Money {
        do {
            return try posting.lineAmount()
        } catch {
            throw CabinetError(BillingError.amountInvalid, arguments: ["amount": posting.amount.amountString])
        }
    }

    /// Texts the subscriber once per period when the balance falls below the region's threshold.
    func noticeLowBalance(_ account: AccountRow, before: Int64, at now: Date, queued: Flag, on db: any SQLDatabase)
        async throws
    {
        guard
            let crossed = BillingNotice.lowBalance(
                rules: rules, region: account.region, currency: account.currency, before: before,
                after: account.balance)
        else { return }
        try await notice(crossed.kind, account: account, at: now, text: crossed.text(texts), queued: queued, on: db)
    }

    /// Records a notice of `kind` for the account's current period and texts it, unless it was sent this period.
    func notice(_ kind: String, account: AccountRow, at now: Date, text: String, queued: Flag, on db: any SQLDatabase)
        async throws
    {
        let inserted = try await db.raw(
            """
            INSERT INTO billing_notice (subscriber_id, period_start, kind, at)
            VALUES (\(bind: account.subscriberID.rawValue), \(bind: account.periodStart), \(bind: kind), \(bind: now.storageMilliseconds))
            ON CONFLICT (subscriber_id, period_start, kind) DO NOTHING RETURNING kind
            """
        ).first()
        guard inserted != nil else { return }
        try await Outbox.enqueue(
            OutgoingSMS(to: account.msisdn, text: text, purpose: "billing.\(kind)"), on: db, now: now)
        queued.set()
    }

    /// The explanation's arguments as a JSON object with sorted keys. Written by hand: it runs inside every posting's
    /// transaction, where `JSONEncoder` cost more than the posting's statements.
    static func encode(_ arguments: [String: String]) -> String {
        guard !arguments.isEmpty else { return "{}" }
        var json = "{"
        for (index, key) in arguments.keys.sorted().enumerated() {
            if index > 0 { json += "," }
            appendJSONString(key, to: &json)
            json += ":"
            appendJSONString(arguments[key] ?? "", to: &json)
        }
        return json + "}"
    }

    static func appendJSONString(_ text: String, to json: inout String) {
        json += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            case _ where scalar.value < 0x20:
                json += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: json.unicodeScalars.append(scalar)
            }
        }
        json += "\""
    }

    static func decodeArguments(_ text: String) -> [String: String] {
        guard text != "{}" else { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }
}

extension SQLBillingStore: LedgerTransactions {
    public func transaction<T: Sendable>(
        lines: [SubscriberID], _ body: @escaping @Sendable (any WriteTransaction, any LedgerWriter) async throws -> T
    ) async throws -> T {
        try await transaction(lines: lines) { (db: any SQLDatabase, writer: SQLLedgerWriter) in
            try await body(SQLWriteTransaction(db), writer)
        }
    }
}

/// Billing's ledger inside a write transaction that ``SQLBillingStore/transaction(lines:_:)`` opened for another store.
public struct SQLLedgerWriter: LedgerWriter {
    let store: SQLBillingStore
    let db: any SQLDatabase
    let touched: TouchedKeys<Int64>
    let queued: Flag
    /// Lines this transaction credited, and lines it charged (a line in both may have fallen below a threshold).
    let raised: TouchedKeys<Int64>
    let lowered: TouchedKeys<Int64>

    /// Posts as ``BalanceLedger/post(_:)`` does, in the surrounding transaction: once per external id, refusing a
    /// charge beyond the balance unless the posting allows it.
    public func post(_ posting: LedgerPosting) async throws -> PostingResult {
        guard !posting.amount.isZero, posting.extraLegs.allSatisfy({ !$0.amount.isZero }) else {
            throw CabinetError(BillingError.amountInvalid, arguments: ["amount": posting.amount.amountString])
        }
        touched.insert(posting.line.rawValue)
        guard var account = try await store.lockAccount(posting.line, on: db) else {
            throw CabinetError(BillingError.noAccount)
        }
        if let existing = try await db.raw(
            """
            SELECT id FROM billing_transaction WHERE external_id = \(bind: posting.externalID)
            """
        ).first()?.decode(column: "id", as: Int64.self) {
            return .duplicate(transactionID: existing)
        }
        let net = try SQLBillingStore.lineAmount(posting)
        if net.isNegative, !posting.allowsNegativeBalance,
            try await !store.canPay(-net.minorUnits, kind: posting.kind, account: account, at: posting.at, on: db)
        {
            return .insufficientFunds(balance: account.money)
        }
        (net.isPositive ? raised : lowered).insert(posting.line.rawValue)
        let id = try await store.postLocked(posting, account: &account, queued: queued, on: db)
        return .posted(transactionID: id, balance: account.money)
    }

    /// Posts a line that moves no money (`amount` zero), for the balance history to show an event (a share of
    /// gigabytes): ``post(_:)`` refuses zero amounts, which are a mistake everywhere else.
    func postMarker(_ posting: LedgerPosting) async throws {
        guard posting.amount.isZero, posting.extraLegs.isEmpty else {
            throw CabinetError.internal("a marker posting moves no money")
        }
        touched.insert(posting.line.rawValue)
        guard var account = try await store.lockAccount(posting.line, on: db) else {
            throw CabinetError(BillingError.noAccount)
        }
        _ = try await store.postLocked(posting, account: &account, queued: queued, on: db)
    }

    /// The line's balance in minor units, its account locked until the transaction ends; nil without an account.
    func lockedBalance(of line: SubscriberID) async throws -> Int64? {
        touched.insert(line.rawValue)
        return try await store.lockAccount(line, on: db)?.balance
    }
}
