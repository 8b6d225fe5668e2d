import Billing
import CabinetCore
import CabinetStorage
import Foundation
import Payments
import SQLKit

/// Payments' statements inside one write transaction: the store's own writes run here alone, and
/// ``SQLPaymentsStore/transaction(_:)`` runs them beside Billing's ledger (a ``LedgerWriter``) so that a top-up's
/// state, its credit and a promised payment's repayment commit together.
struct SQLPaymentsTransaction: PaymentsTransaction {
    let db: any SQLDatabase
    /// `nil` for the store's own writes, which post nothing.
    let ledger: (any LedgerWriter)?
    let backend: CabinetDatabase.Backend

    var writeTransaction: any WriteTransaction { SQLWriteTransaction(db) }

    func post(_ posting: LedgerPosting) async throws -> PostingResult {
        guard let ledger else { throw CabinetError.internal("a Payments write without the ledger cannot post") }
        return try await ledger.post(posting)
    }

    func payment(id: String) async throws -> Payment? {
        try await Self.payment(id: id, on: db)
    }

    static func payment(id: String, on db: any SQLDatabase) async throws -> Payment? {
        try await db.raw("SELECT \(SQLPaymentsStore.paymentColumns) FROM payments_payment WHERE id = \(bind: id)")
            .first()
            .map(SQLPaymentsStore.payment)
    }

    /// Moves the payment as the notification says: a pending notice only moves a created payment; a final one moves
    /// anything not yet final. `nil` when it moved nothing (a repeat, or a late notice about a final payment).
    func apply(_ notification: GatewayNotification, to id: String, at now: Date) async throws -> Payment? {
        let status: PaymentStatus =
            switch notification.outcome {
            case .pending: .pending
            case .succeeded: .succeeded
            case .declined: .declined
            case .failed: .failed
            }
        let at = now.storageMilliseconds
        let from: SQLQueryString = status == .pending ? "('created')" : "('created', 'pending')"
        let gatewayID = notification.gatewayPaymentID.isEmpty ? nil : notification.gatewayPaymentID
        guard
            let row = try await db.raw(
                """
                UPDATE payments_payment SET status = \(bind: status.rawValue), updated_at = \(bind: at),
                    masked_card = COALESCE(\(bind: notification.maskedCard), masked_card), failure = \(bind: notification.reason),
                    gateway_payment_id = COALESCE(gateway_payment_id, \(bind: gatewayID))
                WHERE id = \(bind: id) AND status IN \(from)
                RETURNING \(SQLPaymentsStore.paymentColumns)
                """
            ).first()
        else { return nil }
        let payment = try SQLPaymentsStore.payment(row)
        if let request = payment.requestID, status.isFinal {
            let requestStatus: ServiceRequest.Status =
                switch status {
                case .succeeded: .done
                case .declined: .rejected
                default: .failed
                }
            try await SQLRequestRegistry.update(
                request, status: requestStatus, detail: notification.reason ?? payment.maskedCard,
                at: now, on: db)
        }
        return payment
    }

    func markCredited(_ id: String, at now: Date) async throws {
        try await db.raw(
            """
            UPDATE payments_payment SET credited_at = \(bind: now.storageMilliseconds)
            WHERE id = \(bind: id) AND credited_at IS NULL AND status = 'succeeded'
            """
        ).run()
    }

    func activePromised(of line: SubscriberID) async throws -> PromisedPayment? {
        try await Self.activePromised(of: line, on: db)
    }

    static func activePromised(of line: SubscriberID, on db: any SQLDatabase) async throws -> PromisedPayment? {
        try await db.raw(
            """
            SELECT \(SQLPaymentsStore.promisedColumns) FROM payments_promised
            WHERE subscriber_id = \(bind: line.rawValue) AND status = 'active'
            """
        ).first().map(SQLPaymentsStore.promised)
    }

    func closePromised(_ id: Int64, as status: PromisedPayment.Status, at now: Date) async throws -> PromisedPayment? {
        guard status != .active else { return nil }
        return try await db.raw(
            """
            UPDATE payments_promised SET status = \(bind: status.rawValue), closed_at = \(bind: now.storageMilliseconds)
            WHERE id = \(bind: id) AND status = 'active'
            RETURNING \(SQLPaymentsStore.promisedColumns)
            """
        ).first().map(SQLPaymentsStore.promised)
    }

    func markPromised(_ id: Int64, settled: Bool, at now: Date) async throws {
        if settled {
            try await db.raw(
                """
                UPDATE payments_promised SET settled_at = \(bind: now.storageMilliseconds)
                WHERE id = \(bind: id) AND settled_at IS NULL AND status <> 'active'
                """
            ).run()
        } else {
            try await db.raw(
                """
                UPDATE payments_promised SET credited_at = \(bind: now.storageMilliseconds) WHERE id = \(bind: id) AND credited_at IS NULL
                """
            ).run()
        }
    }

    func saveCard(line: SubscriberID, gateway: String, token: String, maskedCard: String, at now: Date) async throws
        -> SavedCard
    {
        let hasCards =
            try await db.raw("SELECT 1 AS one FROM payments_card WHERE subscriber_id = \(bind: line.rawValue) LIMIT 1")
            .first() != nil
        try await db.raw(
            """
            INSERT INTO payments_card (subscriber_id, gateway, token, masked_card, is_default, created_at)
            VALUES (\(bind: line.rawValue), \(bind: gateway), \(bind: token), \(bind: maskedCard), \(bind: hasCards ? 0 : 1),
                \(bind: now.storageMilliseconds))
            ON CONFLICT (subscriber_id, gateway, token) DO NOTHING
            """
        ).run()
        guard
            let row = try await db.raw(
                """
                SELECT \(SQLPaymentsStore.cardColumns) FROM payments_card
                WHERE subscriber_id = \(bind: line.rawValue) AND gateway = \(bind: gateway) AND token = \(bind: token)
                """
            ).first()
        else { throw CabinetError.internal("card not stored") }
        return try SQLPaymentsStore.card(row)
    }

    func advanceTransfer(_ id: Int64, from: Transfer.Status, to: Transfer.Status, at now: Date) async throws
        -> Transfer?
    {
        guard
            let row = try await db.raw(
                """
                UPDATE payments_transfer SET status = \(bind: to.rawValue), updated_at = \(bind: now.storageMilliseconds)
                WHERE id = \(bind: id) AND status = \(bind: from.rawValue)
                RETURNING \(SQLPaymentsStore.transferColumns)
                """
            ).first()
        else { return nil }
        let transfer = try SQLPaymentsStore.transfer(row)
        if let request = transfer.requestID, to == .done || to == .refused {
            try await SQLRequestRegistry.update(
                request, status: to == .done ? .done : .rejected,
                detail: to == .refused ? "payments.transfer.insufficientFunds" : nil, at: now, on: db)
        }
        return transfer
    }
}
