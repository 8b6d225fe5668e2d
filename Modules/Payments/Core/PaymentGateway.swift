public import CabinetCore
public import Foundation

/// What Cabinet asks a gateway to collect.
public struct GatewayOrder: Sendable, Hashable {
    /// Our payment id; also the idempotence key at the gateway, so a retried create never makes two payments.
    public var orderID: String
    public var amount: Money
    public var method: PaymentMethod
    public var description: String
    /// Where the gateway sends the payer back (it only shows the status; the webhook decides).
    public var returnURL: String
    /// The payer agreed to keep the card for later payments: the gateway returns a token for it.
    public var saveCard: Bool

    public init(
        orderID: String, amount: Money, method: PaymentMethod, description: String, returnURL: String,
        saveCard: Bool = false
    ) {
        self.saveCard = saveCard
        self.orderID = orderID
        self.amount = amount
        self.method = method
        self.description = description
        self.returnURL = returnURL
    }
}

/// The gateway's answer to a create: its payment id and the hosted page the payer goes to.
public struct GatewayCheckout: Sendable, Hashable {
    public var gatewayPaymentID: String
    public var confirmationURL: String

    public init(gatewayPaymentID: String, confirmationURL: String) {
        self.gatewayPaymentID = gatewayPaymentID
        self.confirmationURL = confirmationURL
    }
}

/// A verified notification from a gateway about one payment.
public struct GatewayNotification: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        case pending, succeeded, declined, failed
    }

    public var gatewayPaymentID: String
    public var orderID: String
    public var outcome: Outcome
    public var amount: Money
    public var maskedCard: String?
    /// The decline or failure reason (a message key of ours, e.g. `payments.declined.insufficientFunds`).
    public var reason: String?
    /// The gateway's token of the card, when the payer asked to save it (never the number).
    public var cardToken: String?

    public init(
        gatewayPaymentID: String, orderID: String, outcome: Outcome, amount: Money, maskedCard: String? = nil,
        reason: String? = nil, cardToken: String? = nil
    ) {
        self.cardToken = cardToken
        self.gatewayPaymentID = gatewayPaymentID
        self.orderID = orderID
        self.outcome = outcome
        self.amount = amount
        self.maskedCard = maskedCard
        self.reason = reason
    }
}

/// A payment gateway (acquirer): creates payments at its hosted page and tells the outcome by signed webhooks.
public protocol PaymentGateway: Sendable {
    /// The name in webhook paths and ledger ids (`sandbox`, `acquirer`).
    var name: String { get }
    func create(_ order: GatewayOrder) async throws -> GatewayCheckout
    /// Charges a saved card by its token, server to server, with `order.orderID` as the idempotence key (a retried
    /// charge never charges twice). Answers the outcome as known now; a webhook may follow and is applied the same way.
    func charge(token: String, order: GatewayOrder) async throws -> GatewayNotification
    /// Checks the webhook's authenticity — its signature, or the sender's address against the gateway's published
    /// list — and reads it; throws ``PaymentsError/signatureInvalid`` for a forged one.
    func verify(webhook body: Data, signature: String?, from address: String?) throws -> GatewayNotification
    /// Returns money of a succeeded payment to the payer's card (`key`: the refund's idempotence key).
    func refund(gatewayPaymentID: String, amount: Money, key: String) async throws -> GatewayRefund
}

extension PaymentGateway {
    public func verify(webhook body: Data, signature: String?) throws -> GatewayNotification {
        try verify(webhook: body, signature: signature, from: nil)
    }
}

/// A gateway's answer to a refund.
public struct GatewayRefund: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable { case pending, succeeded, canceled }
    public var refundID: String
    public var status: Status

    public init(refundID: String, status: Status) {
        self.refundID = refundID
        self.status = status
    }
}
