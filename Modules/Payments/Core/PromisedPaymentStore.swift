public import CabinetCore
public import Foundation

/// Promised payments: at most one active per line, each recording which of its ledger steps (the credit, then the
/// repayment or write-off) the ledger has. A promised payment is closed inside a ``PaymentsTransaction``.
public protocol PromisedPaymentStore: Sendable {
    /// Stores an active promised payment and its request record (`payments.promised`, `done`);
    /// ``PaymentsError/promisedAlreadyActive`` when the line has one (a database constraint decides, so concurrent
    /// requests grant exactly one).
    func insertPromised(line: SubscriberID, amount: Money, fee: Money, dueAt: Date, at now: Date) async throws
        -> PromisedPayment
    /// The line's active promised payment, or `nil`.
    func activePromised(of line: SubscriberID) async throws -> PromisedPayment?
    /// Active promised payments past their due time, the earliest due first.
    func duePromised(at now: Date, limit: Int) async throws -> [PromisedPayment]
    /// Promised payments whose ledger step was not recorded (no `creditedAt`, or closed without `settledAt`), by id.
    func unpostedPromised(limit: Int) async throws -> [PromisedPayment]
    /// The line's promised payments, newest first.
    func promisedHistory(of line: SubscriberID, limit: Int) async throws -> [PromisedPayment]
}
