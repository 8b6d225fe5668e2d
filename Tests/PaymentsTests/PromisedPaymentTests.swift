import Billing
import CabinetCore
import CabinetTesting
import Foundation
import Payments
import PaymentsTesting
import Subscribers
import Testing

/// «Обещанный платёж» on every backend (SQL and memory): reasons, one ledger transaction, one active per line under
/// concurrency, repayment by a top-up, write-off at the due time.
@Suite struct PromisedPaymentTests {
    @Test(arguments: PaymentsTestBed.Backend.all)
    func aYoungLineIsToldWhyAndAnOldOneTakesOne(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let young = try await bed.line("+79001234567", daysAgo: 12)
            let eligibility = try await bed.service.promisedEligibility(of: young.id)
            #expect(eligibility.offer == nil)
            #expect(
                eligibility.refusals == [PromisedRefusal(PromisedRefusal.tenure, ["days": "12", "required": "60"])])
            do {
                _ = try await bed.service.takePromised(young.id, amount: Money(minorUnits: 5_000, currency: .rub))
                Issue.record("a young line must be refused")
            } catch let error as CabinetError {
                #expect(error.code == PromisedRefusal.tenure)
                #expect(error.kind == .rejected)
            }

            let old = try await bed.line("+79001234568", daysAgo: 400)
            let offer = try #require(try await bed.service.promisedEligibility(of: old.id).offer)
            #expect(offer.amounts.map(\.amountString) == ["50.00", "100.00"])
            await #expect(throws: CabinetError.self, "an amount not offered") {
                try await bed.service.takePromised(old.id, amount: Money(minorUnits: 7_000, currency: .rub))
            }
            let taken = try await bed.service.takePromised(old.id, amount: Money(minorUnits: 10_000, currency: .rub))
            #expect(taken.fee.amountString == "5.00")
            #expect(taken.dueAt == bed.clock.now.addingTimeInterval(3 * 86_400))
            #expect(try await bed.balance(old) == "95.00")
            let history = try await bed.movements(of: old, limit: 10)
            #expect(history.count == 1, "credit and fee are one ledger transaction")
            #expect(history.first?.kind == .promisedPayment)
            let again = try await bed.service.promisedEligibility(of: old.id)
            #expect(again.active?.id == taken.id)
            #expect(again.refusals.first?.code == PromisedRefusal.alreadyActive)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func ofAHundredConcurrentRequestsExactlyOneIsGranted(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            let results = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        (try? await bed.service.takePromised(line.id, amount: Money(minorUnits: 5_000, currency: .rub)))
                            != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
            #expect(try await bed.balance(line) == "45.00")
            #expect(try await bed.store.promisedHistory(of: line.id, limit: 200).count == 1)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func theNextTopUpRepaysIt(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            let taken = try await bed.service.takePromised(line.id, amount: Money(minorUnits: 10_000, currency: .rub))
            bed.clock.advance(by: .seconds(86_400))
            try await bed.topUp(line, "300.00")
            #expect(try await bed.balance(line) == "295.00")
            let closed = try #require(try await bed.store.promisedHistory(of: line.id, limit: 1).first)
            #expect(closed.id == taken.id)
            #expect(closed.status == .repaid)
            #expect(closed.settledAt != nil)
            #expect(try await bed.store.activePromised(of: line.id) == nil)
            bed.clock.advance(by: .seconds(5 * 86_400))
            #expect(try await bed.service.reconcile() == 0, "nothing due: it was repaid")
            #expect(try await bed.balance(line) == "295.00")
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func unpaidAtTheDueTimeItIsWrittenOffAndServiceRestricted(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "20.00")
            _ = try await bed.service.takePromised(line.id, amount: Money(minorUnits: 10_000, currency: .rub))
            #expect(try await bed.balance(line) == "115.00")
            // Spending while the promised money is there.
            _ = try await bed.ledger.post(
                LedgerPosting(
                    externalID: "buy-1", kind: .optionFee, line: line.id,
                    amount: Money(minorUnits: -11_000, currency: .rub), counterparty: .revenue,
                    explanation: "billing.explain.adjustment", allowsNegativeBalance: false, at: bed.clock.now))
            bed.clock.advance(by: .seconds(3 * 86_400 - 1))
            #expect(try await bed.service.reconcile() == 0, "not due yet")
            bed.clock.advance(by: .seconds(1))
            #expect(try await bed.service.reconcile() == 1)
            #expect(try await bed.balance(line) == "-95.00")
            #expect(try await bed.isRestricted(line) == true)
            #expect(try await bed.store.promisedHistory(of: line.id, limit: 1).first?.status == .writtenOff)
            // A top-up afterwards repays nothing more and lifts the restriction once the balance is back above zero.
            try await bed.topUp(line, "100.00")
            #expect(try await bed.balance(line) == "5.00")
            #expect(try await bed.isRestricted(line) == false)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func aLedgerStepLostInACrashIsPostedOnce(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            // Stored, then the process died before the ledger credit.
            let promised = try await bed.store.insertPromised(
                line: line.id, amount: Money(minorUnits: 5_000, currency: .rub),
                fee: Money(minorUnits: 500, currency: .rub),
                dueAt: bed.clock.now.addingTimeInterval(86_400), at: bed.clock.now)
            #expect(try await bed.balance(line) == "0.00")
            #expect(try await bed.service.reconcile() == 1)
            #expect(try await bed.service.reconcile() == 0)
            #expect(try await bed.balance(line) == "45.00")
            #expect(try await bed.store.activePromised(of: line.id)?.creditedAt != nil)
            #expect(promised.creditLedgerID == "promised:\(promised.id)")
            #expect(try await bed.check().isClean)
        }
    }
}
