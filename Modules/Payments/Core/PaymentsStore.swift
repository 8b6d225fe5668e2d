public import Billing
public import CabinetCore
public import Foundation

/// Payments' part of one write transaction: what a top-up changes (its payment's state, its credit on the ledger, the
/// repayment of a promised payment) commits together or not at all. The body may run more than once.
public protocol PaymentsTransaction: Sendable {
    func payment(id: String) async throws -> Payment?
    /// As ``PaymentsStore/apply(_:to:at:)``.
    func apply(_ notification: GatewayNotification, to id: String, at now: Date) async throws -> Payment?
    /// Records that the ledger has the payment's credit.
    func markCredited(_ id: String, at now: Date) async throws
    func activePromised(of line: SubscriberID) async throws -> PromisedPayment?
    /// Closes an active promised payment as repaid or written off; `nil` when it was not active any more.
    func closePromised(_ id: Int64, as status: PromisedPayment.Status, at now: Date) async throws -> PromisedPayment?
    /// Records that the ledger has the credit (`settled: false`) or the repayment/write-off (`settled: true`).
    func markPromised(_ id: Int64, settled: Bool, at now: Date) async throws
    func saveCard(line: SubscriberID, gateway: String, token: String, maskedCard: String, at now: Date) async throws -> SavedCard
    func advanceTransfer(_ id: Int64, from: Transfer.Status, to: Transfer.Status, at now: Date) async throws -> Transfer?
    /// Posts to Billing's ledger inside this transaction (once per external id, as ``BalanceLedger/post(_:)``).
    func post(_ posting: LedgerPosting) async throws -> PostingResult
}

/// Payments' own tables: payments, promised payments, and the top-up sums eligibility needs.
public protocol PaymentsStore: Sendable {
    /// Runs `body` in one write transaction shared with Billing's ledger.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any PaymentsTransaction) async throws -> T) async throws -> T
    /// Stores a new payment and its request record (kind `payments.topUp`, status `pending`) together.
    func insert(_ payment: Payment) async throws -> Payment
    func payment(id: String) async throws -> Payment?
    /// Records the gateway's payment id once the gateway accepted the order (status `pending`).
    func attach(_ id: String, gatewayPaymentID: String, at now: Date) async throws
    /// Moves a payment not yet final to the notification's outcome; `nil` when it was final already (a repeated or
    /// late webhook), so only one notification ever finalises a payment.
    func apply(_ notification: GatewayNotification, to id: String, at now: Date) async throws -> Payment?
    /// Succeeded payments whose credit was not recorded (a crash between the two steps).
    func uncredited(limit: Int) async throws -> [Payment]
    /// Newest first; `before` is the id of the last payment of the previous page.
    func payments(of line: SubscriberID, before: String?, limit: Int) async throws -> [Payment]
    /// Succeeded top-ups of the line since `since`, in minor units.
    func succeededTotal(of line: SubscriberID, since: Date) async throws -> Int64

    /// Stores an active promised payment; ``PaymentsError/promisedAlreadyActive`` when the line has one (a database
    /// constraint decides, so concurrent requests grant exactly one).
    func insertPromised(line: SubscriberID, amount: Money, fee: Money, dueAt: Date, at now: Date) async throws -> PromisedPayment
    func activePromised(of line: SubscriberID) async throws -> PromisedPayment?
    /// Active promised payments past their due time.
    func duePromised(at now: Date, limit: Int) async throws -> [PromisedPayment]
    /// Promised payments whose ledger step was not recorded (no `creditedAt`, or closed without `settledAt`).
    func unpostedPromised(limit: Int) async throws -> [PromisedPayment]
    func promisedHistory(of line: SubscriberID, limit: Int) async throws -> [PromisedPayment]

    /// Records a transfer and its request record, refusing with ``PaymentsError/transferDailyLimit`` when the sender's
    /// transfers of that day would exceed the limit (checked and inserted under the sender's lock).
    func insertTransfer(_ transfer: NewTransfer, at now: Date) async throws -> Transfer
    /// Moves a transfer on (`pending` → `sent` → `done`, or `pending` → `refused`); `nil` when it was not in `from`.
    func advanceTransfer(_ id: Int64, from: Transfer.Status, to: Transfer.Status, at now: Date) async throws -> Transfer?
    /// Transfers stuck before `done` (a crash between steps) and older than `before`.
    func unfinishedTransfers(before: Date, limit: Int) async throws -> [Transfer]
    /// Sent and received, newest first.
    func transfers(of line: SubscriberID, limit: Int) async throws -> [Transfer]

    /// Keeps a card token for the line (the first card becomes the default); the same token again returns the card.
    func saveCard(line: SubscriberID, gateway: String, token: String, maskedCard: String, at now: Date) async throws -> SavedCard
    func cards(of line: SubscriberID) async throws -> [SavedCard]
    /// ``PaymentsError/cardUnknown`` when the card is not the line's.
    func setDefaultCard(_ id: Int64, of line: SubscriberID) async throws
    /// Forgets the card; the next one becomes the default.
    func deleteCard(_ id: Int64, of line: SubscriberID) async throws

    func setAutopay(_ rule: AutopayRule) async throws
    func autopay(of line: SubscriberID) async throws -> AutopayRule?
    func deleteAutopay(of line: SubscriberID) async throws
    /// The threshold rules of these lines.
    func thresholdRules(of lines: [SubscriberID]) async throws -> [AutopayRule]
    /// Rules of `kind`, by line id after `after`.
    func autopayRules(kind: AutopayRule.Kind, after: SubscriberID?, limit: Int) async throws -> [AutopayRule]
    /// Opens a trigger unless its key exists or the line has an open one; `nil` then.
    func openTrigger(key: String, line: SubscriberID, amount: Money, at now: Date) async throws -> AutopayTrigger?
    /// The line's newest trigger.
    func lastTrigger(of line: SubscriberID) async throws -> AutopayTrigger?
    func dueTriggers(at now: Date, limit: Int) async throws -> [AutopayTrigger]
    /// Records an attempt's outcome: `paid`, another try at `retryAt`, or `failed`/`skipped` with an SMS to the line.
    func closeTrigger(_ key: String, status: AutopayTrigger.Status, attempts: Int, retryAt: Date?, sms: (to: MSISDN, text: String)?,
                      at now: Date) async throws
    /// Succeeded auto-payments of the line since `since`, in minor units.
    func autopaySpent(of line: SubscriberID, since: Date) async throws -> Int64
}
