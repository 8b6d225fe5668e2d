public import Billing
public import CabinetCore
import CabinetMessaging
import CabinetStorage
public import Foundation
import SQLKit

extension SQLBillingStore: DataSharingStore {
    public func share(_ order: ShareOrder) async throws -> DataShare {
        let kilobytes = order.megabytes * 1_024
        let now = order.at.storageMilliseconds
        let share = try await transaction(lines: [order.from, order.to]) { db, writer -> DataShare in
            // Both accounts locked, always in the same order, so two shares between the same lines never deadlock.
            for line in [order.from, order.to].sorted(by: { $0.rawValue < $1.rawValue }) {
                _ = try await writer.lockedBalance(of: line)
            }
            let today = try await Self.sharesGiven(order.from, since: order.dayStart, on: db)
            guard today < order.maxPerDay else {
                throw CabinetError(BillingError.shareDayLimit, arguments: ["max": String(order.maxPerDay)])
            }
            let month = try await Self.sharesGiven(order.from, since: order.monthStart, on: db)
            guard month < order.maxPerMonth else {
                throw CabinetError(BillingError.shareMonthLimit, arguments: ["max": String(order.maxPerMonth)])
            }
            // The giver's own internet (package and rollover, not gifts), earliest to expire first.
            let buckets = try await db.raw(
                """
                SELECT id, remaining FROM billing_bucket
                WHERE subscriber_id = \(bind: order.from.rawValue) AND unit = 'kilobytes' AND shared_from IS NULL
                    AND remaining > 0 AND valid_from <= \(bind: now) AND expires_at > \(bind: now)
                ORDER BY expires_at, id
                """
            ).all().map {
                (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "remaining", as: Int64.self))
            }
            let available = buckets.reduce(0) { $0 + $1.1 }
            guard available >= kilobytes else {
                throw CabinetError(BillingError.shareTooLittle, arguments: ["available": String(available / 1_024)])
            }
            var left = kilobytes
            for (id, remaining) in buckets where left > 0 {
                let take = min(left, remaining)
                try await db.raw(
                    "UPDATE billing_bucket SET remaining = remaining - \(bind: take) WHERE id = \(bind: id)"
                ).run()
                left -= take
            }
            let request = try await SQLRequestRegistry.open(
                kind: ShareOrder.requestKind, subscriber: order.from, status: .done,
                detail: "\(order.toNumber.e164) \(order.megabytes) MB", at: order.at, on: db)
            _ = try await SQLRequestRegistry.open(
                kind: ShareOrder.receivedKind, subscriber: order.to, status: .done,
                detail: "\(order.fromNumber.e164) \(order.megabytes) MB", at: order.at, on: db)
            // Both see the share in their balance history: the giver's line carries the fee (0.00 when free), the
            // recipient's a 0.00 line naming the giver.
            let giverLine = LedgerPosting(
                externalID: "share:\(request.id)", kind: .dataShare, line: order.from,
                amount: try order.fee.negated(), counterparty: .revenue, explanation: "billing.explain.share",
                arguments: ["to": order.toNumber.formatted, "megabytes": String(order.megabytes)],
                allowsNegativeBalance: false, at: order.at)
            if order.fee.isPositive {
                if case .insufficientFunds(let balance) = try await writer.post(giverLine) {
                    throw CabinetError(
                        BillingError.insufficientFunds,
                        arguments: ["balance": balance.displayString, "needed": order.fee.displayString])
                }
            } else {
                try await writer.postMarker(giverLine)
            }
            try await writer.postMarker(
                LedgerPosting(
                    externalID: "share-received:\(request.id)", kind: .dataShare, line: order.to,
                    amount: Money(minorUnits: 0, currency: order.fee.currency), counterparty: .revenue,
                    explanation: "billing.explain.shareReceived",
                    arguments: ["from": order.fromNumber.formatted, "megabytes": String(order.megabytes)],
                    allowsNegativeBalance: true, at: order.at))
            // The gift rides on the recipient's current period (its row must name one) but keeps its own days.
            guard
                let period = try await db.raw(
                    """
                    SELECT p.id FROM billing_period p JOIN billing_account a
                        ON a.subscriber_id = p.subscriber_id AND a.period_start_at = p.start_at
                    WHERE a.subscriber_id = \(bind: order.to.rawValue)
                    """
                ).first()?.decode(column: "id", as: Int64.self)
            else { throw CabinetError(BillingError.noAccount) }
            try await db.raw(
                """
                INSERT INTO billing_bucket (subscriber_id, period_id, unit, source, total, remaining, valid_from,
                    expires_at, shared_from)
                VALUES (\(bind: order.to.rawValue), \(bind: period), 'kilobytes', 'package', \(bind: kilobytes),
                    \(bind: kilobytes), \(bind: now), \(bind: order.expiresAt.storageMilliseconds),
                    \(bind: order.from.rawValue))
                """
            ).run()
            guard
                let id = try await db.raw(
                    """
                    INSERT INTO billing_share (from_subscriber, from_msisdn, to_subscriber, to_msisdn, kilobytes, fee,
                        currency, expires_at, request_id, created_at)
                    VALUES (\(bind: order.from.rawValue), \(bind: order.fromNumber.e164), \(bind: order.to.rawValue),
                        \(bind: order.toNumber.e164), \(bind: kilobytes), \(bind: order.fee.minorUnits),
                        \(bind: order.fee.currency.code), \(bind: order.expiresAt.storageMilliseconds),
                        \(bind: request.id), \(bind: now))
                    RETURNING id
                    """
                ).first()?.decode(column: "id", as: Int64.self)
            else { throw CabinetError.internal("INSERT … RETURNING gave no share") }
            try await Outbox.enqueue(
                OutgoingSMS(
                    to: order.toNumber, text: order.notice, purpose: ShareOrder.receivedKind,
                    dedupeKey: "share:\(id)"), on: db, now: order.at)
            return DataShare(
                id: id, from: order.fromNumber, to: order.toNumber, megabytes: order.megabytes, fee: order.fee,
                expiresAt: order.expiresAt, at: order.at, requestID: request.id)
        }
        // After the commit: the outbox finds the recipient's SMS at once.
        messagesQueued()
        return share
    }

    public func shares(of line: SubscriberID, limit: Int) async throws -> [DataShare] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id, from_msisdn, to_msisdn, kilobytes, fee, currency, expires_at, request_id, created_at
                FROM billing_share
                WHERE from_subscriber = \(bind: line.rawValue) OR to_subscriber = \(bind: line.rawValue)
                ORDER BY created_at DESC, id DESC LIMIT \(literal: limit)
                """
            ).all().compactMap { row -> DataShare? in
                guard let from = MSISDN(e164: try row.decode(column: "from_msisdn", as: String.self)),
                    let to = MSISDN(e164: try row.decode(column: "to_msisdn", as: String.self)),
                    let currency = Currency(code: try row.decode(column: "currency", as: String.self))
                else { return nil }
                return DataShare(
                    id: try row.decode(column: "id", as: Int64.self), from: from, to: to,
                    megabytes: try row.decode(column: "kilobytes", as: Int64.self) / 1_024,
                    fee: Money(minorUnits: try row.decode(column: "fee", as: Int64.self), currency: currency),
                    expiresAt: Date(storageMilliseconds: try row.decode(column: "expires_at", as: Int64.self)),
                    at: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
                    requestID: try row.decode(column: "request_id", as: Int64.self))
            }
        }
    }

    public func sharesGiven(by line: SubscriberID, since: Date) async throws -> Int {
        try await database.read { db in try await Self.sharesGiven(line, since: since, on: db) }
    }

    public func ownData(of line: SubscriberID, at: Date) async throws -> Int64 {
        let now = at.storageMilliseconds
        return try await database.read { db in
            try await db.raw(
                """
                SELECT CAST(COALESCE(SUM(remaining), 0) AS BIGINT) AS left FROM billing_bucket
                WHERE subscriber_id = \(bind: line.rawValue) AND unit = 'kilobytes' AND shared_from IS NULL
                    AND valid_from <= \(bind: now) AND expires_at > \(bind: now)
                """
            ).first()?.decode(column: "left", as: Int64.self) ?? 0
        }
    }

    static func sharesGiven(_ line: SubscriberID, since: Date, on db: any SQLDatabase) async throws -> Int {
        try await db.raw(
            """
            SELECT COUNT(*) AS n FROM billing_share
            WHERE from_subscriber = \(bind: line.rawValue) AND created_at >= \(bind: since.storageMilliseconds)
            """
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
