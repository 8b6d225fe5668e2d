public import Billing
public import CabinetCore
public import Foundation

/// Payments' part of one write transaction: what a top-up changes (its payment's state, its credit on the ledger, the
/// repayment of a promised payment) commits together or not at all. The body may run more than once.
public protocol PaymentsTransaction: Sendable {
    /// As ``PaymentStore/payment(id:)``, inside the transaction.
    func payment(id: String) async throws -> Payment?
    /// As ``PaymentStore/apply(_:to:at:)``, inside the transaction.
    func apply(_ notification: GatewayNotification, to id: String, at now: Date) async throws -> Payment?
    /// Records that the ledger has the payment's credit (a succeeded payment not yet marked; otherwise nothing).
    func markCredited(_ id: String, at now: Date) async throws
    /// As ``PromisedPaymentStore/activePromised(of:)``, inside the transaction.
    func activePromised(of line: SubscriberID) async throws -> PromisedPayment?
    /// Closes an active promised payment as repaid or written off; `nil` when it was not active any more.
    func closePromised(_ id: Int64, as status: PromisedPayment.Status, at now: Date) async throws -> PromisedPayment?
    /// Records that the ledger has the credit (`settled: false`) or the repayment/write-off (`settled: true`).
    func markPromised(_ id: Int64, settled: Bool, at now: Date) async throws
    /// As ``AutopayStore/saveCard(line:gateway:token:maskedCard:at:)``, inside the transaction.
    func saveCard(line: SubscriberID, gateway: String, token: String, maskedCard: String, at now: Date) async throws
        -> SavedCard
    /// As ``TransferStore/advanceTransfer(_:from:to:at:)``, inside the transaction.
    func advanceTransfer(_ id: Int64, from: Transfer.Status, to: Transfer.Status, at now: Date) async throws
        -> Transfer?
    /// Posts to Billing's ledger inside this transaction (once per external id, as ``BalanceLedger/post(_:)``).
    func post(_ posting: LedgerPosting) async throws -> PostingResult
    /// The transaction itself, for another module's reads inside it (a line's status, from Subscribers).
    var writeTransaction: any WriteTransaction { get }
}

/// Payments' storage: one store of every aggregate — payments (``PaymentStore``), promised payments
/// (``PromisedPaymentStore``), transfers (``TransferStore``), saved cards and auto-payment (``AutopayStore``) — and
/// the write transaction they share with Billing's ledger.
public protocol PaymentsStore: PaymentStore, PromisedPaymentStore, TransferStore, AutopayStore {
    /// Runs `body` in one write transaction shared with Billing's ledger: every change it makes and every posting it
    /// posts commit together, or none does when it throws.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any PaymentsTransaction) async throws -> T) async throws
        -> T
}
