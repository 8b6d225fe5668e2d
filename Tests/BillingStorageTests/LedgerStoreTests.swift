import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit
import Subscribers
import Testing

/// The ledger under the store: postings exactly once, funds, append-only rows, and a check that notices tampering.
@Suite struct LedgerStoreTests {
    func posting(_ bed: BillingTestBed, _ line: Line, _ id: String, _ amount: Int64, negative: Bool = false)
        -> LedgerPosting
    {
        LedgerPosting(
            externalID: id, kind: amount < 0 ? .optionFee : .topUp, line: line.id,
            amount: Money(minorUnits: amount, currency: .rub),
            counterparty: amount < 0 ? .revenue : .gateway, explanation: "billing.explain.adjustment",
            allowsNegativeBalance: negative,
            at: bed.clock.now)
    }

    @Test(arguments: TestDatabase.available)
    func postingsAreIdempotentAndPurchasesNeedFunds(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg")
            guard case .posted(let id, let balance) = try await bed.store.post(posting(bed, line, "top-1", 10_000))
            else {
                Issue.record("not posted")
                return
            }
            #expect(balance.amountString == "100.00")
            #expect(try await bed.store.post(posting(bed, line, "top-1", 10_000)) == .duplicate(transactionID: id))
            #expect(
                try await bed.store.post(posting(bed, line, "buy-1", -15_000)) == .insufficientFunds(balance: balance))
            guard
                case .posted(_, let after) = try await bed.store.post(
                    posting(bed, line, "fee-1", -15_000, negative: true))
            else {
                Issue.record("a fee may take the balance below zero")
                return
            }
            #expect(after.amountString == "-50.00")
            #expect(try await bed.store.account(of: line.id)?.restricted == true)
            await #expect(throws: CabinetError.self, "a zero posting is refused") {
                try await bed.store.post(posting(bed, line, "zero", 0))
            }
            let kzt = LedgerPosting(
                externalID: "kzt", kind: .topUp, line: line.id, amount: Money(minorUnits: 100, currency: .kzt),
                counterparty: .gateway, explanation: "x", allowsNegativeBalance: false, at: bed.clock.now)
            await #expect(throws: CabinetError.self, "a rouble line takes no tenge") { try await bed.store.post(kzt) }
            #expect(try await bed.check().isClean)
        }
    }

    /// Many lines' balances in one read (the network's call check of a batch); a line without an account is absent.
    @Test(arguments: TestDatabase.available)
    func balancesOfManyLinesInOneRead(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let owing = try await bed.line("+79001234567", tariff: "payg")
            let paid = try await bed.line("+79001234568", tariff: "payg")
            _ = try await bed.store.post(posting(bed, owing, "fee-1", -5_000, negative: true))
            _ = try await bed.store.post(posting(bed, paid, "top-1", 3_000))
            let stranger = SubscriberID(999_999)
            let balances = try await bed.store.balances(of: [owing.id, paid.id, stranger, paid.id])
            #expect(balances.count == 2)
            #expect(balances[owing.id]?.amountString == "-50.00")
            #expect(balances[paid.id] == Money(minorUnits: 3_000, currency: .rub))
            #expect(balances[stranger] == nil)
            #expect(try await bed.store.balances(of: []).isEmpty)
            #expect(try await bed.store.balance(of: owing.id) == balances[owing.id])
        }
    }

    /// The explanation's arguments are stored as JSON written by hand; whatever they hold comes back as it went in.
    @Test(arguments: TestDatabase.available)
    func explanationArgumentsComeBackAsTheyWereGiven(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg")
            let arguments = [
                "card": "•••• 4242", "quote": #"say "hi" \ back/slash"#, "lines": "a\nb\tc\u{1}d", "Пополнение": "₽ ₸",
                "": "",
            ]
            _ = try await bed.store.post(
                LedgerPosting(
                    externalID: "args-1", kind: .topUp, line: line.id, amount: Money(minorUnits: 100, currency: .rub),
                    counterparty: .gateway,
                    explanation: "billing.explain.topUp", arguments: arguments, allowsNegativeBalance: false,
                    at: bed.clock.now))
            let movement = try await bed.store.movements(of: line.id, query: MovementQuery()).first
            #expect(movement?.arguments == arguments)
        }
    }

    @Test(arguments: TestDatabase.available)
    func concurrentPurchasesNeverOverdraw(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg", credit: "100.00")
            let results = try await withThrowingTaskGroup(of: PostingResult.self) { group in
                for index in 0..<30 {
                    group.addTask { try await bed.store.post(posting(bed, line, "buy-\(index)", -1_000)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let posted = results.filter { if case .posted = $0 { true } else { false } }
            #expect(posted.count == 10)
            #expect(try await bed.balance(line) == "0.00")
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func ledgerRowsCannotBeChangedAndTheCheckFindsACookedBalance(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg", credit: "100.00")
            await #expect(throws: (any Error).self) {
                try await bed.database.write { db in
                    try await db.raw("UPDATE billing_entry SET amount = amount + 1").run()
                }
            }
            await #expect(throws: (any Error).self) {
                try await bed.database.write { db in try await db.raw("DELETE FROM billing_transaction").run() }
            }
            #expect(try await bed.check().isClean)
            // Someone edits a cached balance behind the ledger's back.
            try await bed.database.write { db in
                try await db.raw(
                    "UPDATE billing_account SET balance = balance + 100 WHERE subscriber_id = \(bind: line.id.rawValue)"
                ).run()
            }
            let report = try await bed.check()
            #expect(!report.isClean && report.mismatchedAccounts.count == 1)
        }
    }

    @Test(arguments: TestDatabase.available.filter { $0 == .postgres })
    func postgresRefusesAnUnbalancedTransactionAtCommit(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg")
            let account = try #require(try await bed.store.account(of: line.id))
            await #expect(throws: (any Error).self) {
                try await bed.database.write { db in
                    let id = try await db.raw(
                        """
                        INSERT INTO billing_transaction (external_id, kind, at, explanation, arguments)
                        VALUES ('forged', 'adjustment', 0, 'x', '{}') RETURNING id
                        """
                    ).first()!.decode(column: "id", as: Int64.self)
                    try await db.raw(
                        """
                        INSERT INTO billing_entry (transaction_id, account_id, amount, currency, balance_after, at)
                        VALUES (\(bind: id), \(bind: account.id), 100000, 'RUB', 100000, 0)
                        """
                    ).run()
                }
            }
            // A balanced pair added later to a transaction that was committed before is refused as well.
            try await bed.topUp(line, "10.00", id: "real")
            let real = try #require(try await bed.store.movements(of: line.id, query: MovementQuery(limit: 1)).first)
            await #expect(throws: (any Error).self) {
                try await bed.database.write { db in
                    try await db.raw(
                        """
                        INSERT INTO billing_entry (transaction_id, account_id, amount, currency, balance_after, at)
                        VALUES (\(bind: real.transactionID), \(bind: account.id), 500, 'RUB', 1500, 0),
                               (\(bind: real.transactionID), \(bind: account.id), -500, 'RUB', 1000, 0)
                        """
                    ).run()
                }
            }
            #expect(try await bed.check().isClean)
        }
    }
}
