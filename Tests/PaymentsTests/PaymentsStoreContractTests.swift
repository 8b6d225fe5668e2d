import Billing
import CabinetCore
import CabinetTesting
import Foundation
import Payments
import PaymentsTesting
import Subscribers
import Testing

/// What every ``PaymentsStore`` promises, checked on the SQL store and the in-memory one alike, so that domain tests on
/// the in-memory store mean what they mean on SQL.
@Suite struct PaymentsStoreContractTests {
    func rub(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .rub) }

    func payment(_ id: String, of line: Line, at date: Date, amount: Int64 = 10_000, trigger: String? = nil) -> Payment
    {
        Payment(
            id: id, line: line.id, msisdn: line.msisdn, amount: rub(amount), method: .card, status: .created,
            gateway: "sandbox",
            autopayTrigger: trigger, createdAt: date, updatedAt: date)
    }

    func notice(
        _ id: String, _ outcome: GatewayNotification.Outcome, gatewayID: String = "", masked: String? = nil,
        reason: String? = nil
    ) -> GatewayNotification {
        GatewayNotification(
            gatewayPaymentID: gatewayID, orderID: id, outcome: outcome, amount: rub(10_000), maskedCard: masked,
            reason: reason)
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func aPaymentMovesOnceAndIsListedNewestFirst(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let store = bed.store
            let line = try await bed.line("+79001234567")
            let other = try await bed.line("+79001234568")
            let start = bed.clock.now
            let first = try await store.insert(payment("pay_1", of: line, at: start))
            #expect(first.requestID != nil)
            _ = try await store.insert(payment("pay_2", of: line, at: start.addingTimeInterval(1)))
            _ = try await store.insert(payment("pay_3", of: other, at: start.addingTimeInterval(2)))
            do {
                _ = try await store.insert(payment("pay_1", of: line, at: start))
                Issue.record("a second payment with one id must be refused")
            } catch let error as CabinetError {
                #expect(error.code == PaymentsError.duplicatePayment)
            }
            #expect(
                try await bed.requests(of: line).map(\.status) == [.pending, .pending],
                "the refused insert left no request")

            try await store.attach("pay_1", gatewayPaymentID: "g1", at: start)
            try await store.attach("pay_1", gatewayPaymentID: "g9", at: start)
            #expect(try await store.payment(id: "pay_1")?.gatewayPaymentID == "g1", "attached once")
            #expect(try await store.payment(id: "pay_1")?.status == .pending)
            await #expect(throws: (any Error).self, "one payment per gateway payment") {
                try await store.attach("pay_2", gatewayPaymentID: "g1", at: start)
            }

            #expect(
                try await store.apply(notice("pay_1", .pending, gatewayID: "g1"), to: "pay_1", at: start) == nil,
                "a pending notice moves only a created payment")
            let paid = try #require(
                try await store.apply(
                    notice("pay_1", .succeeded, gatewayID: "g1", masked: "•••• 4242"), to: "pay_1",
                    at: start.addingTimeInterval(5)))
            #expect(paid.status == .succeeded)
            #expect(paid.maskedCard == "•••• 4242")
            #expect(paid.updatedAt == start.addingTimeInterval(5))
            #expect(
                try await store.apply(notice("pay_1", .succeeded, gatewayID: "g1"), to: "pay_1", at: start) == nil,
                "a repeat")
            #expect(
                try await store.apply(notice("pay_1", .declined, gatewayID: "g1"), to: "pay_1", at: start) == nil,
                "final stays final")
            let failed = try #require(
                try await store.apply(
                    notice("pay_2", .failed, reason: "payments.failed.gateway"), to: "pay_2", at: start))
            #expect(failed.status == .failed)
            #expect(failed.gatewayPaymentID == nil)
            #expect(failed.failure == "payments.failed.gateway")
            #expect(
                try await store.apply(notice("pay_x", .succeeded), to: "pay_x", at: start) == nil, "an unknown payment")
            let requests = try await bed.requests(of: line)
            #expect(requests.map(\.status) == [.failed, .done])
            #expect(requests.map(\.detail) == ["payments.failed.gateway", "•••• 4242"])

            #expect(try await store.uncredited(limit: 10).map(\.id) == ["pay_1"])
            try await store.transaction { tx in try await tx.markCredited("pay_2", at: start) }
            #expect(try await store.payment(id: "pay_2")?.creditedAt == nil, "only a succeeded payment is credited")
            try await store.transaction { tx in try await tx.markCredited("pay_1", at: start) }
            #expect(try await store.uncredited(limit: 10).isEmpty)
            #expect(try await store.payment(id: "pay_1")?.creditedAt == start)

            #expect(try await store.payments(of: line.id, before: nil, limit: 10).map(\.id) == ["pay_2", "pay_1"])
            #expect(try await store.payments(of: line.id, before: nil, limit: 1).map(\.id) == ["pay_2"])
            #expect(try await store.payments(of: line.id, before: "pay_2", limit: 10).map(\.id) == ["pay_1"])
            #expect(try await store.payments(of: line.id, before: "pay_unknown", limit: 10).isEmpty)
            #expect(try await store.succeededTotal(of: line.id, since: start) == 10_000)
            #expect(try await store.succeededTotal(of: line.id, since: start.addingTimeInterval(1)) == 0)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func aPromisedPaymentIsActiveOnceAndRecordsItsLedgerSteps(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let store = bed.store
            let line = try await bed.line("+79001234567")
            let now = bed.clock.now
            let due = now.addingTimeInterval(86_400)
            let first = try await store.insertPromised(
                line: line.id, amount: rub(5_000), fee: rub(500), dueAt: due, at: now)
            #expect(first.status == .active)
            #expect(first.takenAt == now)
            #expect(first.creditedAt == nil)
            do {
                _ = try await store.insertPromised(
                    line: line.id, amount: rub(5_000), fee: rub(500), dueAt: due, at: now)
                Issue.record("a second active promised payment must be refused")
            } catch let error as CabinetError {
                #expect(error.code == PaymentsError.promisedAlreadyActive)
            }
            #expect(try await store.activePromised(of: line.id)?.id == first.id)
            #expect(try await store.duePromised(at: due.addingTimeInterval(-1), limit: 10).isEmpty)
            #expect(try await store.duePromised(at: due, limit: 10).map(\.id) == [first.id])
            #expect(try await store.unpostedPromised(limit: 10).map(\.id) == [first.id], "the credit is owed")

            let closed = try await store.transaction { tx -> PromisedPayment? in
                try await tx.markPromised(first.id, settled: true, at: now)
                try await tx.markPromised(first.id, settled: false, at: now)
                return try await tx.closePromised(first.id, as: .repaid, at: now.addingTimeInterval(60))
            }
            #expect(closed?.status == .repaid)
            #expect(closed?.closedAt == now.addingTimeInterval(60))
            #expect(closed?.settledAt == nil, "an active one is not settled")
            #expect(
                try await store.transaction { tx in try await tx.closePromised(first.id, as: .writtenOff, at: now) }
                    == nil)
            #expect(try await store.unpostedPromised(limit: 10).map(\.id) == [first.id], "the repayment is owed")
            try await store.transaction { tx in try await tx.markPromised(first.id, settled: true, at: now) }
            #expect(try await store.unpostedPromised(limit: 10).isEmpty)
            #expect(try await store.activePromised(of: line.id) == nil)
            #expect(try await store.duePromised(at: due, limit: 10).isEmpty)

            let second = try await store.insertPromised(
                line: line.id, amount: rub(10_000), fee: rub(500), dueAt: due, at: now)
            #expect(try await store.promisedHistory(of: line.id, limit: 10).map(\.id) == [second.id, first.id])
            #expect(try await store.promisedHistory(of: line.id, limit: 1).map(\.id) == [second.id])
            #expect(try await bed.requests(of: line).map(\.kind) == ["payments.promised", "payments.promised"])
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func theDailyLimitHoldsUnderConcurrencyAndTransfersMoveOnce(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let store = bed.store
            let alice = try await bed.line("+79001234567")
            let bob = try await bed.line("+79001234568")
            let now = bed.clock.now
            let day = LocalDate(now, in: .gmt)
            let order = NewTransfer(
                sender: alice.id, senderMSISDN: alice.msisdn, recipient: bob.id, recipientMSISDN: bob.msisdn,
                amount: rub(1_000), fee: rub(200), day: day, maxPerDay: rub(5_000))
            let stored = await withTaskGroup(of: Transfer?.self) { group in
                for _ in 0..<12 { group.addTask { try? await store.insertTransfer(order, at: now) } }
                return await group.reduce(into: [Transfer]()) { if let transfer = $1 { $0.append(transfer) } }
            }
            #expect(stored.count == 5, "checked and recorded under the sender's lock")
            do {
                _ = try await store.insertTransfer(order, at: now)
                Issue.record("the daily limit must refuse")
            } catch let error as CabinetError {
                #expect(error.code == PaymentsError.transferDailyLimit)
                #expect(error.arguments == ["limit": "50.00", "left": "0.00"])
            }
            let ids = stored.map(\.id).sorted()
            #expect(try await store.advanceTransfer(ids[0], from: .pending, to: .refused, at: now)?.status == .refused)
            #expect(
                try await store.insertTransfer(order, at: now).status == .pending, "a refused transfer does not count")
            var tomorrow = order
            tomorrow.day = day.adding(days: 1)
            _ = try await store.insertTransfer(tomorrow, at: now)

            #expect(try await store.advanceTransfer(ids[1], from: .pending, to: .sent, at: now)?.status == .sent)
            #expect(try await store.advanceTransfer(ids[1], from: .pending, to: .sent, at: now) == nil, "moved once")
            let done = try await store.transaction { tx in
                try await tx.advanceTransfer(ids[1], from: .sent, to: .done, at: now)
            }
            #expect(done?.status == .done)
            #expect(
                try await store.transfers(of: bob.id, limit: 10).map(\.id) == [ids[1]],
                "the recipient sees only what arrived")
            let sent = try await store.transfers(of: alice.id, limit: 20)
            #expect(sent.count == 7)
            #expect(sent.map(\.id) == sent.map(\.id).sorted(by: >), "newest first")
            #expect(try await store.unfinishedTransfers(before: now, limit: 20).isEmpty, "created before `before` only")
            let unfinished = try await store.unfinishedTransfers(before: now.addingTimeInterval(1), limit: 20)
            #expect(Set(unfinished.map(\.id)) == Set(sent.map(\.id)).subtracting([ids[0], ids[1]]))
            let requests = try await bed.requests(of: alice, limit: 20)
            #expect(requests.filter { $0.status == .done }.count == 1)
            #expect(requests.filter { $0.status == .rejected }.map(\.detail) == ["payments.transfer.insufficientFunds"])
            #expect(requests.filter { $0.status == .processing }.count == 5)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func cardsKeepOneDefault(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let store = bed.store
            let line = try await bed.line("+79001234567")
            let stranger = try await bed.line("+79001234568")
            let now = bed.clock.now
            let first = try await store.saveCard(
                line: line.id, gateway: "sandbox", token: "t1", maskedCard: "•••• 1111", at: now)
            #expect(first.isDefault)
            #expect(
                try await store.saveCard(
                    line: line.id, gateway: "sandbox", token: "t1", maskedCard: "•••• 9999", at: now) == first)
            let second = try await store.saveCard(
                line: line.id, gateway: "sandbox", token: "t2", maskedCard: "•••• 2222", at: now)
            let third = try await store.saveCard(
                line: line.id, gateway: "sandbox", token: "t3", maskedCard: "•••• 3333", at: now)
            #expect(!second.isDefault)
            #expect(
                try await store.saveCard(
                    line: stranger.id, gateway: "sandbox", token: "t1", maskedCard: "•••• 1111", at: now
                ).isDefault)
            try await store.setDefaultCard(third.id, of: line.id)
            #expect(try await store.cards(of: line.id).map(\.id) == [third.id, first.id, second.id])
            await #expect(throws: CabinetError.self, "another line's card") {
                try await store.setDefaultCard(first.id, of: stranger.id)
            }
            await #expect(throws: CabinetError.self, "another line's card") {
                try await store.deleteCard(first.id, of: stranger.id)
            }
            try await store.deleteCard(third.id, of: line.id)
            #expect(
                try await store.cards(of: line.id).map { "\($0.id) \($0.isDefault)" } == [
                    "\(first.id) true", "\(second.id) false",
                ],
                "the oldest card left becomes the default")
            try await store.deleteCard(second.id, of: line.id)
            #expect(try await store.cards(of: line.id).map(\.id) == [first.id])
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func anOccasionIsOpenOnceAndClosedOnce(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let store = bed.store
            let line = try await bed.line("+79001234567")
            let other = try await bed.line("+79001234568")
            let now = bed.clock.now
            let rule = AutopayRule(
                line: line.id, kind: .threshold, threshold: rub(10_000), dayOfMonth: nil, amount: rub(30_000),
                monthlyCap: rub(70_000), updatedAt: now)
            try await store.setAutopay(rule)
            try await store.setAutopay(
                AutopayRule(
                    line: other.id, kind: .schedule, threshold: nil, dayOfMonth: 15, amount: rub(20_000),
                    monthlyCap: rub(20_000), updatedAt: now))
            #expect(try await store.autopay(of: line.id) == rule)
            #expect(try await store.thresholdRules(of: [line.id, other.id]).map(\.line) == [line.id])
            #expect(try await store.autopayRules(kind: .schedule, after: nil, limit: 10).map(\.line) == [other.id])
            #expect(try await store.autopayRules(kind: .schedule, after: other.id, limit: 10).isEmpty)
            var changed = rule
            changed.amount = rub(40_000)
            try await store.setAutopay(changed)
            #expect(try await store.autopay(of: line.id)?.amount == rub(40_000), "replaced")

            let opened = try #require(
                try await store.openTrigger(key: "k1", line: line.id, amount: rub(30_000), at: now))
            #expect(opened.status == .open)
            #expect(opened.attempts == 0)
            #expect(opened.nextAttemptAt == now)
            #expect(
                try await store.openTrigger(key: "k1", line: line.id, amount: rub(30_000), at: now) == nil,
                "one row per key")
            #expect(
                try await store.openTrigger(key: "k2", line: line.id, amount: rub(30_000), at: now) == nil,
                "one open per line")
            #expect(try await store.dueTriggers(at: now, limit: 10).map(\.key) == ["k1"])
            try await store.closeTrigger(
                "k1", status: .open, attempts: 1, retryAt: now.addingTimeInterval(3600),
                sms: (line.msisdn, "first"), at: now)
            #expect(try await store.dueTriggers(at: now, limit: 10).isEmpty, "the retry waits")
            #expect(try await store.dueTriggers(at: now.addingTimeInterval(3600), limit: 10).map(\.attempts) == [1])
            try await store.closeTrigger(
                "k1", status: .failed, attempts: 2, retryAt: nil, sms: (line.msisdn, "second"), at: now)
            try await store.closeTrigger(
                "k1", status: .paid, attempts: 3, retryAt: nil, sms: (line.msisdn, "third"), at: now)
            let last = try #require(try await store.lastTrigger(of: line.id))
            #expect(last.status == .failed, "a trigger no longer open is left alone")
            #expect(last.attempts == 2)
            #expect(try await bed.messages(to: line.msisdn.e164).map(\.body) == ["first"], "one SMS per occasion")
            #expect(try await bed.messages(to: line.msisdn.e164).map(\.purpose) == ["payments.autopay"])

            bed.clock.advance(by: .seconds(1))
            _ = try #require(
                try await store.openTrigger(key: "k2", line: line.id, amount: rub(30_000), at: bed.clock.now))
            #expect(try await store.lastTrigger(of: line.id)?.key == "k2")
            try await store.deleteAutopay(of: line.id)
            #expect(try await store.autopay(of: line.id) == nil)
            #expect(try await store.lastTrigger(of: line.id)?.status == .skipped, "switched off at once")
            #expect(try await store.dueTriggers(at: bed.clock.now, limit: 10).isEmpty)

            _ = try await store.insert(payment("pay_a", of: line, at: now, amount: 30_000, trigger: "k1"))
            _ = try await store.insert(payment("pay_b", of: line, at: now, amount: 20_000))
            for id in ["pay_a", "pay_b"] {
                _ = try await store.apply(
                    GatewayNotification(
                        gatewayPaymentID: "g_\(id)", orderID: id, outcome: .succeeded,
                        amount: rub(10_000)), to: id, at: now)
            }
            #expect(try await store.autopaySpent(of: line.id, since: now) == 30_000, "auto-payments only")
            #expect(try await store.autopaySpent(of: line.id, since: now.addingTimeInterval(1)) == 0)
        }
    }

    /// A transaction's changes and its postings commit together, or none does: a body that throws, or a posting the
    /// ledger refuses, leaves the payment, the request record and the balance as they were.
    @Test(arguments: PaymentsTestBed.Backend.all)
    func aTransactionCommitsAllOrNothing(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let store = bed.store
            let line = try await bed.line("+79001234567")
            let now = bed.clock.now
            _ = try await store.insert(payment("pay_1", of: line, at: now))
            struct Crash: Error {}
            let credit = LedgerPosting(
                externalID: "topup:sandbox:pay_1", kind: .topUp, line: line.id, amount: rub(10_000),
                counterparty: .gateway, explanation: "billing.explain.topUp", allowsNegativeBalance: true, at: now)
            await #expect(throws: Crash.self) {
                try await store.transaction { tx in
                    _ = try await tx.apply(notice("pay_1", .succeeded, gatewayID: "g1"), to: "pay_1", at: now)
                    _ = try await tx.post(credit)
                    try await tx.markCredited("pay_1", at: now)
                    #expect(
                        try await tx.payment(id: "pay_1")?.creditedAt == now, "the transaction sees its own changes")
                    throw Crash()
                }
            }
            #expect(try await store.payment(id: "pay_1")?.status == .created)
            #expect(try await bed.requests(of: line).map(\.status) == [.pending])
            #expect(try await bed.balance(line) == "0.00")
            #expect(try await bed.movements(of: line).isEmpty)

            await #expect(throws: CabinetError.self, "a posting in another currency") {
                try await store.transaction { tx in
                    _ = try await tx.apply(notice("pay_1", .succeeded, gatewayID: "g1"), to: "pay_1", at: now)
                    _ = try await tx.post(credit)
                    var tenge = credit
                    tenge.externalID = "tenge"
                    tenge.amount = Money(minorUnits: 10_000, currency: .kzt)
                    _ = try await tx.post(tenge)
                }
            }
            #expect(try await store.payment(id: "pay_1")?.status == .created)
            #expect(try await bed.balance(line) == "0.00")

            let posted = try await store.transaction { tx -> PostingResult in
                _ = try await tx.apply(notice("pay_1", .succeeded, gatewayID: "g1"), to: "pay_1", at: now)
                let result = try await tx.post(credit)
                try await tx.markCredited("pay_1", at: now)
                return result
            }
            guard case .posted = posted else {
                Issue.record("posted expected, got \(posted)")
                return
            }
            #expect(
                try await store.transaction { tx in try await tx.post(credit) } != posted, "a repeat is a duplicate")
            #expect(try await store.payment(id: "pay_1")?.creditedAt == now)
            #expect(try await bed.requests(of: line).map(\.status) == [.done])
            #expect(try await bed.balance(line) == "100.00")
            var charge = credit
            charge.externalID = "buy"
            charge.amount = rub(-20_000)
            charge.allowsNegativeBalance = false
            let refused = try await store.transaction { [charge] tx in try await tx.post(charge) }
            #expect(refused == .insufficientFunds(balance: rub(10_000)))
            #expect(try await bed.movements(of: line).map(\.externalID) == ["topup:sandbox:pay_1"])
            #expect(try await bed.check().isClean)
        }
    }
}
