import CabinetCore
import Foundation
import Payments
import Testing

/// The sandbox gateway: test cards, signatures, scrambled deliveries.
@Suite struct SandboxGatewayTests {
    let now = Date(timeIntervalSince1970: 1_794_000_000)

    func order(_ method: PaymentMethod = .card) -> GatewayOrder {
        GatewayOrder(
            orderID: "pay_1", amount: Money(minorUnits: 50_000, currency: .rub), method: method, description: "t",
            returnURL: "/payments/pay_1")
    }

    @Test func aCreateIsIdempotentByOrderAndEachCardDecides() async throws {
        let gateway = SandboxGateway(secret: Data("s".utf8), pageBaseURL: "http://x")
        let first = try await gateway.create(order())
        #expect(try await gateway.create(order()) == first)
        #expect(first.confirmationURL == "http://x/sandbox/pay/\(first.gatewayPaymentID)")
        guard
            case .finished(_, let hooks) = try await gateway.pay(
                first.gatewayPaymentID, card: "4000 0000 0000 9995", expiry: "12/30",
                cvc: "123", now: now)
        else {
            Issue.record("finished expected")
            return
        }
        let last = try gateway.verify(webhook: try #require(hooks.last).body, signature: hooks.last?.signature)
        #expect(last.outcome == .declined)
        #expect(last.reason == "payments.declined.insufficientFunds")
        #expect(last.maskedCard == "•••• 9995")
        await #expect(throws: CabinetError.self, "a finished checkout takes no second card") {
            try await gateway.pay(
                first.gatewayPaymentID, card: "4242424242424242", expiry: "12/30", cvc: "123", now: now)
        }
    }

    /// Anyone may start payments, so the sandbox keeps a bounded number of checkouts in memory: the oldest go first,
    /// a retried create of a remembered order still finds its checkout.
    @Test func itRemembersABoundedNumberOfCheckouts() async throws {
        let memory = InMemorySandboxCheckouts(capacity: 3)
        let gateway = SandboxGateway(secret: Data("s".utf8), pageBaseURL: "http://x", checkouts: memory)
        var made: [GatewayCheckout] = []
        for index in 1...5 {
            var next = order()
            next.orderID = "pay_\(index)"
            made.append(try await gateway.create(next))
        }
        #expect(memory.count == 3)
        #expect(try await gateway.checkout(made[0].gatewayPaymentID) == nil, "the oldest is forgotten")
        #expect(try await gateway.checkout(made[4].gatewayPaymentID) != nil)
        var retried = order()
        retried.orderID = "pay_5"
        #expect(try await gateway.create(retried) == made[4])
    }

    @Test func badCardDataIsRefusedFieldByField() async throws {
        let gateway = SandboxGateway(secret: Data("s".utf8), pageBaseURL: "http://x")
        let checkout = try await gateway.create(order())
        do {
            _ = try await gateway.pay(
                checkout.gatewayPaymentID, card: "4242 4242 4242 4241", expiry: "01/20", cvc: "12", now: now)
            Issue.record("refusal expected")
        } catch let error as CabinetError {
            #expect(error.fieldErrors.map(\.field) == ["card", "expiry", "cvc"])
        }
    }

    @Test func threeDSAndScrambledWebhooks() async throws {
        let gateway = SandboxGateway(secret: Data("s".utf8), pageBaseURL: "http://x")
        let checkout = try await gateway.create(order())
        #expect(
            try await gateway.pay(
                checkout.gatewayPaymentID, card: "4000000000003220", expiry: "12/30", cvc: "123", now: now) == .needs3DS
        )
        guard case .finished(_, let hooks) = try await gateway.confirm3DS(checkout.gatewayPaymentID, code: "1234")
        else {
            Issue.record("finished expected")
            return
        }
        #expect(
            try hooks.map { try gateway.verify(webhook: $0.body, signature: $0.signature).outcome } == [
                .pending, .succeeded,
            ])

        let other = SandboxGateway(secret: Data("s".utf8), pageBaseURL: "http://x")
        var second = order()
        second.orderID = "pay_2"
        let scrambled = try await other.create(second)
        guard
            case .finished(_, let shuffled) = try await other.pay(
                scrambled.gatewayPaymentID, card: "4000 0000 0000 0077", expiry: "12/30",
                cvc: "123", now: now)
        else {
            Issue.record("finished expected")
            return
        }
        #expect(
            try shuffled.map { try other.verify(webhook: $0.body, signature: $0.signature).outcome } == [
                .succeeded, .pending, .succeeded,
            ])
    }

    @Test func aForgedOrAlteredWebhookIsRefused() throws {
        let signer = WebhookSignature(secret: Data("secret".utf8))
        let body = Data(
            #"{"amount":"500.00","currency":"RUB","orderId":"pay_1","paymentId":"sbx_1","status":"succeeded"}"#.utf8)
        let signature = signer.sign(body)
        #expect(signer.isValid(signature, for: body))
        #expect(
            !signer.isValid(
                signature,
                for: Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "500", with: "900").utf8)))
        #expect(!WebhookSignature(secret: Data("other".utf8)).isValid(signature, for: body))
        #expect(!signer.isValid(nil, for: body))
        #expect(!signer.isValid("sha256=zz", for: body))
        let gateway = SandboxGateway(secret: Data("secret".utf8), pageBaseURL: "http://x")
        #expect(throws: CabinetError.self) {
            try gateway.verify(webhook: body, signature: WebhookSignature(secret: Data("x".utf8)).sign(body))
        }
        #expect(try gateway.verify(webhook: body, signature: signature).amount.amountString == "500.00")
    }
}
