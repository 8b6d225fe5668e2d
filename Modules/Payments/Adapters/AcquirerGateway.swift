public import AsyncHTTPClient
public import CabinetCore
public import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
public import Payments

/// How to reach an acquirer that speaks the common REST shape (YooKassa's API v3 and its many look-alikes).
public struct AcquirerConfiguration: Sendable, Hashable {
    /// The name regions refer to (`payments.gateway`) and webhooks arrive under (`/api/v1/payments/webhook/{id}`).
    public var id: String
    /// e.g. `https://api.yookassa.ru` — requests go to `{baseURL}/v3/…`.
    public var baseURL: String
    public var shopID: String
    public var secretKey: String
    /// Webhooks signed with HMAC-SHA256 (`X-Signature: sha256=…`) are accepted with this secret.
    public var webhookSecret: String?
    /// Webhooks from these addresses are accepted without a signature (the acquirer's published list).
    public var webhookAddresses: Set<String>
    public var timeout: Duration

    public init(
        id: String, baseURL: String, shopID: String, secretKey: String, webhookSecret: String? = nil,
        webhookAddresses: Set<String> = [], timeout: Duration = .seconds(15)
    ) {
        self.id = id
        self.baseURL = baseURL
        self.shopID = shopID
        self.secretKey = secretKey
        self.webhookSecret = webhookSecret
        self.webhookAddresses = webhookAddresses
        self.timeout = timeout
    }
}

/// ``PaymentGateway`` over an acquirer's HTTP API: `POST /v3/payments` with an `Idempotence-Key` (our payment id)
/// and a redirect confirmation, `POST /v3/payments/{id}/capture`, `POST /v3/refunds`, and `notification` webhooks
/// (`payment.succeeded`, `payment.canceled`, `payment.waiting_for_capture`) authenticated by signature or sender address.
public struct AcquirerGateway: PaymentGateway {
    public let name: String
    let configuration: AcquirerConfiguration
    let client: HTTPClient

    public init(configuration: AcquirerConfiguration, client: HTTPClient) {
        name = configuration.id
        self.configuration = configuration
        self.client = client
    }

    public func create(_ order: GatewayOrder) async throws -> GatewayCheckout {
        var body = AcquirerPaymentRequest(order: order, capture: true)
        body.confirmation = .init(type: "redirect", returnURL: order.returnURL)
        body.savePaymentMethod = order.saveCard ? true : nil
        // A wallet payment goes straight to the acquirer's wallet page; a card payment lets the payer choose there.
        if order.method == .wallet { body.paymentMethodData = ["type": "yoo_money"] }
        let payment: AcquirerPayment = try await send("POST", "/v3/payments", body: body, key: order.orderID)
        guard let url = payment.confirmation?.confirmationURL else {
            throw CabinetError(PaymentsError.gatewayUnavailable)
        }
        return GatewayCheckout(gatewayPaymentID: payment.id, confirmationURL: url)
    }

    public func charge(token: String, order: GatewayOrder) async throws -> GatewayNotification {
        var body = AcquirerPaymentRequest(order: order, capture: true)
        body.paymentMethodID = token
        let payment: AcquirerPayment = try await send("POST", "/v3/payments", body: body, key: order.orderID)
        return try payment.notification(orderID: order.orderID)
    }

    /// Captures a payment created with `capture: false` (two-stage payments).
    public func capture(gatewayPaymentID: String, amount: Money, key: String) async throws -> GatewayNotification {
        struct Body: Encodable { var amount: AcquirerAmount }
        let payment: AcquirerPayment = try await send(
            "POST", "/v3/payments/\(gatewayPaymentID)/capture",
            body: Body(amount: AcquirerAmount(amount)), key: key)
        return try payment.notification(orderID: payment.metadata?["orderId"] ?? "")
    }

    public func refund(gatewayPaymentID: String, amount: Money, key: String) async throws -> GatewayRefund {
        struct Body: Encodable {
            var paymentID: String
            var amount: AcquirerAmount
            enum CodingKeys: String, CodingKey { case paymentID = "payment_id", amount }
        }
        struct Answer: Decodable { var id: String; var status: String }
        let answer: Answer = try await send(
            "POST", "/v3/refunds", body: Body(paymentID: gatewayPaymentID, amount: AcquirerAmount(amount)),
            key: key)
        return GatewayRefund(refundID: answer.id, status: GatewayRefund.Status(rawValue: answer.status) ?? .pending)
    }

    public func verify(webhook body: Data, signature: String?, from address: String?) throws -> GatewayNotification {
        let signed =
            configuration.webhookSecret.map { WebhookSignature(secret: Data($0.utf8)).isValid(signature, for: body) }
            ?? false
        let listed = address.map { configuration.webhookAddresses.contains($0) } ?? false
        guard signed || listed else { throw CabinetError(PaymentsError.signatureInvalid) }
        struct Envelope: Decodable { var type: String; var event: String; var object: AcquirerPayment }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: body), envelope.type == "notification",
            let order = envelope.object.metadata?["orderId"]
        else { throw CabinetError(PaymentsError.webhookInvalid) }
        return try envelope.object.notification(orderID: order)
    }

    func send<Body: Encodable, Answer: Decodable>(_ method: String, _ path: String, body: Body, key: String)
        async throws -> Answer
    {
        var request = HTTPClientRequest(url: configuration.baseURL + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotence-Key", value: key)
        let credentials = Data("\(configuration.shopID):\(configuration.secretKey)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(
                request, timeout: .seconds(Int64(configuration.timeout.components.seconds)))
        } catch {
            throw CabinetError(PaymentsError.gatewayUnavailable)
        }
        let data = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw CabinetError(PaymentsError.gatewayUnavailable)
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(data.readableBytesView)) else {
            throw CabinetError(PaymentsError.gatewayUnavailable)
        }
        return answer
    }
}

struct AcquirerAmount: Codable {
    var value: String
    var currency: String

    init(_ money: Money) {
        value = money.amountString
        currency = money.currency.code
    }

    func money() throws -> Money {
        guard let currency = Currency(code: currency), let money = try? Money(parsing: value, currency: currency) else {
            throw CabinetError(PaymentsError.webhookInvalid)
        }
        return money
    }
}

struct AcquirerPaymentRequest: Encodable {
    struct Confirmation: Encodable {
        var type: String
        var returnURL: String
        enum CodingKeys: String, CodingKey { case type, returnURL = "return_url" }
    }

    var amount: AcquirerAmount
    var capture: Bool
    var description: String
    var metadata: [String: String]
    var confirmation: Confirmation?
    var savePaymentMethod: Bool?
    var paymentMethodID: String?
    var paymentMethodData: [String: String]?

    init(order: GatewayOrder, capture: Bool) {
        amount = AcquirerAmount(order.amount)
        self.capture = capture
        description = String(order.description.prefix(128))
        metadata = ["orderId": order.orderID]
    }

    enum CodingKeys: String, CodingKey {
        case amount, capture, description, metadata, confirmation
        case savePaymentMethod = "save_payment_method"
        case paymentMethodID = "payment_method_id"
        case paymentMethodData = "payment_method_data"
    }
}

/// A payment object as the acquirer returns it and sends it in webhooks.
struct AcquirerPayment: Decodable {
    struct Confirmation: Decodable {
        var confirmationURL: String?
        enum CodingKeys: String, CodingKey { case confirmationURL = "confirmation_url" }
    }

    struct Method: Decodable {
        struct Card: Decodable { var last4: String }
        var id: String
        var saved: Bool?
        var card: Card?
    }

    struct Cancellation: Decodable { var reason: String }

    var id: String
    var status: String
    var amount: AcquirerAmount
    var confirmation: Confirmation?
    var paymentMethod: Method?
    var cancellationDetails: Cancellation?
    var metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, status, amount, confirmation, metadata
        case paymentMethod = "payment_method"
        case cancellationDetails = "cancellation_details"
    }

    func notification(orderID: String) throws -> GatewayNotification {
        let outcome: GatewayNotification.Outcome
        var reason: String?
        switch status {
        case "succeeded": outcome = .succeeded
        case "canceled":
            outcome = .declined
            reason =
                switch cancellationDetails?.reason {
                case "insufficient_funds": "payments.declined.insufficientFunds"
                case "3d_secure_failed": "payments.declined.threeDS"
                case "expired_on_confirmation", "expired_on_capture": "payments.failed.timeout"
                default: "payments.declined.generic"
                }
        default: outcome = .pending
        }
        let saved = paymentMethod?.saved == true ? paymentMethod?.id : nil
        return GatewayNotification(
            gatewayPaymentID: id, orderID: orderID, outcome: outcome, amount: try amount.money(),
            maskedCard: paymentMethod?.card.map { "•••• \($0.last4)" }, reason: reason, cardToken: saved)
    }
}
