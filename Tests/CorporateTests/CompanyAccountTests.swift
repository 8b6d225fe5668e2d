import Billing
import BillingTesting
import CabinetCore
import CabinetTesting
import Corporate
import CorporateStorage
import CorporateTesting
import Foundation
import Payments
import PaymentsStorage
import PaymentsTesting
import Services
import ServicesTesting
import Subscribers
import Testing

/// The company pays: charges of its lines post to the line and, in the same database transaction, move from the
/// company's account to the line, so the line's balance stays while its spending is still its own; a `personal`
/// quota's money limit is what the company pays a month, the employee paying the rest.
@Suite struct CompanyAccountTests {
    func rub(_ text: String) throws -> Money { try Money(parsing: text, currency: .rub) }

    func fee(_ bed: CorporateTestBed, _ line: Line, _ amount: String, id: String, allowsNegative: Bool = true)
        async throws -> PostingResult
    {
        try await bed.billing.billingStore.post(
            LedgerPosting(
                externalID: id, kind: .optionFee, line: line.id, amount: try rub("-" + amount),
                counterparty: .revenue, explanation: "billing.explain.fee", allowsNegativeBalance: allowsNegative,
                at: bed.clock.now))
    }

    @Test(arguments: TestDatabase.available)
    func theCompanyPaysItsLinesChargesAndEachLineKeepsItsSpending(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79003340001")
            let (company, _) = try await bed.company(owner: ownerLine)
            let accounts: any CompanyAccounts = bed.billing.store
            #expect(try await accounts.balance(of: company.id) == (try rub("0.00")))
            let employee = try await bed.line("+79003340002", credit: "100.00", company: company.id)
            let outsider = try await bed.line("+79003340003", credit: "100.00")

            // A fee: the line's balance stays, the company's falls; the outsider pays alone.
            _ = try await fee(bed, employee, "30.00", id: "fee-e-1")
            _ = try await fee(bed, outsider, "30.00", id: "fee-o-1")
            #expect(try await bed.billing.balance(employee) == "100.00")
            #expect(try await bed.billing.balance(outsider) == "70.00")
            #expect(try await accounts.balance(of: company.id) == (try rub("-30.00")))

            // A purchase beyond the line's own balance is allowed: the company covers it.
            let purchase = try await fee(bed, employee, "250.00", id: "fee-e-2", allowsNegative: false)
            guard case .posted = purchase else {
                Issue.record("a company-paid purchase was refused: \(purchase)")
                return
            }
            #expect(try await bed.billing.balance(employee) == "100.00")

            // Usage is rated and paid by the company in the rating's transaction.
            let calls = (1...3).map { bed.billing.call(employee, "call-\($0)", seconds: 120) }
            let outcome = try await bed.billing.billingStore.rate(calls, now: bed.clock.now)
            let usage = outcome.charged[.rub] ?? 0
            #expect(usage > 0)
            #expect(try await bed.billing.balance(employee) == "100.00")
            let paid = try #require(try await accounts.balance(of: company.id))
            #expect(paid.minorUnits == -(280_00 + usage))

            // The line's history shows each charge and the company's payment of it; its spending is still its own.
            let history = try await bed.billing.billingStore.movements(of: employee.id, query: MovementQuery(limit: 50))
            let covered = history.filter { $0.kind == .companyPaid }
            #expect(covered.count == 3)
            #expect(covered.allSatisfy { $0.arguments["company"] == company.name })
            let expenses = try await bed.billing.billingStore.expenses(
                of: [employee.id], from: bed.clock.now.addingTimeInterval(-3600),
                to: bed.clock.now.addingTimeInterval(3600))
            #expect(expenses[employee.id]?.movements[.optionFee] == 280_00)
            #expect(expenses[employee.id]?.usage.values.reduce(0, +) == usage)
            // What the company paid for the month, for its act.
            let month = try #require(
                try await accounts.paid(
                    by: company.id, from: bed.clock.now.addingTimeInterval(-3600),
                    to: bed.clock.now.addingTimeInterval(3600)))
            #expect(month.minorUnits == 280_00 + usage)

            // The company's statement: newest first, with running balances.
            let movements = try await accounts.movements(of: company.id, from: nil, to: nil, before: nil, limit: 10)
            #expect(movements.count == 3)
            #expect(movements.first?.balanceAfter == paid)
            #expect(movements.last?.balanceAfter == (try rub("-30.00")))

            // A bank transfer credits the company once per reference.
            let credit = CompanyCredit(
                externalID: "bank:\(company.id):PP-1", company: company.id, amount: try rub("1000.00"),
                counterparty: .bank, explanation: "billing.explain.bankTransfer", at: bed.clock.now)
            guard case .posted(_, let balance) = try await accounts.credit(credit) else {
                Issue.record("the transfer was not posted")
                return
            }
            #expect(balance.minorUnits == 1000_00 + paid.minorUnits)
            guard case .duplicate = try await accounts.credit(credit) else {
                Issue.record("a repeated transfer was posted again")
                return
            }
            #expect(try await bed.billing.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aRefundedChargeGoesBackToTheCompanyThatPaidIt(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let (company, _) = try await bed.company(owner: try await bed.line("+79003345001"))
            let accounts: any CompanyAccounts = bed.billing.store
            let employee = try await bed.line("+79003345002", credit: "10.00", company: company.id)
            let today = LocalDate(bed.clock.now, in: TimeZone(identifier: "Europe/Moscow")!)
            // A paid statement the employee could not afford alone: the company pays it.
            _ = try await bed.billing.service.orderStatement(
                bed.billing.access(employee), from: today.adding(days: -3), to: today, language: .ru)
            let paid = try #require(try await accounts.balance(of: company.id))
            #expect(paid.isNegative)
            #expect(try await bed.billing.balance(employee) == "10.00")
            // It fails: the line's refund goes on to the company.
            let claimed = try #require(
                try await bed.billing.billingStore.claimStatements(now: bed.clock.now, lease: 60, limit: 5).first)
            try await bed.billing.billingStore.failStatement(claimed.id, reason: "test", now: bed.clock.now)
            #expect(try await accounts.balance(of: company.id) == (try rub("0.00")))
            #expect(try await bed.billing.balance(employee) == "10.00")
            let history = try await bed.billing.billingStore.movements(of: employee.id, query: MovementQuery(limit: 10))
            #expect(history.first?.explanation == "billing.explain.companyReturn")
            // A refund beyond what the company paid stays the employee's: the company gets back at most what it paid.
            _ = try await bed.billing.billingStore.post(
                LedgerPosting(
                    externalID: "goodwill", kind: .refund, line: employee.id, amount: try rub("25.00"),
                    counterparty: .revenue, explanation: "billing.explain.statementRefund", allowsNegativeBalance: true,
                    at: bed.clock.now))
            #expect(try await accounts.balance(of: company.id) == (try rub("0.00")))
            #expect(try await bed.billing.balance(employee) == "35.00")
            #expect(try await bed.billing.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func underAPersonalQuotaTheCompanyPaysUpToTheLimitAndTheEmployeeTheRest(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79003350001")
            let (company, owner) = try await bed.company(owner: ownerLine)
            let accounts: any CompanyAccounts = bed.billing.store
            let employee = try await bed.line("+79003350002", credit: "100.00", company: company.id)
            // Paid before the quota: counts against the limit set later this month.
            _ = try await fee(bed, employee, "4.00", id: "fee-1")
            _ = try await bed.service.requestQuota(
                owner, msisdn: employee.msisdn, limits: QuotaLimits(money: try rub("10.00"), policy: .personal))
            _ = try await bed.service.runQuotaJob()

            _ = try await fee(bed, employee, "5.00", id: "fee-2")
            #expect(try await bed.billing.balance(employee) == "100.00")
            // 9.00 of 10.00 paid: the company pays 1.00 of the next 3.00, the employee 2.00.
            _ = try await fee(bed, employee, "3.00", id: "fee-3")
            #expect(try await bed.billing.balance(employee) == "98.00")
            _ = try await fee(bed, employee, "1.50", id: "fee-4")
            #expect(try await bed.billing.balance(employee) == "96.50")
            // A purchase the employee cannot pay is refused now that the company's part is used up.
            let refused = try await fee(bed, employee, "500.00", id: "fee-5", allowsNegative: false)
            guard case .insufficientFunds = refused else {
                Issue.record("a purchase beyond the cover limit and balance went through: \(refused)")
                return
            }
            #expect(try await accounts.balance(of: company.id) == (try rub("-10.00")))

            // Next month the company pays again, up to the limit.
            let lastMonth = bed.clock.now
            bed.clock.advance(by: .seconds(32 * 86_400))
            _ = try await fee(bed, employee, "4.00", id: "fee-6")
            #expect(try await bed.billing.balance(employee) == "96.50")
            // A fee dated last month, posted late (a catch-up): last month's limit is used up, so the employee pays,
            // and this month's count is left alone.
            _ = try await bed.billing.billingStore.post(
                LedgerPosting(
                    externalID: "fee-late", kind: .optionFee, line: employee.id, amount: try rub("-3.00"),
                    counterparty: .revenue, explanation: "billing.explain.fee", allowsNegativeBalance: true,
                    at: lastMonth))
            #expect(try await bed.billing.balance(employee) == "93.50")
            _ = try await fee(bed, employee, "8.00", id: "fee-6b")
            #expect(try await bed.billing.balance(employee) == "91.50", "6.00 of 8.00 left to the company this month")
            #expect(try await accounts.balance(of: company.id) == (try rub("-20.00")))

            // The quota removed: the company pays everything again.
            _ = try await bed.service.requestQuotaDeletion(owner, msisdn: employee.msisdn)
            _ = try await bed.service.runQuotaJob()
            _ = try await fee(bed, employee, "50.00", id: "fee-7")
            #expect(try await bed.billing.balance(employee) == "91.50")
            #expect(try await bed.billing.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aCardTopUpCreditsTheCompanyOnceAndNeverTheAdminsLine(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79003341001", credit: "50.00")
            let (company, owner) = try await bed.company(owner: ownerLine)
            let accounts: any CompanyAccounts = bed.billing.store
            let sandbox = SandboxGateway(secret: PaymentsTestBed.secret, pageBaseURL: "http://127.0.0.1:8080")
            let payments = DefaultPaymentsService(
                store: SQLPaymentsStore(database: bed.billing.database, ledger: bed.billing.store),
                ledger: bed.billing.store, lines: bed.billing.lines, regions: bed.billing.rules.regions,
                gateways: [sandbox], defaultGateway: "sandbox", limiter: InMemoryRateLimiter(), clock: bed.clock,
                logger: .test, companyAccounts: accounts)
            let finance = DefaultCompanyFinanceService(
                store: bed.store, accounts: accounts, lines: bed.billing.lines, emails: bed.billing.emails,
                renderer: PlainTextDocumentRenderer(), topUps: payments, regions: bed.billing.rules.regions,
                clock: bed.clock, logger: .test)

            let started = try await finance.startCardTopUp(
                owner, amount: try rub("3000.00"), returnURL: { "/business/finance?payment=\($0)" })
            #expect(started.payment.company == company.id && started.payment.line == ownerLine.id)
            guard
                case .finished(let back, let webhooks) = try await sandbox.pay(
                    started.payment.gatewayPaymentID ?? "", card: "4242 4242 4242 4242", expiry: "12/30", cvc: "123",
                    now: bed.clock.now)
            else {
                Issue.record("the sandbox did not finish the payment")
                return
            }
            #expect(back.hasSuffix("/business/finance?payment=\(started.payment.id)"))
            for webhook in webhooks + webhooks {
                try await payments.receiveWebhook(gateway: "sandbox", body: webhook.body, signature: webhook.signature)
            }
            #expect(try await accounts.balance(of: company.id) == (try rub("3000.00")))
            #expect(try await bed.billing.balance(ownerLine) == "50.00")
            let payment = try await finance.cardTopUp(owner, id: started.payment.id)
            #expect(payment.status == .succeeded && payment.creditedAt != nil)
            // The admin's own payment history is the line's, without the company's.
            #expect(
                try await payments.history(of: ownerLine.id, before: nil, limit: 10).allSatisfy { $0.company == nil })
            #expect(try await payments.reconcile() == 0)
            let movement = try #require(
                try await accounts.movements(of: company.id, from: nil, to: nil, before: nil, limit: 5).first)
            #expect(movement.explanation == "billing.explain.companyCard" && movement.kind == .topUp)
            #expect(try await bed.billing.check().isClean)

            // Another company's admin cannot see the payment.
            let other = try await bed.company(
                inn: "7736207543", owner: try await bed.line("+79003341002"), name: "ООО «Другая»")
            await #expect(throws: CabinetError.self) { _ = try await finance.cardTopUp(other.access, id: payment.id) }
        }
    }
}
