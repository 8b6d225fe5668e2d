import AsyncHTTPClient
import Billing
import BillingTesting
import CabinetCore
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Payments
import PaymentsAdapters
import PaymentsHTTP
import PaymentsTesting
import Subscribers
import Synchronization
import Testing

/// A small acquirer speaking the common REST shape, started by the test on 127.0.0.1: Basic auth, `Idempotence-Key`
/// deduplication, redirect confirmations, payments by saved method, capture and refunds.
final class FakeAcquirer: Sendable {
    /// Payments by id, as JSON (what the acquirer stores and answers).
    let payments = Mutex<[String: Data]>([:])
    let byKey = Mutex<[String: String]>([:])
    let requests = Mutex(0)

    var application: some ApplicationProtocol {
        let router = Router()
        router.post("/v3/payments") { request, context -> Response in
            guard request.headers[.authorization] == "Basic " + Data("shop:secret".utf8).base64EncodedString() else {
                return Response(status: .unauthorized)
            }
            guard let key = request.headers[HTTPField.Name("Idempotence-Key")!] else {
                return Response(status: .badRequest)
            }
            self.requests.withLock { $0 += 1 }
            let body = try await request.body.collect(upTo: 1 << 16)
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
            if let existing = self.byKey.withLock({ $0[key] }), let payment = self.payment(existing) {
                return try Self.json(payment)
            }
            let id = "acq-\(self.payments.withLock { $0.count + 1 })"
            var payment: [String: Any] = [
                "id": id, "amount": json["amount"] ?? [:], "metadata": json["metadata"] ?? [:],
            ]
            if let method = json["payment_method_id"] as? String {
                payment["status"] = method.hasPrefix("pm-declined") ? "canceled" : "succeeded"
                payment["cancellation_details"] = ["reason": "insufficient_funds"]
                payment["payment_method"] = ["id": method, "saved": true, "card": ["last4": "1111"]]
            } else {
                payment["status"] = "pending"
                payment["confirmation"] = [
                    "type": "redirect", "confirmation_url": "https://acquirer.test/checkout/\(id)",
                ]
                payment["payment_method"] = [
                    "id": "pm-\(id)", "saved": json["save_payment_method"] as? Bool ?? false, "card": ["last4": "4444"],
                ]
            }
            let stored = try JSONSerialization.data(withJSONObject: payment)
            self.payments.withLock { $0[id] = stored }
            self.byKey.withLock { $0[key] = id }
            return try Self.json(payment)
        }
        router.post("/v3/payments/:id/capture") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard var payment = self.payment(id) else { return Response(status: .notFound) }
            payment["status"] = "succeeded"
            let stored = try JSONSerialization.data(withJSONObject: payment)
            self.payments.withLock { $0[id] = stored }
            return try Self.json(payment)
        }
        router.post("/v3/refunds") { _, _ -> Response in try Self.json(["id": "refund-1", "status": "succeeded"]) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// The webhook the acquirer would send once the payer paid.
    func webhook(_ id: String, status: String) throws -> Data {
        var payment = self.payment(id) ?? [:]
        payment["status"] = status
        return try JSONSerialization.data(withJSONObject: [
            "type": "notification", "event": "payment.\(status)", "object": payment,
        ])
    }

    func payment(_ id: String) -> [String: Any]? {
        payments.withLock { $0[id] }.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    static func json(_ object: [String: Any]) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))))
    }
}

@Suite struct AcquirerGatewayTests {
    @Test(arguments: TestDatabase.available)
    func aTopUpThroughAnAcquirerOverHTTP(_ backend: TestDatabase) async throws {
        let fake = FakeAcquirer()
        try await fake.application.test(.live) { client in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let acquirer = AcquirerGateway(
                configuration: AcquirerConfiguration(
                    id: "acq", baseURL: "http://127.0.0.1:\(client.port ?? 0)", shopID: "shop",
                    secretKey: "secret", webhookSecret: "hook-secret", webhookAddresses: ["185.71.76.1"]),
                client: http)
            do {
                try await PaymentsTestBed.with(backend, gateway: "acq") { bed in
                    let service = DefaultPaymentsService(
                        store: bed.store, ledger: bed.billing.store, lines: bed.billing.directory,
                        regions: bed.billing.rules.regions, gateways: [bed.sandbox, acquirer],
                        defaultGateway: "sandbox", limiter: InMemoryRateLimiter(),
                        clock: bed.billing.clock, logger: .test)
                    let line = try await bed.line("+79001234567")
                    let started = try await service.startTopUp(
                        of: line.id, amount: Money(minorUnits: 70_000, currency: .rub), method: .card,
                        saveCard: true, returnURL: { "http://127.0.0.1/payments/\($0)" })
                    #expect(started.confirmationURL.hasPrefix("https://acquirer.test/checkout/acq-"))
                    #expect(started.payment.gateway == "acq")
                    let gatewayID = try #require(started.payment.gatewayPaymentID)
                    // The payer pays at the acquirer; the acquirer notifies from its published address, then again signed.
                    let hook = try fake.webhook(gatewayID, status: "succeeded")
                    await #expect(throws: CabinetError.self, "neither signed nor from a listed address") {
                        try await service.receiveWebhook(gateway: "acq", body: hook, signature: nil, from: "10.0.0.1")
                    }
                    #expect(
                        try await service.receiveWebhook(
                            gateway: "acq", body: hook, signature: nil, from: "185.71.76.1"
                        ).status == .succeeded)
                    let signed = WebhookSignature(secret: Data("hook-secret".utf8)).sign(hook)
                    try await service.receiveWebhook(gateway: "acq", body: hook, signature: signed, from: "10.0.0.1")
                    #expect(try await bed.billing.balance(line) == "700.00", "credited once")
                    let card = try #require(try await service.cards(of: line.id).first)
                    #expect(card.maskedCard == "•••• 4444")
                    #expect(card.gateway == "acq")
                    let again = try await service.payWithCard(
                        card.id, line: line.id, amount: Money(minorUnits: 10_000, currency: .rub))
                    #expect(again.status == .succeeded)
                    #expect(try await bed.billing.balance(line) == "800.00")
                    let refund = try await acquirer.refund(
                        gatewayPaymentID: gatewayID, amount: Money(minorUnits: 10_000, currency: .rub), key: "r-1")
                    #expect(refund.status == .succeeded)
                    let captured = try await acquirer.capture(
                        gatewayPaymentID: gatewayID, amount: Money(minorUnits: 70_000, currency: .rub), key: "c-1")
                    #expect(captured.outcome == .succeeded)
                    // The same order again: the acquirer's idempotence key gives the same payment.
                    let order = GatewayOrder(
                        orderID: started.payment.id, amount: started.payment.amount, method: .card, description: "x",
                        returnURL: "http://127.0.0.1/")
                    #expect(try await acquirer.create(order).gatewayPaymentID == gatewayID)
                    #expect(try await bed.billing.check().isClean)
                }
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }
}
