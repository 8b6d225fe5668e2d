public import CabinetCore
import CabinetMessaging
import CabinetStorage
public import Corporate
public import Foundation
import SQLKit

extension SQLCorporateStore {
    static let bulkColumns: SQLQueryString = """
        b.id, b.company_id, b.admin_id, b.admin_name, b.kind, b.argument, b.status, b.request_id, b.total,
        b.refused_in_plan, b.created_at, b.started_at, b.finished_at,
        (SELECT COUNT(*) FROM corporate_bulk_item i WHERE i.operation_id = b.id AND i.outcome = 'done') AS n_done,
        (SELECT COUNT(*) FROM corporate_bulk_item i WHERE i.operation_id = b.id AND i.outcome = 'refused') AS n_refused,
        (SELECT COUNT(*) FROM corporate_bulk_item i WHERE i.operation_id = b.id AND i.outcome = 'failed') AS n_failed
        """

    public func insertBulk(_ action: BulkAction, plan: [BulkPlanLine], journal: JournalDraft) async throws
        -> BulkOperation
    {
        let at = journal.at.storageMilliseconds
        let id = try await database.write { db -> Int64 in
            let request = try await Self.record(journal, status: .pending, on: db)
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO corporate_bulk (company_id, admin_id, admin_name, kind, argument, status, request_id,
                        total, refused_in_plan, created_at)
                    VALUES (\(bind: journal.company.rawValue), \(bind: journal.admin), \(bind: journal.adminName),
                        \(bind: action.kind), \(bind: action.argument), 'planned', \(bind: request.id),
                        \(bind: plan.count), \(bind: plan.filter { $0.refusal != nil }.count), \(bind: at))
                    RETURNING id
                    """
                ).first()
            else { throw CabinetError.internal("bulk not stored") }
            let id = try row.decode(column: "id", as: Int64.self)
            let rows: [[SQLValue]] = plan.enumerated().map { position, line in
                [
                    .int(id), .int(Int64(position)), .int(line.line.rawValue), .text(line.msisdn.e164),
                    .optional(line.refusal), .optional(line.note), .word("pending"), .int(at),
                ]
            }
            try await SQLBatch.insert(
                """
                INSERT INTO corporate_bulk_item (operation_id, position, subscriber_id, msisdn, plan_refusal, plan_note,
                    outcome, updated_at)
                """, rows: rows, on: db)
            return id
        }
        guard let bulk = try await bulk(id) else { throw CabinetError.internal("bulk not stored") }
        return bulk
    }

    public func bulk(_ id: Int64) async throws -> BulkOperation? {
        try await database.read { db in
            try await db.raw("SELECT \(Self.bulkColumns) FROM corporate_bulk b WHERE b.id = \(bind: id)").first()
        }.flatMap(Self.decodeBulk)
    }

    public func bulks(of company: CompanyID, limit: Int) async throws -> [BulkOperation] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.bulkColumns) FROM corporate_bulk b WHERE b.company_id = \(bind: company.rawValue)
                ORDER BY b.id DESC LIMIT \(literal: limit)
                """
            ).all()
        }.compactMap(Self.decodeBulk)
    }

    public func start(_ bulk: Int64, at now: Date) async throws -> Bool {
        try await database.write { db in
            guard
                let row = try await db.raw(
                    """
                    UPDATE corporate_bulk SET status = 'running', started_at = \(bind: now.storageMilliseconds)
                    WHERE id = \(bind: bulk) AND status = 'planned' RETURNING request_id
                    """
                ).first()
            else { return false }
            try await SQLRequestRegistry.update(
                try row.decode(column: "request_id", as: Int64.self), status: .processing, detail: nil, at: now, on: db)
            return true
        }
    }

    public func runningBulks(limit: Int) async throws -> [BulkOperation] {
        try await database.read { db in
            try await db.raw(
                "SELECT \(Self.bulkColumns) FROM corporate_bulk b WHERE b.status = 'running' ORDER BY b.id LIMIT \(literal: limit)"
            ).all()
        }.compactMap(Self.decodeBulk)
    }

    public func claim(_ bulk: Int64, limit: Int, at now: Date) async throws -> [BulkItem] {
        let at = now.storageMilliseconds
        return try await database.write { db in
            // The candidates, then each taken by a conditional update: a line another server took is skipped.
            let candidates = try await db.raw(
                """
                SELECT position FROM corporate_bulk_item
                WHERE operation_id = \(bind: bulk) AND outcome = 'pending' ORDER BY position LIMIT \(literal: limit)
                """
            ).all().map { try $0.decode(column: "position", as: Int.self) }
            guard !candidates.isEmpty else { return [] }
            let list = SQLList(candidates.map { SQLBind($0) })
            return try await db.raw(
                """
                UPDATE corporate_bulk_item SET outcome = 'processing', updated_at = \(bind: at)
                WHERE operation_id = \(bind: bulk) AND position IN (\(list)) AND outcome = 'pending'
                RETURNING \(Self.itemColumns)
                """
            ).all().compactMap(Self.decodeItem).sorted { $0.position < $1.position }
        }
    }

    public func stuck(_ bulk: Int64, before cutoff: Date, limit: Int) async throws -> [BulkItem] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.itemColumns) FROM corporate_bulk_item
                WHERE operation_id = \(bind: bulk) AND outcome = 'processing'
                  AND updated_at < \(bind: cutoff.storageMilliseconds)
                ORDER BY position LIMIT \(literal: limit)
                """
            ).all()
        }.compactMap(Self.decodeItem)
    }

    public func finish(_ item: BulkItem, outcome: BulkItem.Outcome, requestID: Int64?, reason: String?, at now: Date)
        async throws
    {
        try await database.write { db in
            try await Self.finish(item, outcome: outcome, requestID: requestID, reason: reason, at: now, on: db)
        }
    }

    /// Records the outcome only for the claim `item` came from (its claim time is the token): a line another server
    /// claimed again since is not touched. `false` when the claim was no longer this one.
    @discardableResult
    static func finish(
        _ item: BulkItem, outcome: BulkItem.Outcome, requestID: Int64?, reason: String?, at now: Date,
        on db: any SQLDatabase
    ) async throws -> Bool {
        try await db.raw(
            """
            UPDATE corporate_bulk_item SET outcome = \(bind: outcome.rawValue), request_id = \(bind: requestID),
                reason = \(bind: reason), updated_at = \(bind: now.storageMilliseconds)
            WHERE operation_id = \(bind: item.operation) AND position = \(bind: item.position)
              AND outcome = 'processing' AND updated_at = \(bind: item.updatedAt.storageMilliseconds)
            RETURNING position
            """
        ).first() != nil
    }

    /// Thrown inside a line's transaction when its claim moved on (rolls the line's change back).
    static let claimLost = CabinetError.internal("the bulk line was claimed again")

    public func release(_ item: BulkItem, at now: Date) async throws {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE corporate_bulk_item SET outcome = 'pending', updated_at = \(bind: now.storageMilliseconds)
                WHERE operation_id = \(bind: item.operation) AND position = \(bind: item.position)
                  AND outcome = 'processing' AND updated_at = \(bind: item.updatedAt.storageMilliseconds)
                """
            ).run()
        }
    }

    public func finishWithQuota(
        _ item: BulkItem, action: QuotaRequest.Action, limits: QuotaLimits?, company: CompanyID, journal: JournalDraft
    ) async throws -> QuotaRequest {
        let at = journal.at.storageMilliseconds
        let row = try await database.write { db in
            // The line's outcome first: when its claim moved on, nothing of the change is written.
            guard try await Self.finish(item, outcome: .done, requestID: nil, reason: nil, at: journal.at, on: db)
            else {
                throw Self.claimLost
            }
            let request = try await Self.record(journal, status: .pending, on: db)
            let row = try await db.raw(
                """
                INSERT INTO corporate_quota_request (id, company_id, subscriber_id, msisdn, admin_id, action, money,
                    currency, minutes, sms, megabytes, policy, status, created_at, updated_at)
                VALUES (\(bind: request.id), \(bind: company.rawValue), \(bind: item.line.rawValue),
                    \(bind: item.msisdn.e164), \(bind: journal.admin), \(bind: action.rawValue),
                    \(bind: limits?.money?.minorUnits), \(bind: limits?.money?.currency.code), \(bind: limits?.minutes),
                    \(bind: limits?.sms), \(bind: limits?.megabytes), \(bind: limits?.policy.rawValue), 'pending',
                    \(bind: at), \(bind: at))
                RETURNING \(Self.requestColumns)
                """
            ).first()
            try await db.raw(
                """
                UPDATE corporate_bulk_item SET request_id = \(bind: request.id)
                WHERE operation_id = \(bind: item.operation) AND position = \(bind: item.position)
                """
            ).run()
            return row
        }
        guard let row, let request = Self.decodeRequest(row) else { throw CabinetError.internal("request not stored") }
        return request
    }

    public func finishWithSMS(_ item: BulkItem, text: String, journal: JournalDraft) async throws -> Int64 {
        let id = try await database.write { db in
            guard try await Self.finish(item, outcome: .done, requestID: nil, reason: nil, at: journal.at, on: db)
            else {
                throw Self.claimLost
            }
            let request = try await Self.record(journal, on: db)
            try await Outbox.enqueue(
                OutgoingSMS(
                    to: item.msisdn, text: text, purpose: "corporate.bulk",
                    dedupeKey: "corporate.bulk:\(item.operation):\(item.position)"),
                on: db, now: journal.at)
            try await db.raw(
                """
                UPDATE corporate_bulk_item SET request_id = \(bind: request.id)
                WHERE operation_id = \(bind: item.operation) AND position = \(bind: item.position)
                """
            ).run()
            return request.id
        }
        messagesQueued()
        return id
    }

    public func complete(_ bulk: Int64, at now: Date) async throws -> Bool {
        try await database.write { db in
            let open =
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM corporate_bulk_item
                    WHERE operation_id = \(bind: bulk) AND outcome IN ('pending', 'processing')
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            guard open == 0,
                let row = try await db.raw(
                    """
                    UPDATE corporate_bulk SET status = 'done', finished_at = \(bind: now.storageMilliseconds)
                    WHERE id = \(bind: bulk) AND status = 'running' RETURNING request_id
                    """
                ).first()
            else { return false }
            try await SQLRequestRegistry.update(
                try row.decode(column: "request_id", as: Int64.self), status: .done, detail: nil, at: now, on: db)
            return true
        }
    }

    public func items(of bulk: Int64, after position: Int?, limit: Int) async throws -> [BulkItem] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.itemColumns) FROM corporate_bulk_item
                WHERE operation_id = \(bind: bulk) AND position > \(bind: position ?? -1)
                ORDER BY position LIMIT \(literal: limit)
                """
            ).all()
        }.compactMap(Self.decodeItem)
    }

    static let itemColumns: SQLQueryString = """
        operation_id, position, subscriber_id, msisdn, plan_refusal, plan_note, outcome, request_id, reason, updated_at
        """

    static func decodeItem(_ row: any SQLRow) -> BulkItem? {
        guard let operation = try? row.decode(column: "operation_id", as: Int64.self),
            let position = try? row.decode(column: "position", as: Int.self),
            let line = try? row.decode(column: "subscriber_id", as: Int64.self),
            let msisdn = MSISDN(e164: (try? row.decode(column: "msisdn", as: String.self)) ?? ""),
            let outcome = BulkItem.Outcome(rawValue: (try? row.decode(column: "outcome", as: String.self)) ?? ""),
            let updated = try? row.decode(column: "updated_at", as: Int64.self)
        else { return nil }
        return BulkItem(
            operation: operation, position: position, line: SubscriberID(line), msisdn: msisdn,
            planRefusal: (try? row.decode(column: "plan_refusal", as: String?.self)) ?? nil,
            planNote: (try? row.decode(column: "plan_note", as: String?.self)) ?? nil, outcome: outcome,
            requestID: (try? row.decode(column: "request_id", as: Int64?.self)) ?? nil,
            reason: (try? row.decode(column: "reason", as: String?.self)) ?? nil,
            updatedAt: Date(storageMilliseconds: updated))
    }

    static func decodeBulk(_ row: any SQLRow) -> BulkOperation? {
        guard let id = try? row.decode(column: "id", as: Int64.self),
            let company = CompanyID(rawValue: (try? row.decode(column: "company_id", as: String.self)) ?? ""),
            let action = BulkAction(
                kind: (try? row.decode(column: "kind", as: String.self)) ?? "",
                argument: (try? row.decode(column: "argument", as: String.self)) ?? ""),
            let status = BulkOperation.Status(rawValue: (try? row.decode(column: "status", as: String.self)) ?? ""),
            let admin = try? row.decode(column: "admin_id", as: Int64.self),
            let adminName = try? row.decode(column: "admin_name", as: String.self),
            let request = try? row.decode(column: "request_id", as: Int64.self),
            let total = try? row.decode(column: "total", as: Int.self),
            let refusedInPlan = try? row.decode(column: "refused_in_plan", as: Int.self),
            let created = try? row.decode(column: "created_at", as: Int64.self)
        else { return nil }
        return BulkOperation(
            id: id, company: company, admin: admin, adminName: adminName, action: action, status: status,
            requestID: request, total: total, refusedInPlan: refusedInPlan,
            done: (try? row.decode(column: "n_done", as: Int.self)) ?? 0,
            refused: (try? row.decode(column: "n_refused", as: Int.self)) ?? 0,
            failed: (try? row.decode(column: "n_failed", as: Int.self)) ?? 0,
            createdAt: Date(storageMilliseconds: created),
            startedAt: ((try? row.decode(column: "started_at", as: Int64?.self)) ?? nil).map(
                Date.init(storageMilliseconds:)),
            finishedAt: ((try? row.decode(column: "finished_at", as: Int64?.self)) ?? nil).map(
                Date.init(storageMilliseconds:)))
    }
}
