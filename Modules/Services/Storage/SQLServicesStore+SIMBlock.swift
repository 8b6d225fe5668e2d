import Billing
public import CabinetCore
import CabinetMessaging
import CabinetStorage
public import Foundation
import SQLKit
public import Services

extension SQLServicesStore {
    public func recordBlock(_ order: SIMBlockOrder) async throws -> ServiceRequest {
        let request = try await ledger.transaction(lines: [order.line]) { transaction, _ in
            let db = try transaction.sql()
            let request = try await SQLRequestRegistry.open(
                kind: SIMBlockOrder.requestKind, subscriber: order.line, status: .done, detail: order.channel,
                at: order.at, on: db)
            if let charge = order.recurring {
                // A block after an unblock starts its free days over: the old schedule (if any) goes first.
                try await recurring.stop(key: charge.key, in: transaction)
                try await recurring.start(charge, at: order.freeUntil, in: transaction)
            }
            try await Self.queue(order.notices, request: request, on: db, at: order.at)
            return request
        }
        if !order.notices.isEmpty { messagesQueued() }
        return request
    }

    public func recordUnblock(
        of line: SubscriberID, reason: String, notices: [SIMBlockOrder.Notice], at: Date
    ) async throws -> ServiceRequest {
        let request = try await ledger.transaction(lines: [line]) { transaction, _ in
            let db = try transaction.sql()
            let request = try await SQLRequestRegistry.open(
                kind: SIMBlockOrder.unblockKind, subscriber: line, status: .done, detail: reason, at: at, on: db)
            try await recurring.stop(key: SIMBlockOrder.recurringKey(line: line), in: transaction)
            try await Self.queue(notices, request: request, on: db, at: at)
            return request
        }
        if !notices.isEmpty { messagesQueued() }
        return request
    }

    public func lastBlock(of line: SubscriberID) async throws -> Date? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT MAX(created_at) AS at FROM cabinet_request
                WHERE subscriber_id = \(bind: line.rawValue) AND kind = \(bind: SIMBlockOrder.requestKind)
                """
            ).first()?.decode(column: "at", as: Int64?.self).map(Date.init(storageMilliseconds:))
        }
    }

    static func queue(_ notices: [SIMBlockOrder.Notice], request: ServiceRequest, on db: any SQLDatabase, at: Date)
        async throws
    {
        for (index, notice) in notices.enumerated() {
            let key = "\(request.kind):\(request.id):\(index)"
            switch notice {
            case .sms(let to, let text):
                try await Outbox.enqueue(
                    OutgoingSMS(to: to, text: text, purpose: request.kind, dedupeKey: key), on: db, now: at)
            case .mail(let to, let subject, let text):
                try await Outbox.enqueue(
                    MailMessage(to: to, subject: subject, textBody: text, purpose: request.kind, dedupeKey: key),
                    on: db, now: at)
            }
        }
    }
}
