public import Billing
public import CabinetCore
public import CabinetStorage
public import Foundation
public import Payments
import SQLKit

/// ``PaymentsStore`` on SQLite and PostgreSQL. Status changes are conditional updates (`WHERE status IN …`), so of
/// several concurrent webhooks about one payment exactly one finalises it; request records change in the same
/// transaction as the payment they describe.
public struct SQLPaymentsStore: PaymentsStore {
    let database: CabinetDatabase
    /// Billing's ledger, whose transactions Payments' writes join (on the same database).
    let ledger: any LedgerTransactions
    /// Called after a transaction queued an SMS (the outbox worker is nudged).
    let messagesQueued: @Sendable () -> Void

    public init(
        database: CabinetDatabase, ledger: any LedgerTransactions, messagesQueued: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.ledger = ledger
        self.messagesQueued = messagesQueued
    }

    static let paymentColumns: SQLQueryString = """
        id, subscriber_id, msisdn, amount, currency, method, status, gateway, gateway_payment_id, masked_card, failure, request_id,
        anonymous, save_card, card_id, autopay_trigger, credited_at, created_at, updated_at, company_id
        """

    public func insert(_ payment: Payment) async throws -> Payment {
        do {
            return try await insertRow(payment)
        } catch  where StorageErrors.isUniqueViolation(error) {
            throw CabinetError(PaymentsError.duplicatePayment)
        }
    }

    func insertRow(_ payment: Payment) async throws -> Payment {
        try await database.write { db in
            let request = try await SQLRequestRegistry.open(
                kind: "payments.topUp", subscriber: payment.line, status: .pending,
                detail: payment.amount.amountString + " "
                    + payment.amount.currency.code, at: payment.createdAt, on: db)
            let at = payment.createdAt.storageMilliseconds
            try await db.raw(
                """
                INSERT INTO payments_payment (id, subscriber_id, msisdn, amount, currency, method, status, gateway, request_id,
                    anonymous, save_card, card_id, autopay_trigger, masked_card, created_at, updated_at, company_id)
                VALUES (\(bind: payment.id), \(bind: payment.line.rawValue), \(bind: payment.msisdn.e164), \(bind: payment.amount.minorUnits),
                    \(bind: payment.amount.currency.code), \(bind: payment.method.rawValue), \(bind: payment.status.rawValue),
                    \(bind: payment.gateway), \(bind: request.id), \(bind: payment.anonymous ? 1 : 0), \(bind: payment.saveCard ? 1 : 0),
                    \(bind: payment.cardID), \(bind: payment.autopayTrigger), \(bind: payment.maskedCard), \(bind: at), \(bind: at),
                    \(bind: payment.company?.rawValue))
                """
            ).run()
            var stored = payment
            stored.requestID = request.id
            return stored
        }
    }

    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any PaymentsTransaction) async throws -> T)
        async throws -> T
    {
        let backend = database.backend
        return try await ledger.transaction(lines: []) { transaction, ledger in
            try await body(SQLPaymentsTransaction(db: try transaction.sql(), ledger: ledger, backend: backend))
        }
    }

    /// One write of Payments' own rows (no ledger posting).
    func writing<T: Sendable>(_ body: @escaping @Sendable (SQLPaymentsTransaction) async throws -> T) async throws -> T
    {
        let backend = database.backend
        return try await database.write { db in
            try await body(SQLPaymentsTransaction(db: db, ledger: nil, backend: backend))
        }
    }

    public func payment(id: String) async throws -> Payment? {
        try await database.read { db in try await SQLPaymentsTransaction.payment(id: id, on: db) }
    }

    public func apply(_ notification: GatewayNotification, to id: String, at now: Date) async throws -> Payment? {
        try await writing { tx in try await tx.apply(notification, to: id, at: now) }
    }

    public func attach(_ id: String, gatewayPaymentID: String, at now: Date) async throws {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE payments_payment SET gateway_payment_id = \(bind: gatewayPaymentID), updated_at = \(bind: now.storageMilliseconds),
                    status = CASE WHEN status = 'created' THEN 'pending' ELSE status END
                WHERE id = \(bind: id) AND gateway_payment_id IS NULL
                """
            ).run()
        }
    }

    public func uncredited(limit: Int) async throws -> [Payment] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.paymentColumns) FROM payments_payment
                WHERE status = 'succeeded' AND credited_at IS NULL ORDER BY created_at LIMIT \(literal: limit)
                """
            ).all().map(Self.payment)
        }
    }

    public func payments(of line: SubscriberID, before: String?, limit: Int) async throws -> [Payment] {
        try await database.read { db in
            if let before {
                return try await db.raw(
                    """
                    SELECT \(Self.paymentColumns) FROM payments_payment
                    WHERE subscriber_id = \(bind: line.rawValue) AND company_id IS NULL AND (created_at, id) < (
                        SELECT created_at, id FROM payments_payment WHERE id = \(bind: before))
                    ORDER BY created_at DESC, id DESC LIMIT \(literal: limit)
                    """
                ).all().map(Self.payment)
            }
            return try await db.raw(
                """
                SELECT \(Self.paymentColumns) FROM payments_payment
                WHERE subscriber_id = \(bind: line.rawValue) AND company_id IS NULL
                ORDER BY created_at DESC, id DESC LIMIT \(literal: limit)
                """
            ).all().map(Self.payment)
        }
    }

    public func succeededTotal(of line: SubscriberID, since: Date) async throws -> Int64 {
        try await database.read { db in
            try await db.raw(
                """
                SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM payments_payment
                WHERE subscriber_id = \(bind: line.rawValue) AND company_id IS NULL AND status = 'succeeded'
                  AND created_at >= \(bind: since.storageMilliseconds)
                """
            ).first()?.decode(column: "total", as: Int64.self) ?? 0
        }
    }

    // MARK: - Promised payments

    static let promisedColumns: SQLQueryString = """
        id, subscriber_id, amount, fee, currency, status, taken_at, due_at, closed_at, credited_at, settled_at, request_id
        """

    public func insertPromised(line: SubscriberID, amount: Money, fee: Money, dueAt: Date, at now: Date) async throws
        -> PromisedPayment
    {
        do {
            return try await database.write { db in
                let request = try await SQLRequestRegistry.open(
                    kind: "payments.promised", subscriber: line, status: .done,
                    detail: amount.amountString + " " + amount.currency.code, at: now, on: db)
                guard
                    let row = try await db.raw(
                        """
                        INSERT INTO payments_promised (subscriber_id, amount, fee, currency, status, taken_at, due_at, request_id)
                        VALUES (\(bind: line.rawValue), \(bind: amount.minorUnits), \(bind: fee.minorUnits), \(bind: amount.currency.code),
                            'active', \(bind: now.storageMilliseconds), \(bind: dueAt.storageMilliseconds), \(bind: request.id))
                        RETURNING \(Self.promisedColumns)
                        """
                    ).first()
                else { throw CabinetError.internal("promised payment not stored") }
                return try Self.promised(row)
            }
        } catch  where StorageErrors.isUniqueViolation(error) {
            throw CabinetError(PaymentsError.promisedAlreadyActive)
        }
    }

    public func activePromised(of line: SubscriberID) async throws -> PromisedPayment? {
        try await database.read { db in try await SQLPaymentsTransaction.activePromised(of: line, on: db) }
    }

    public func duePromised(at now: Date, limit: Int) async throws -> [PromisedPayment] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.promisedColumns) FROM payments_promised
                WHERE status = 'active' AND due_at <= \(bind: now.storageMilliseconds) ORDER BY due_at LIMIT \(literal: limit)
                """
            ).all().map(Self.promised)
        }
    }

    public func unpostedPromised(limit: Int) async throws -> [PromisedPayment] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.promisedColumns) FROM payments_promised
                WHERE credited_at IS NULL OR (status <> 'active' AND settled_at IS NULL) ORDER BY id LIMIT \(literal: limit)
                """
            ).all().map(Self.promised)
        }
    }

    public func promisedHistory(of line: SubscriberID, limit: Int) async throws -> [PromisedPayment] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.promisedColumns) FROM payments_promised WHERE subscriber_id = \(bind: line.rawValue)
                ORDER BY id DESC LIMIT \(literal: limit)
                """
            ).all().map(Self.promised)
        }
    }

    // MARK: - Transfers

    static let transferColumns: SQLQueryString = """
        id, sender_id, sender_msisdn, recipient_id, recipient_msisdn, amount, fee, currency, status, day, request_id, created_at, updated_at
        """

    public func insertTransfer(_ transfer: NewTransfer, at now: Date) async throws -> Transfer {
        let backend = database.backend
        return try await database.write { db in
            // The daily sum and the insert under one lock of the sender: SQLite's single writer is that lock already;
            // PostgreSQL takes a transaction-scoped advisory lock on the sender's id.
            if backend == .postgres {
                try await db.raw("SELECT pg_advisory_xact_lock(\(bind: transfer.sender.rawValue))").run()
            }
            let sent =
                try await db.raw(
                    """
                    SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM payments_transfer
                    WHERE sender_id = \(bind: transfer.sender.rawValue) AND day = \(bind: transfer.day.description) AND status <> 'refused'
                    """
                ).first()?.decode(column: "total", as: Int64.self) ?? 0
            guard sent + transfer.amount.minorUnits <= transfer.maxPerDay.minorUnits else {
                let left = Money(
                    minorUnits: max(0, transfer.maxPerDay.minorUnits - sent), currency: transfer.amount.currency)
                throw CabinetError(
                    PaymentsError.transferDailyLimit,
                    arguments: [
                        "limit": transfer.maxPerDay.amountString, "left": left.amountString,
                    ])
            }
            let request = try await SQLRequestRegistry.open(
                kind: "payments.transfer", subscriber: transfer.sender, status: .processing,
                detail:
                    "\(transfer.amount.amountString) \(transfer.amount.currency.code) → \(transfer.recipientMSISDN.e164)",
                at: now, on: db)
            let at = now.storageMilliseconds
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO payments_transfer (sender_id, sender_msisdn, recipient_id, recipient_msisdn, amount, fee, currency, status, day,
                        request_id, created_at, updated_at)
                    VALUES (\(bind: transfer.sender.rawValue), \(bind: transfer.senderMSISDN.e164), \(bind: transfer.recipient.rawValue),
                        \(bind: transfer.recipientMSISDN.e164), \(bind: transfer.amount.minorUnits), \(bind: transfer.fee.minorUnits),
                        \(bind: transfer.amount.currency.code), 'pending', \(bind: transfer.day.description), \(bind: request.id), \(bind: at), \(bind: at))
                    RETURNING \(Self.transferColumns)
                    """
                ).first()
            else { throw CabinetError.internal("transfer not stored") }
            return try Self.transfer(row)
        }
    }

    public func advanceTransfer(_ id: Int64, from: Transfer.Status, to: Transfer.Status, at now: Date) async throws
        -> Transfer?
    {
        try await writing { tx in try await tx.advanceTransfer(id, from: from, to: to, at: now) }
    }

    public func unfinishedTransfers(before: Date, limit: Int) async throws -> [Transfer] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.transferColumns) FROM payments_transfer
                WHERE status IN ('pending', 'sent') AND created_at < \(bind: before.storageMilliseconds) ORDER BY created_at LIMIT \(literal: limit)
                """
            ).all().map(Self.transfer)
        }
    }

    public func transfers(of line: SubscriberID, limit: Int) async throws -> [Transfer] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.transferColumns) FROM payments_transfer
                WHERE sender_id = \(bind: line.rawValue) OR (recipient_id = \(bind: line.rawValue) AND status = 'done')
                ORDER BY id DESC LIMIT \(literal: limit)
                """
            ).all().map(Self.transfer)
        }
    }

    // MARK: - Rows

    static func transfer(_ row: any SQLRow) throws -> Transfer {
        guard let currency = Currency(code: try row.decode(column: "currency", as: String.self)),
            let sender = MSISDN(e164: try row.decode(column: "sender_msisdn", as: String.self)),
            let recipient = MSISDN(e164: try row.decode(column: "recipient_msisdn", as: String.self)),
            let day = LocalDate(try row.decode(column: "day", as: String.self))
        else { throw CabinetError.internal("transfer row unreadable") }
        return Transfer(
            id: try row.decode(column: "id", as: Int64.self),
            sender: SubscriberID(try row.decode(column: "sender_id", as: Int64.self)), senderMSISDN: sender,
            recipient: SubscriberID(try row.decode(column: "recipient_id", as: Int64.self)), recipientMSISDN: recipient,
            amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: currency),
            fee: Money(minorUnits: try row.decode(column: "fee", as: Int64.self), currency: currency),
            status: Transfer.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            day: day, requestID: try row.decode(column: "request_id", as: Int64?.self),
            createdAt: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(storageMilliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }

    static func payment(_ row: any SQLRow) throws -> Payment {
        let currencyCode = try row.decode(column: "currency", as: String.self)
        guard let currency = Currency(code: currencyCode),
            let msisdn = MSISDN(e164: try row.decode(column: "msisdn", as: String.self))
        else { throw CabinetError.internal("payment row unreadable") }
        return Payment(
            id: try row.decode(column: "id", as: String.self),
            line: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)),
            msisdn: msisdn,
            amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: currency),
            method: PaymentMethod(rawValue: try row.decode(column: "method", as: String.self)) ?? .card,
            status: PaymentStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            gateway: try row.decode(column: "gateway", as: String.self),
            gatewayPaymentID: try row.decode(column: "gateway_payment_id", as: String?.self),
            maskedCard: try row.decode(column: "masked_card", as: String?.self),
            failure: try row.decode(column: "failure", as: String?.self),
            requestID: try row.decode(column: "request_id", as: Int64?.self),
            anonymous: try row.decode(column: "anonymous", as: Int64.self) != 0,
            saveCard: try row.decode(column: "save_card", as: Int64.self) != 0,
            cardID: try row.decode(column: "card_id", as: Int64?.self),
            autopayTrigger: try row.decode(column: "autopay_trigger", as: String?.self),
            creditedAt: try row.decode(column: "credited_at", as: Int64?.self).map(Date.init(storageMilliseconds:)),
            createdAt: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(storageMilliseconds: try row.decode(column: "updated_at", as: Int64.self)),
            company: try row.decode(column: "company_id", as: String?.self).flatMap(CompanyID.init(rawValue:)))
    }

    static func promised(_ row: any SQLRow) throws -> PromisedPayment {
        guard let currency = Currency(code: try row.decode(column: "currency", as: String.self)) else {
            throw CabinetError.internal("promised payment row unreadable")
        }
        return PromisedPayment(
            id: try row.decode(column: "id", as: Int64.self),
            line: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)),
            amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: currency),
            fee: Money(minorUnits: try row.decode(column: "fee", as: Int64.self), currency: currency),
            status: PromisedPayment.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .active,
            takenAt: Date(storageMilliseconds: try row.decode(column: "taken_at", as: Int64.self)),
            dueAt: Date(storageMilliseconds: try row.decode(column: "due_at", as: Int64.self)),
            requestID: try row.decode(column: "request_id", as: Int64?.self),
            closedAt: try row.decode(column: "closed_at", as: Int64?.self).map(Date.init(storageMilliseconds:)),
            creditedAt: try row.decode(column: "credited_at", as: Int64?.self).map(Date.init(storageMilliseconds:)),
            settledAt: try row.decode(column: "settled_at", as: Int64?.self).map(Date.init(storageMilliseconds:)))
    }
}
