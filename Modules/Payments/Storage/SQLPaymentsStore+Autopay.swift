public import CabinetCore
import CabinetMessaging
import CabinetStorage
public import Foundation
public import Payments
import SQLKit

extension SQLPaymentsStore {
    // MARK: - Saved cards

    static let cardColumns: SQLQueryString = "id, subscriber_id, gateway, token, masked_card, is_default, created_at"

    public func saveCard(line: SubscriberID, gateway: String, token: String, maskedCard: String, at now: Date)
        async throws -> SavedCard
    {
        try await writing { tx in
            try await tx.saveCard(line: line, gateway: gateway, token: token, maskedCard: maskedCard, at: now)
        }
    }

    public func cards(of line: SubscriberID) async throws -> [SavedCard] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.cardColumns) FROM payments_card WHERE subscriber_id = \(bind: line.rawValue) ORDER BY is_default DESC, id
                """
            ).all().map(Self.card)
        }
    }

    public func setDefaultCard(_ id: Int64, of line: SubscriberID) async throws {
        try await database.write { db in
            guard
                try await db.raw(
                    """
                    SELECT id FROM payments_card WHERE id = \(bind: id) AND subscriber_id = \(bind: line.rawValue)
                    """
                ).first() != nil
            else { throw CabinetError(PaymentsError.cardUnknown) }
            try await db.raw(
                "UPDATE payments_card SET is_default = 0 WHERE subscriber_id = \(bind: line.rawValue) AND is_default = 1"
            ).run()
            try await db.raw("UPDATE payments_card SET is_default = 1 WHERE id = \(bind: id)").run()
        }
    }

    public func deleteCard(_ id: Int64, of line: SubscriberID) async throws {
        try await database.write { db in
            guard
                let row = try await db.raw(
                    """
                    DELETE FROM payments_card WHERE id = \(bind: id) AND subscriber_id = \(bind: line.rawValue) RETURNING is_default
                    """
                ).first()
            else { throw CabinetError(PaymentsError.cardUnknown) }
            if try row.decode(column: "is_default", as: Int64.self) == 1 {
                try await db.raw(
                    """
                    UPDATE payments_card SET is_default = 1 WHERE id = (
                        SELECT MIN(id) FROM payments_card WHERE subscriber_id = \(bind: line.rawValue))
                    """
                ).run()
            }
        }
    }

    // MARK: - Auto-payment rules

    static let ruleList = "subscriber_id, kind, threshold, day_of_month, amount, monthly_cap, currency, updated_at"
    static let ruleColumns = SQLQueryString(ruleList)

    public func setAutopay(_ rule: AutopayRule) async throws {
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO payments_autopay (subscriber_id, kind, threshold, day_of_month, amount, monthly_cap, currency, updated_at)
                VALUES (\(bind: rule.line.rawValue), \(bind: rule.kind.rawValue), \(bind: rule.threshold?.minorUnits),
                    \(bind: rule.dayOfMonth.map(Int64.init)), \(bind: rule.amount.minorUnits), \(bind: rule.monthlyCap.minorUnits),
                    \(bind: rule.amount.currency.code), \(bind: rule.updatedAt.storageMilliseconds))
                ON CONFLICT (subscriber_id) DO UPDATE SET kind = excluded.kind, threshold = excluded.threshold,
                    day_of_month = excluded.day_of_month, amount = excluded.amount, monthly_cap = excluded.monthly_cap,
                    currency = excluded.currency, updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    public func autopay(of line: SubscriberID) async throws -> AutopayRule? {
        try await database.read { db in
            try await db.raw(
                "SELECT \(Self.ruleColumns) FROM payments_autopay WHERE subscriber_id = \(bind: line.rawValue)"
            ).first().map(Self.rule)
        }
    }

    public func deleteAutopay(of line: SubscriberID) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM payments_autopay WHERE subscriber_id = \(bind: line.rawValue)").run()
            // An occasion not yet charged is dropped with the rule: switching off works at once.
            try await db.raw(
                """
                UPDATE payments_autopay_trigger SET status = 'skipped' WHERE subscriber_id = \(bind: line.rawValue) AND status = 'open'
                """
            ).run()
        }
    }

    public func thresholdRules(of lines: [SubscriberID]) async throws -> [AutopayRule] {
        guard !lines.isEmpty else { return [] }
        return try await database.read { db in
            try await SQLBatch.select(
                "SELECT \(Self.ruleList) FROM payments_autopay WHERE kind = 'threshold' AND subscriber_id IN",
                numbers: lines.map(\.rawValue), on: db
            ).map(Self.rule)
        }
    }

    public func autopayRules(kind: AutopayRule.Kind, after: SubscriberID?, limit: Int) async throws -> [AutopayRule] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.ruleColumns) FROM payments_autopay WHERE kind = \(bind: kind.rawValue)
                AND subscriber_id > \(bind: after?.rawValue ?? Int64.min) ORDER BY subscriber_id LIMIT \(literal: limit)
                """
            ).all().map(Self.rule)
        }
    }

    // MARK: - Triggers

    static let triggerColumns: SQLQueryString =
        "key, subscriber_id, amount, currency, status, attempts, next_attempt_at, created_at"

    public func openTrigger(key: String, line: SubscriberID, amount: Money, at now: Date) async throws
        -> AutopayTrigger?
    {
        do {
            return try await database.write { db in
                let at = now.storageMilliseconds
                return try await db.raw(
                    """
                    INSERT INTO payments_autopay_trigger (key, subscriber_id, amount, currency, status, attempts, next_attempt_at, created_at,
                        updated_at)
                    VALUES (\(bind: key), \(bind: line.rawValue), \(bind: amount.minorUnits), \(bind: amount.currency.code), 'open', 0,
                        \(bind: at), \(bind: at), \(bind: at))
                    ON CONFLICT DO NOTHING
                    RETURNING \(Self.triggerColumns)
                    """
                ).first().map(Self.trigger)
            }
        } catch  where StorageErrors.isUniqueViolation(error) {
            return nil
        }
    }

    public func lastTrigger(of line: SubscriberID) async throws -> AutopayTrigger? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.triggerColumns) FROM payments_autopay_trigger WHERE subscriber_id = \(bind: line.rawValue)
                ORDER BY created_at DESC LIMIT 1
                """
            ).first().map(Self.trigger)
        }
    }

    public func dueTriggers(at now: Date, limit: Int) async throws -> [AutopayTrigger] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.triggerColumns) FROM payments_autopay_trigger
                WHERE status = 'open' AND next_attempt_at <= \(bind: now.storageMilliseconds) ORDER BY next_attempt_at LIMIT \(literal: limit)
                """
            ).all().map(Self.trigger)
        }
    }

    public func closeTrigger(
        _ key: String, status: AutopayTrigger.Status, attempts: Int, retryAt: Date?,
        sms: (to: MSISDN, text: String)?, at now: Date
    ) async throws {
        let queued = try await database.write { db -> Bool in
            let at = now.storageMilliseconds
            let updated = try await db.raw(
                """
                UPDATE payments_autopay_trigger SET status = \(bind: status.rawValue), attempts = \(bind: Int64(attempts)),
                    next_attempt_at = \(bind: retryAt?.storageMilliseconds ?? at), updated_at = \(bind: at)
                WHERE key = \(bind: key) AND status = 'open'
                RETURNING key
                """
            ).first()
            guard updated != nil, let sms else { return false }
            return try await Outbox.enqueue(
                OutgoingSMS(to: sms.to, text: sms.text, purpose: "payments.autopay", dedupeKey: "autopay:\(key)"),
                on: db, now: now)
        }
        if queued { messagesQueued() }
    }

    public func autopaySpent(of line: SubscriberID, since: Date) async throws -> Int64 {
        try await database.read { db in
            try await db.raw(
                """
                SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM payments_payment
                WHERE subscriber_id = \(bind: line.rawValue) AND autopay_trigger IS NOT NULL AND status = 'succeeded'
                AND created_at >= \(bind: since.storageMilliseconds)
                """
            ).first()?.decode(column: "total", as: Int64.self) ?? 0
        }
    }

    // MARK: - Rows

    static func card(_ row: any SQLRow) throws -> SavedCard {
        SavedCard(
            id: try row.decode(column: "id", as: Int64.self),
            line: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)),
            gateway: try row.decode(column: "gateway", as: String.self),
            token: try row.decode(column: "token", as: String.self),
            maskedCard: try row.decode(column: "masked_card", as: String.self),
            isDefault: try row.decode(column: "is_default", as: Int64.self) == 1,
            createdAt: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)))
    }

    static func rule(_ row: any SQLRow) throws -> AutopayRule {
        guard let currency = Currency(code: try row.decode(column: "currency", as: String.self)),
            let kind = AutopayRule.Kind(rawValue: try row.decode(column: "kind", as: String.self))
        else { throw CabinetError.internal("auto-payment row unreadable") }
        return AutopayRule(
            line: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)), kind: kind,
            threshold: try row.decode(column: "threshold", as: Int64?.self).map {
                Money(minorUnits: $0, currency: currency)
            },
            dayOfMonth: try row.decode(column: "day_of_month", as: Int64?.self).map { Int($0) },
            amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: currency),
            monthlyCap: Money(minorUnits: try row.decode(column: "monthly_cap", as: Int64.self), currency: currency),
            updatedAt: Date(storageMilliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }

    static func trigger(_ row: any SQLRow) throws -> AutopayTrigger {
        guard let currency = Currency(code: try row.decode(column: "currency", as: String.self)) else {
            throw CabinetError.internal("auto-payment trigger unreadable")
        }
        return AutopayTrigger(
            key: try row.decode(column: "key", as: String.self),
            line: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)),
            amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: currency),
            status: AutopayTrigger.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .open,
            attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
            nextAttemptAt: Date(storageMilliseconds: try row.decode(column: "next_attempt_at", as: Int64.self)),
            createdAt: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)))
    }
}
