import Billing
public import CabinetCore
import CabinetMessaging
import CabinetStorage
public import Corporate
public import Foundation
import SQLKit

extension SQLCorporateStore {
    static let requestColumns: SQLQueryString = """
        id, company_id, subscriber_id, msisdn, admin_id, action, money, currency, minutes, sms, megabytes, policy,
        status, reason, created_at, updated_at
        """

    public func openQuotaRequest(
        line: SubscriberID, msisdn: MSISDN, action: QuotaRequest.Action, limits: QuotaLimits?, journal: JournalDraft
    ) async throws -> QuotaRequest {
        let at = journal.at.storageMilliseconds
        let row = try await database.write { db in
            let request = try await Self.record(journal, status: .pending, on: db)
            return try await db.raw(
                """
                INSERT INTO corporate_quota_request (id, company_id, subscriber_id, msisdn, admin_id, action, money,
                    currency, minutes, sms, megabytes, policy, status, created_at, updated_at)
                VALUES (\(bind: request.id), \(bind: journal.company.rawValue), \(bind: line.rawValue),
                    \(bind: msisdn.e164), \(bind: journal.admin), \(bind: action.rawValue),
                    \(bind: limits?.money?.minorUnits), \(bind: limits?.money?.currency.code), \(bind: limits?.minutes),
                    \(bind: limits?.sms), \(bind: limits?.megabytes), \(bind: limits?.policy.rawValue), 'pending',
                    \(bind: at), \(bind: at))
                RETURNING \(Self.requestColumns)
                """
            ).first()
        }
        guard let row, let request = Self.decodeRequest(row) else { throw CabinetError.internal("request not stored") }
        return request
    }

    public func quotaRequests(of line: SubscriberID, limit: Int) async throws -> [QuotaRequest] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.requestColumns) FROM corporate_quota_request WHERE subscriber_id = \(bind: line.rawValue)
                ORDER BY id DESC LIMIT \(literal: limit)
                """
            ).all()
        }.compactMap(Self.decodeRequest)
    }

    public func quotaRequests(in status: ServiceRequest.Status, limit: Int) async throws -> [QuotaRequest] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.requestColumns) FROM corporate_quota_request WHERE status = \(bind: status.rawValue)
                ORDER BY id LIMIT \(literal: limit)
                """
            ).all()
        }.compactMap(Self.decodeRequest)
    }

    public func advance(
        _ request: QuotaRequest, from: ServiceRequest.Status, to: ServiceRequest.Status, reason: String?, at now: Date
    ) async throws -> Bool {
        let at = now.storageMilliseconds
        return try await database.write { db in
            let moved = try await db.raw(
                """
                UPDATE corporate_quota_request SET status = \(bind: to.rawValue), reason = \(bind: reason),
                    updated_at = \(bind: at)
                WHERE id = \(bind: request.id) AND status = \(bind: from.rawValue) RETURNING id
                """
            ).first()
            guard moved != nil else { return false }
            try await SQLRequestRegistry.update(request.id, status: to, detail: reason, at: now, on: db)
            guard to == .done else { return true }
            switch request.action {
            case .delete:
                // Only a quota set by an older request: a newer one applied first stays.
                try await db.raw(
                    """
                    DELETE FROM corporate_quota
                    WHERE subscriber_id = \(bind: request.line.rawValue) AND request_id < \(bind: request.id)
                    """
                ).run()
            case .set:
                guard let limits = request.limits else { return true }
                // The newest request wins; an older one applied late never replaces it.
                try await db.raw(
                    """
                    INSERT INTO corporate_quota (subscriber_id, company_id, money, currency, minutes, sms, megabytes,
                        policy, request_id, applied_at)
                    VALUES (\(bind: request.line.rawValue), \(bind: request.company.rawValue),
                        \(bind: limits.money?.minorUnits), \(bind: limits.money?.currency.code),
                        \(bind: limits.minutes), \(bind: limits.sms), \(bind: limits.megabytes),
                        \(bind: limits.policy.rawValue), \(bind: request.id), \(bind: at))
                    ON CONFLICT (subscriber_id) DO UPDATE SET company_id = excluded.company_id,
                        money = excluded.money, currency = excluded.currency, minutes = excluded.minutes,
                        sms = excluded.sms, megabytes = excluded.megabytes, policy = excluded.policy,
                        request_id = excluded.request_id, applied_at = excluded.applied_at
                    WHERE corporate_quota.request_id < excluded.request_id
                    """
                ).run()
            }
            try await syncCover(of: request.line, at: now, on: db)
            return true
        }
    }

    /// Tells Billing how much the company pays for the line a month, from the quota now in force: up to the money
    /// limit under the `personal` policy (the employee pays beyond it), everything otherwise (under `block` the
    /// network refuses paid service at the limit instead).
    func syncCover(of line: SubscriberID, at now: Date, on db: any SQLDatabase) async throws {
        guard let companyAccounts else { return }
        let row = try await db.raw(
            "SELECT money, currency, policy FROM corporate_quota WHERE subscriber_id = \(bind: line.rawValue)"
        ).first()
        var limit: Money?
        if let row, try row.decode(column: "policy", as: String.self) == QuotaLimits.Policy.personal.rawValue,
            let minor = try row.decode(column: "money", as: Int64?.self),
            let currency = Currency(code: try row.decode(column: "currency", as: String?.self) ?? "")
        {
            limit = Money(minorUnits: minor, currency: currency)
        }
        try await companyAccounts.setCoverLimit(limit, for: line, in: SQLWriteTransaction(db), now: now)
    }

    static let quotaColumns: SQLQueryString = """
        subscriber_id, company_id, money, currency, minutes, sms, megabytes, policy, request_id, applied_at
        """

    public func quotas(of lines: [SubscriberID]) async throws -> [SubscriberID: Quota] {
        guard !lines.isEmpty else { return [:] }
        let list = SQLList(Set(lines).map { SQLBind($0.rawValue) })
        let rows = try await database.read { db in
            try await db.raw("SELECT \(Self.quotaColumns) FROM corporate_quota WHERE subscriber_id IN (\(list))").all()
        }
        return Dictionary(rows.compactMap(Self.decodeQuota).map { ($0.line, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func quotas(after cursor: SubscriberID?, limit: Int) async throws -> [Quota] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.quotaColumns) FROM corporate_quota
                WHERE subscriber_id > \(bind: cursor?.rawValue ?? 0) AND money IS NOT NULL
                ORDER BY subscriber_id LIMIT \(literal: limit)
                """
            ).all()
        }.compactMap(Self.decodeQuota)
    }

    public func send(_ notices: [QuotaNotice], at now: Date) async throws -> Int {
        guard !notices.isEmpty else { return 0 }
        let queued = try await database.write { db in
            var queued = 0
            for notice in notices {
                let sms = OutgoingSMS(
                    to: notice.to, text: notice.text, purpose: "corporate.quota", dedupeKey: notice.dedupeKey)
                if try await Outbox.enqueue(sms, on: db, now: now) { queued += 1 }
            }
            return queued
        }
        if queued > 0 { messagesQueued() }
        return queued
    }

    static func limits(_ row: any SQLRow) -> QuotaLimits? {
        guard let policyText = try? row.decode(column: "policy", as: String?.self),
            let policy = QuotaLimits.Policy(rawValue: policyText)
        else { return nil }
        var money: Money?
        if let amount = (try? row.decode(column: "money", as: Int64?.self)) ?? nil,
            let code = (try? row.decode(column: "currency", as: String?.self)) ?? nil,
            let currency = Currency(code: code)
        {
            money = Money(minorUnits: amount, currency: currency)
        }
        return QuotaLimits(
            money: money, minutes: (try? row.decode(column: "minutes", as: Int?.self)) ?? nil,
            sms: (try? row.decode(column: "sms", as: Int?.self)) ?? nil,
            megabytes: (try? row.decode(column: "megabytes", as: Int?.self)) ?? nil, policy: policy)
    }

    static func decodeQuota(_ row: any SQLRow) -> Quota? {
        guard let line = try? row.decode(column: "subscriber_id", as: Int64.self),
            let company = CompanyID(rawValue: (try? row.decode(column: "company_id", as: String.self)) ?? ""),
            let limits = limits(row), let request = try? row.decode(column: "request_id", as: Int64.self),
            let applied = try? row.decode(column: "applied_at", as: Int64.self)
        else { return nil }
        return Quota(
            line: SubscriberID(line), company: company, limits: limits, requestID: request,
            appliedAt: Date(storageMilliseconds: applied))
    }

    static func decodeRequest(_ row: any SQLRow) -> QuotaRequest? {
        guard let id = try? row.decode(column: "id", as: Int64.self),
            let company = CompanyID(rawValue: (try? row.decode(column: "company_id", as: String.self)) ?? ""),
            let line = try? row.decode(column: "subscriber_id", as: Int64.self),
            let msisdn = MSISDN(e164: (try? row.decode(column: "msisdn", as: String.self)) ?? ""),
            let admin = try? row.decode(column: "admin_id", as: Int64.self),
            let action = QuotaRequest.Action(rawValue: (try? row.decode(column: "action", as: String.self)) ?? ""),
            let status = ServiceRequest.Status(rawValue: (try? row.decode(column: "status", as: String.self)) ?? ""),
            let created = try? row.decode(column: "created_at", as: Int64.self),
            let updated = try? row.decode(column: "updated_at", as: Int64.self)
        else { return nil }
        return QuotaRequest(
            id: id, company: company, line: SubscriberID(line), msisdn: msisdn, admin: admin, action: action,
            limits: limits(row), status: status, reason: (try? row.decode(column: "reason", as: String?.self)) ?? nil,
            createdAt: Date(storageMilliseconds: created), updatedAt: Date(storageMilliseconds: updated))
    }
}
