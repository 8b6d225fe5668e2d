public import CabinetCore
public import Foundation

/// Transfers between lines: the sender's daily limit, and the status that records which ledger steps a transfer has
/// (`pending` → `sent` → `done`, or `pending` → `refused`). Each transfer has a request record (`payments.transfer`).
public protocol TransferStore: Sendable {
    /// Records a transfer (`pending`) and its request record (`processing`), refusing with
    /// ``PaymentsError/transferDailyLimit`` when the sender's transfers of that day (not refused) would exceed the
    /// limit; the sum is checked and the transfer inserted under the sender's lock.
    func insertTransfer(_ transfer: NewTransfer, at now: Date) async throws -> Transfer
    /// Moves a transfer on (`pending` → `sent` → `done`, or `pending` → `refused`); `nil` when it was not in `from`.
    /// `done` and `refused` close its request record (`done`, `rejected`).
    func advanceTransfer(_ id: Int64, from: Transfer.Status, to: Transfer.Status, at now: Date) async throws
        -> Transfer?
    /// Transfers stuck before `done` (a crash between steps) and created before `before`, oldest first.
    func unfinishedTransfers(before: Date, limit: Int) async throws -> [Transfer]
    /// Sent by the line (in any status) and received by it (`done` only), newest first.
    func transfers(of line: SubscriberID, limit: Int) async throws -> [Transfer]
}
