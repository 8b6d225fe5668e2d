import Billing
public import CabinetCore
import CabinetStorage
public import Foundation
import SQLKit
public import Services

extension SQLServicesStore {
    public func connectedOptions(of lines: [SubscriberID]) async throws -> [SubscriberID: Set<OptionID>] {
        guard !lines.isEmpty else { return [:] }
        let ids = SQLList(lines.map { SQLBind($0.rawValue) })
        return try await database.read { db in
            var result: [SubscriberID: Set<OptionID>] = [:]
            for row in try await db.raw(
                "SELECT subscriber_id, option_id FROM services_line_option WHERE subscriber_id IN (\(ids))"
            ).all() {
                guard let option = OptionID(rawValue: try row.decode(column: "option_id", as: String.self)) else {
                    continue
                }
                result[SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)), default: []].insert(
                    option)
            }
            return result
        }
    }

    public func blackList(of line: SubscriberID) async throws -> BlackListState? {
        try await database.read { db in
            try await db.raw(
                "SELECT active, changed_at, keep_until FROM services_blacklist WHERE subscriber_id = \(bind: line.rawValue)"
            ).first().map(Self.state)
        }
    }

    public func connectBlackList(_ order: BlackListOrder) async throws -> ServiceRequest {
        try await ledger.transaction(lines: [order.line]) { transaction, writer in
            let db = try transaction.sql()
            let at = order.at.storageMilliseconds
            if let current = try await Self.lockedState(order.line, on: db) {
                guard !current.active else { throw CabinetError(ServicesError.blackListOn) }
                if let keep = current.keepUntil, keep < order.at {
                    // Kept past their time: the service starts empty.
                    try await db.raw(
                        "DELETE FROM services_blacklist_entry WHERE subscriber_id = \(bind: order.line.rawValue)"
                    ).run()
                }
                try await db.raw(
                    """
                    UPDATE services_blacklist SET active = 1, changed_at = \(bind: at), keep_until = NULL
                    WHERE subscriber_id = \(bind: order.line.rawValue)
                    """
                ).run()
            } else {
                try await db.raw(
                    """
                    INSERT INTO services_blacklist (subscriber_id, active, changed_at)
                    VALUES (\(bind: order.line.rawValue), 1, \(bind: at))
                    """
                ).run()
            }
            let request = try await SQLRequestRegistry.open(
                kind: "services.blackList.on", subscriber: order.line, status: .done, detail: nil, at: order.at, on: db)
            var postings: [LedgerPosting] = []
            if order.connectionFee.isPositive {
                postings.append(
                    LedgerPosting(
                        externalID: "blacklist-on:\(request.id)", kind: .optionFee, line: order.line,
                        amount: try order.connectionFee.negated(), counterparty: .revenue,
                        explanation: "services.explain.blackListOn", allowsNegativeBalance: false, at: order.at))
            }
            if let charge = order.recurring {
                if order.firstPeriodFee.isPositive {
                    postings.append(
                        LedgerPosting(
                            externalID: charge.externalID(periodStart: order.at), kind: charge.kind, line: order.line,
                            amount: try order.firstPeriodFee.negated(), counterparty: .revenue,
                            explanation: "services.explain.blackListFirstFee", allowsNegativeBalance: false,
                            at: order.at))
                }
                try await recurring.start(charge, at: order.at, in: transaction)
            }
            try await Self.purchase(postings, total: order.chargedNow, with: writer)
            return request
        }
    }

    public func disconnectBlackList(of line: SubscriberID, keepUntil: Date, at: Date) async throws -> ServiceRequest {
        try await ledger.transaction(lines: [line]) { transaction, _ in
            let db = try transaction.sql()
            guard let current = try await Self.lockedState(line, on: db), current.active else {
                throw CabinetError(ServicesError.blackListOff)
            }
            try await db.raw(
                """
                UPDATE services_blacklist SET active = 0, changed_at = \(bind: at.storageMilliseconds),
                    keep_until = \(bind: keepUntil.storageMilliseconds) WHERE subscriber_id = \(bind: line.rawValue)
                """
            ).run()
            try await recurring.stop(key: BlackListOrder.recurringKey(line: line), in: transaction)
            return try await SQLRequestRegistry.open(
                kind: "services.blackList.off", subscriber: line, status: .done, detail: nil, at: at, on: db)
        }
    }

    public func entries(of line: SubscriberID) async throws -> [BlackListEntry] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT number, label, added_at FROM services_blacklist_entry
                WHERE subscriber_id = \(bind: line.rawValue) ORDER BY added_at DESC, number
                """
            ).all().compactMap { row in
                guard let number = PhoneNumber(e164: try row.decode(column: "number", as: String.self)) else {
                    return nil
                }
                return BlackListEntry(
                    line: line, number: number, label: try row.decode(column: "label", as: String?.self),
                    addedAt: Date(storageMilliseconds: try row.decode(column: "added_at", as: Int64.self)))
            }
        }
    }

    public func addEntry(_ entry: BlackListEntry, maxEntries: Int, fee: Money, at: Date) async throws
        -> ServiceRequest
    {
        try await ledger.transaction(lines: [entry.line]) { transaction, writer in
            let db = try transaction.sql()
            // The service row is the line's lock: concurrent adds count one after another.
            guard let state = try await Self.lockedState(entry.line, on: db), state.active else {
                throw CabinetError(ServicesError.blackListOff)
            }
            let count =
                try await db.raw(
                    "SELECT COUNT(*) AS n FROM services_blacklist_entry WHERE subscriber_id = \(bind: entry.line.rawValue)"
                ).first()?.decode(column: "n", as: Int64.self) ?? 0
            guard count < Int64(maxEntries) else {
                throw CabinetError(ServicesError.blackListFull, arguments: ["max": String(maxEntries)])
            }
            let inserted = try await db.raw(
                """
                INSERT INTO services_blacklist_entry (subscriber_id, number, label, added_at)
                VALUES (\(bind: entry.line.rawValue), \(bind: entry.number.e164), \(bind: entry.label),
                    \(bind: at.storageMilliseconds))
                ON CONFLICT (subscriber_id, number) DO NOTHING RETURNING number
                """
            ).first()
            guard inserted != nil else {
                throw CabinetError(ServicesError.blackListHas, arguments: ["number": entry.number.e164])
            }
            let request = try await SQLRequestRegistry.open(
                kind: "services.blackList.add", subscriber: entry.line, status: .done, detail: entry.number.e164,
                at: at, on: db)
            if fee.isPositive {
                try await Self.purchase(
                    [
                        LedgerPosting(
                            externalID: "blacklist-add:\(request.id)", kind: .optionFee, line: entry.line,
                            amount: try fee.negated(), counterparty: .revenue,
                            explanation: "services.explain.blackListAdd", arguments: ["number": entry.number.e164],
                            allowsNegativeBalance: false, at: at)
                    ], total: fee, with: writer)
            }
            return request
        }
    }

    public func removeEntry(_ number: PhoneNumber, of line: SubscriberID, at: Date) async throws -> ServiceRequest {
        try await database.write { db in
            let gone = try await db.raw(
                """
                DELETE FROM services_blacklist_entry WHERE subscriber_id = \(bind: line.rawValue) AND number = \(bind: number.e164)
                RETURNING number
                """
            ).first()
            guard gone != nil else {
                throw CabinetError(ServicesError.blackListNotThere, arguments: ["number": number.e164])
            }
            return try await SQLRequestRegistry.open(
                kind: "services.blackList.remove", subscriber: line, status: .done, detail: number.e164, at: at,
                on: db)
        }
    }

    public func blockedCalls(of line: SubscriberID, since: Date, limit: Int) async throws -> [BlockedCall] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT event_id, caller, kind, at FROM services_blocked_call
                WHERE subscriber_id = \(bind: line.rawValue) AND at >= \(bind: since.storageMilliseconds)
                ORDER BY at DESC LIMIT \(literal: limit)
                """
            ).all().map { row in
                BlockedCall(
                    eventID: try row.decode(column: "event_id", as: String.self), line: line,
                    caller: try row.decode(column: "caller", as: String.self),
                    kind: CallAttempt.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .voice,
                    at: Date(storageMilliseconds: try row.decode(column: "at", as: Int64.self)))
            }
        }
    }

    public func blackListed(_ pairs: [(callee: SubscriberID, caller: String)]) async throws -> Set<BlackListHit> {
        let wanted = Set(pairs.map { BlackListHit(callee: $0.callee, caller: $0.caller) })
        guard !wanted.isEmpty else { return [] }
        // The exact pairs, joined on the entry's key: one index probe per pair (a cross product of callees and callers
        // would probe each combination). Everything is bound, so a batch of one size is one kept statement.
        var query = SQLQueryString("WITH wanted (subscriber_id, number) AS (VALUES")
        for (index, hit) in wanted.enumerated() {
            query.appendLiteral(index == 0 ? " (CAST(" : ", (CAST(")
            query.appendInterpolation(bind: hit.callee.rawValue)
            query.appendLiteral(" AS BIGINT), ")
            query.appendInterpolation(bind: hit.caller)
            query.appendLiteral(")")
        }
        query.appendLiteral(
            """
            ) SELECT e.subscriber_id, e.number FROM wanted w
            JOIN services_blacklist_entry e ON e.subscriber_id = w.subscriber_id AND e.number = w.number
            JOIN services_blacklist b ON b.subscriber_id = e.subscriber_id AND b.active = 1
            """)
        let statement = query
        // A read: the network's check never waits for the writer.
        let rows = try await database.read { db in try await db.raw(statement).all() }
        var hits: Set<BlackListHit> = []
        for row in rows {
            hits.insert(
                BlackListHit(
                    callee: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)),
                    caller: try row.decode(column: "number", as: String.self)))
        }
        return hits
    }

    @discardableResult
    public func logBlocked(_ calls: [BlockedCall]) async throws -> Int {
        guard !calls.isEmpty else { return 0 }
        // One statement for the whole batch; an event id seen before inserts nothing.
        var insert = SQLQueryString(
            "INSERT INTO services_blocked_call (event_id, subscriber_id, caller, kind, at) VALUES")
        for (index, call) in calls.enumerated() {
            insert.appendLiteral(index == 0 ? " (" : ", (")
            insert.appendInterpolation(
                binds: [call.eventID, call.line.rawValue, call.caller, call.kind.rawValue, call.at.storageMilliseconds]
                    as [any Encodable & Sendable])
            insert.appendLiteral(")")
        }
        insert.appendLiteral(" ON CONFLICT (event_id) DO NOTHING RETURNING event_id")
        let statement = insert
        return try await database.write { db in try await db.raw(statement).all().count }
    }

    // MARK: - Helpers

    static func state(_ row: any SQLRow) throws -> BlackListState {
        BlackListState(
            active: try row.decode(column: "active", as: Int.self) == 1,
            changedAt: Date(storageMilliseconds: try row.decode(column: "changed_at", as: Int64.self)),
            keepUntil: try row.decode(column: "keep_until", as: Int64?.self).map(Date.init(storageMilliseconds:)))
    }

    /// The line's black list row, locked on PostgreSQL until the transaction ends (SQLite has one writer).
    static func lockedState(_ line: SubscriberID, on db: any SQLDatabase) async throws -> BlackListState? {
        let lock: SQLQueryString = db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        return try await db.raw(
            """
            SELECT active, changed_at, keep_until FROM services_blacklist WHERE subscriber_id = \(bind: line.rawValue)\(lock)
            """
        ).first().map(state)
    }
}
