public import CabinetCore
public import Foundation

/// Top-ups as Payments keeps them: the payments, the gateways' notifications applied to them, and the history and
/// sums read from them. Each payment has a request record (`payments.topUp`) that follows its status.
public protocol PaymentStore: Sendable {
    /// Stores a new payment and its request record (kind `payments.topUp`, status `pending`) together, and returns the
    /// payment with its ``Payment/requestID``; ``PaymentsError/duplicatePayment`` when a payment with its id exists.
    func insert(_ payment: Payment) async throws -> Payment
    /// The payment with this id, or `nil`.
    func payment(id: String) async throws -> Payment?
    /// Records the gateway's payment id once the gateway accepted the order (a `created` payment becomes `pending`);
    /// nothing changes when the payment has a gateway payment id already.
    func attach(_ id: String, gatewayPaymentID: String, at now: Date) async throws
    /// Moves a payment not yet final to the notification's outcome; `nil` when it was final already (a repeated or
    /// late webhook), so only one notification ever finalises a payment. A `pending` notice only moves a `created`
    /// payment. A final outcome also closes the payment's request record (`done`, `rejected` or `failed`).
    func apply(_ notification: GatewayNotification, to id: String, at now: Date) async throws -> Payment?
    /// Succeeded payments whose credit was not recorded (a crash between the two steps), oldest first.
    func uncredited(limit: Int) async throws -> [Payment]
    /// The line's payments, newest first; `before` is the id of the last payment of the previous page.
    func payments(of line: SubscriberID, before: String?, limit: Int) async throws -> [Payment]
    /// Succeeded top-ups of the line created since `since`, in minor units.
    func succeededTotal(of line: SubscriberID, since: Date) async throws -> Int64
}
