public import Billing
public import CabinetCore
import CabinetMessaging
import CabinetStorage
public import Foundation
import SQLKit

extension SQLBillingStore {
    public func orderStatement(_ order: StatementOrder) async throws -> ServiceRequest {
        let queued = Flag()
        let request = try await writing(lines: [order.line]) { db, _ -> ServiceRequest in
            guard var row = try await self.lockAccount(order.line, on: db) else {
                throw CabinetError(BillingError.noAccount)
            }
            if order.price.isPositive,
                try await !self.canPay(order.price.minorUnits, kind: .statement, account: row, at: order.now, on: db)
            {
                throw CabinetError(
                    BillingError.insufficientFunds,
                    arguments: ["needed": order.price.displayString, "balance": row.money.displayString])
            }
            let request = try await SQLRequestRegistry.open(
                kind: "billing.statement", subscriber: order.line, status: .processing,
                detail: "\(order.from)…\(order.to)",
                at: order.now, on: db)
            if order.price.isPositive {
                try await self.postLocked(
                    LedgerPosting(
                        externalID: "statement:\(request.id)", kind: .statement, line: order.line,
                        amount: try order.price.negated(), counterparty: .revenue,
                        explanation: "billing.explain.statement",
                        arguments: ["from": order.from.description, "to": order.to.description],
                        allowsNegativeBalance: false,
                        at: order.now),
                    account: &row, queued: queued, on: db)
            }
            let at = order.now.storageMilliseconds
            try await db.raw(
                """
                INSERT INTO billing_statement (request_id, subscriber_id, from_date, to_date, email, language, price, currency, status,
                                               created_at, updated_at)
                VALUES (\(bind: request.id), \(bind: order.line.rawValue), \(bind: order.from.description), \(bind: order.to.description),
                        \(bind: order.email), \(bind: order.language.rawValue), \(bind: order.price.minorUnits),
                        \(bind: order.price.currency.code), 'pending', \(bind: at), \(bind: at))
                """
            ).run()
            return request
        }
        if queued.isSet { messagesQueued() }
        return request
    }

    public func claimStatements(now: Date, lease: TimeInterval, limit: Int) async throws -> [ClaimedStatement] {
        let at = now.storageMilliseconds
        let until = now.addingTimeInterval(lease).storageMilliseconds
        let skipLocked: SQLQueryString = backend == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try await database.write { db -> [ClaimedStatement] in
            let rows = try await db.raw(
                """
                SELECT id, request_id, subscriber_id, from_date, to_date, email, language, price, currency, attempts
                FROM billing_statement WHERE status = 'pending' AND lease_until <= \(bind: at)
                ORDER BY id LIMIT \(literal: limit)\(skipLocked)
                """
            ).all()
            var claimed: [ClaimedStatement] = []
            for row in rows {
                let id = try row.decode(column: "id", as: Int64.self)
                try await db.raw(
                    """
                    UPDATE billing_statement SET lease_until = \(bind: until), attempts = attempts + 1 WHERE id = \(bind: id)
                    """
                ).run()
                let subscriber = SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self))
                guard
                    let account = try await db.raw(
                        """
                        SELECT \(Self.accountColumns) FROM billing_account WHERE subscriber_id = \(bind: subscriber.rawValue)
                        """
                    ).first().map(AccountRow.init),
                    let from = LocalDate(try row.decode(column: "from_date", as: String.self)),
                    let to = LocalDate(try row.decode(column: "to_date", as: String.self)),
                    let currency = Currency(code: try row.decode(column: "currency", as: String.self))
                else { throw CabinetError.internal("statement order \(id) is inconsistent") }
                claimed.append(
                    ClaimedStatement(
                        id: id, requestID: try row.decode(column: "request_id", as: Int64.self),
                        account: account.account, from: from, to: to,
                        email: try row.decode(column: "email", as: String.self),
                        language: Language(rawValue: try row.decode(column: "language", as: String.self)) ?? .ru,
                        price: Money(minorUnits: try row.decode(column: "price", as: Int64.self), currency: currency),
                        attempts: try row.decode(column: "attempts", as: Int.self) + 1))
            }
            return claimed
        }
    }

    public func completeStatement(_ id: Int64, mail: StatementMail, now: Date) async throws {
        try await database.write { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT request_id, email, status FROM billing_statement WHERE id = \(bind: id)\(self.forUpdate)
                    """
                ).first(), try row.decode(column: "status", as: String.self) == "pending"
            else { return }
            try await Outbox.enqueue(
                MailMessage(
                    to: try row.decode(column: "email", as: String.self), subject: mail.subject, textBody: mail.body,
                    attachments: mail.attachments.map {
                        MailAttachment(fileName: $0.fileName, contentType: $0.contentType, data: $0.data)
                    },
                    purpose: "billing.statement", dedupeKey: "statement:\(id)"),
                on: db, now: now)
            try await db.raw(
                """
                UPDATE billing_statement SET status = 'done', updated_at = \(bind: now.storageMilliseconds) WHERE id = \(bind: id)
                """
            ).run()
            try await SQLRequestRegistry.update(
                try row.decode(column: "request_id", as: Int64.self), status: .done, detail: nil,
                at: now, on: db)
        }
        messagesQueued()
    }

    public func failStatement(_ id: Int64, reason: String, now: Date) async throws {
        let queued = Flag()
        try await writing { db, touched in
            guard
                let order = try await db.raw(
                    """
                    SELECT request_id, subscriber_id, price, currency, status FROM billing_statement WHERE id = \(bind: id)\(self.forUpdate)
                    """
                ).first(), try order.decode(column: "status", as: String.self) == "pending"
            else { return }
            let line = SubscriberID(try order.decode(column: "subscriber_id", as: Int64.self))
            touched.insert(line.rawValue)
            guard var account = try await self.lockAccount(line, on: db),
                let currency = Currency(code: try order.decode(column: "currency", as: String.self))
            else { throw CabinetError.internal("statement order \(id) has no account") }
            let requestID = try order.decode(column: "request_id", as: Int64.self)
            let price = Money(minorUnits: try order.decode(column: "price", as: Int64.self), currency: currency)
            // Only what was charged is refunded (a free statement has no charge to give back).
            let charged = try await db.raw(
                "SELECT id FROM billing_transaction WHERE external_id = \(bind: "statement:\(requestID)")"
            ).first()
            if price.isPositive, charged != nil {
                try await self.postLocked(
                    LedgerPosting(
                        externalID: "statement-refund:\(requestID)", kind: .refund, line: line, amount: price,
                        counterparty: .revenue, explanation: "billing.explain.statementRefund", arguments: [:],
                        allowsNegativeBalance: true, at: now),
                    account: &account, queued: queued, on: db)
            }
            try await db.raw(
                """
                UPDATE billing_statement SET status = 'failed', failure = \(bind: reason), updated_at = \(bind: now.storageMilliseconds)
                WHERE id = \(bind: id)
                """
            ).run()
            try await SQLRequestRegistry.update(requestID, status: .failed, detail: reason, at: now, on: db)
        }
        if queued.isSet { messagesQueued() }
    }
}
