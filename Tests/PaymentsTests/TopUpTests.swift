import Billing
import CabinetCore
import CabinetTesting
import Foundation
import Payments
import PaymentsTesting
import Subscribers
import Testing

/// Card top-ups through the sandbox gateway on every backend (SQL and memory): every outcome, and webhooks that come
/// twice, out of order, forged or after a crash — the ledger is credited exactly once.
@Suite struct TopUpTests {
    @Test(arguments: PaymentsTestBed.Backend.all)
    func aPaidTopUpIsCreditedOnceAndEachFailureCreditsNothing(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            let paid = try await bed.topUp(line, "500.00")
            #expect(paid.status == .succeeded)
            #expect(paid.maskedCard == "•••• 4242")
            #expect(paid.creditedAt != nil)
            #expect(try await bed.balance(line) == "500.00")
            for (card, status, reason) in [
                ("4000 0000 0000 0002", PaymentStatus.declined, "payments.declined.generic"),
                ("4000 0000 0000 9995", .declined, "payments.declined.insufficientFunds"),
                ("4000 0000 0000 0119", .failed, "payments.failed.timeout"),
            ] {
                let payment = try await bed.topUp(line, "100.00", card: card)
                #expect(payment.status == status)
                #expect(payment.failure == reason)
            }
            #expect(try await bed.balance(line) == "500.00")
            let requests = try await bed.requests(of: line, limit: 10)
            #expect(requests.map(\.status) == [.failed, .rejected, .rejected, .done])
            #expect(try await bed.store.succeededTotal(of: line.id, since: .distantPast) == 50_000)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func repeatedReorderedAndConcurrentWebhooksCreditOnce(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            // 0077: the sandbox sends succeeded, pending, succeeded.
            let scrambled = try await bed.topUp(line, "300.00", card: "4000 0000 0000 0077")
            #expect(scrambled.status == .succeeded)
            #expect(try await bed.balance(line) == "300.00")

            let started = try await bed.service.startTopUp(
                of: line.id, amount: Money(minorUnits: 20_000, currency: .rub), method: .card,
                returnURL: { $0 })
            guard
                case .finished(_, let hooks) = try await bed.sandbox.pay(
                    try #require(started.payment.gatewayPaymentID), card: "4242424242424242",
                    expiry: "12/30", cvc: "123", now: bed.clock.now)
            else {
                Issue.record("finished expected")
                return
            }
            let final = try #require(hooks.last)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await bed.service.receiveWebhook(
                            gateway: "sandbox", body: final.body, signature: final.signature)
                    }
                }
                try await group.waitForAll()
            }
            // The pending notice arriving last changes nothing.
            try await bed.service.receiveWebhook(gateway: "sandbox", body: hooks[0].body, signature: hooks[0].signature)
            #expect(try await bed.service.payment(started.payment.id, of: nil).status == .succeeded)
            #expect(try await bed.balance(line) == "500.00")
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func forgedOrMismatchedWebhooksAreRefused(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            let started = try await bed.service.startTopUp(
                of: line.id, amount: Money(minorUnits: 10_000, currency: .rub), method: .card,
                returnURL: { $0 })
            let gatewayID = try #require(started.payment.gatewayPaymentID)
            func body(_ amount: String, order: String = started.payment.id) -> Data {
                Data(
                    #"{"amount":"\#(amount)","currency":"RUB","orderId":"\#(order)","paymentId":"\#(gatewayID)","status":"succeeded"}"#
                        .utf8)
            }
            let forger = WebhookSignature(secret: Data("guessed".utf8))
            await #expect(throws: CabinetError.self) {
                try await bed.service.receiveWebhook(
                    gateway: "sandbox", body: body("100.00"), signature: forger.sign(body("100.00")))
            }
            let signer = WebhookSignature(secret: PaymentsTestBed.secret)
            do {
                try await bed.service.receiveWebhook(
                    gateway: "sandbox", body: body("9000.00"), signature: signer.sign(body("9000.00")))
                Issue.record("a changed amount must be refused")
            } catch let error as CabinetError {
                #expect(error.code == PaymentsError.webhookMismatch)
            }
            await #expect(throws: CabinetError.self, "an unknown order") {
                try await bed.service.receiveWebhook(
                    gateway: "sandbox", body: body("100.00", order: "pay_x"),
                    signature: signer.sign(body("100.00", order: "pay_x")))
            }
            #expect(try await bed.balance(line) == "0.00")
            #expect(try await bed.service.payment(started.payment.id, of: nil).status == .pending)
        }
    }

    /// The payment's new state and its credit are one transaction: when the ledger refuses the credit, the payment
    /// stays as it was (the gateway sends the webhook again), instead of succeeding without money.
    @Test(arguments: PaymentsTestBed.Backend.all)
    func aCreditTheLedgerRefusesLeavesThePaymentAsItWas(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            let now = bed.clock.now
            // Tenge on a rouble line: the limits refuse it at the start; stored here directly, the ledger refuses it.
            let tenge = Money(minorUnits: 10_000, currency: .kzt)
            _ = try await bed.store.insert(
                Payment(
                    id: "pay_tenge", line: line.id, msisdn: line.msisdn, amount: tenge, method: .card,
                    status: .created, gateway: "sandbox", createdAt: now, updatedAt: now))
            try await bed.store.attach("pay_tenge", gatewayPaymentID: "sbx_tenge", at: now)
            let body = Data(
                #"{"amount":"100.00","currency":"KZT","orderId":"pay_tenge","paymentId":"sbx_tenge","status":"succeeded"}"#
                    .utf8)
            let signer = WebhookSignature(secret: PaymentsTestBed.secret)
            await #expect(throws: CabinetError.self) {
                try await bed.service.receiveWebhook(gateway: "sandbox", body: body, signature: signer.sign(body))
            }
            let payment = try await bed.service.payment("pay_tenge", of: nil)
            #expect(payment.status == .pending)
            #expect(payment.creditedAt == nil)
            let requests = try await bed.requests(of: line, limit: 10)
            #expect(requests.map(\.status) == [.pending])
            #expect(try await bed.balance(line) == "0.00")
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func amountsOutsideTheRegionsLimitsAreRefused(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            for minor in [4_999, 1_500_001] as [Int64] {
                do {
                    _ = try await bed.service.startTopUp(
                        of: line.id, amount: Money(minorUnits: minor, currency: .rub), method: .card,
                        returnURL: { $0 })
                    Issue.record("\(minor) must be refused")
                } catch let error as CabinetError {
                    #expect(error.fieldErrors.first?.code == PaymentsError.amountOutOfRange)
                    #expect(error.fieldErrors.first?.arguments["minimum"] == "50.00")
                }
            }
            await #expect(throws: CabinetError.self, "tenge on a rouble line") {
                try await bed.service.startTopUp(
                    of: line.id, amount: Money(minorUnits: 10_000, currency: .kzt), method: .card, returnURL: { $0 })
            }
            #expect(try await bed.service.history(of: line.id, before: nil, limit: 10).isEmpty)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func aCreditLostInACrashIsPostedByReconciliation(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            let started = try await bed.service.startTopUp(
                of: line.id, amount: Money(minorUnits: 25_000, currency: .rub), method: .wallet,
                returnURL: { $0 })
            // The payment is marked succeeded, then the process dies before the ledger heard of it.
            let notification = GatewayNotification(
                gatewayPaymentID: try #require(started.payment.gatewayPaymentID), orderID: started.payment.id,
                outcome: .succeeded, amount: started.payment.amount)
            #expect(
                try await bed.store.apply(notification, to: started.payment.id, at: bed.clock.now)?.status == .succeeded
            )
            #expect(try await bed.balance(line) == "0.00")
            #expect(try await bed.service.reconcile() == 1)
            #expect(try await bed.service.reconcile() == 0)
            #expect(try await bed.balance(line) == "250.00")
            #expect(try await bed.check().isClean)
        }
    }
}
