public import Billing
public import CabinetCore
import CabinetStorage
public import Foundation
import SQLKit
public import Services

extension SQLServicesStore {
    static let suspensionColumns: SQLQueryString =
        "id, subscriber_id, region, starts_at, ends_at, first_day, resume_day, status, request_id"

    public func openSuspension(of line: SubscriberID) async throws -> Suspension? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.suspensionColumns) FROM services_suspension
                WHERE subscriber_id = \(bind: line.rawValue) AND status IN ('scheduled', 'active')
                """
            ).first().flatMap(Self.suspension)
        }
    }

    public func suspensionsStarting(of line: SubscriberID, from: Date, to: Date) async throws -> Int {
        try await database.read { db in try await Self.countStarting(line, from: from, to: to, on: db) }
    }

    public func planSuspension(_ order: SuspensionOrder) async throws -> (Suspension, ServiceRequest) {
        try await ledger.transaction(lines: [order.line]) { transaction, _ in
            let db = try transaction.sql()
            // The year's count and the open one are read under the line's lock.
            try await SQLLineLock.lock(order.line, space: Self.suspensionLockSpace, on: db)
            let open = try await db.raw(
                """
                SELECT id FROM services_suspension
                WHERE subscriber_id = \(bind: order.line.rawValue) AND status IN ('scheduled', 'active')
                """
            ).first()
            guard open == nil else { throw CabinetError(ServicesError.suspensionOpen) }
            let count = try await Self.countStarting(order.line, from: order.yearStart, to: order.yearEnd, on: db)
            guard count < order.perYear else {
                throw CabinetError(ServicesError.suspensionTooOften, arguments: ["max": String(order.perYear)])
            }
            let request = try await SQLRequestRegistry.open(
                kind: Suspension.requestKind, subscriber: order.line, status: .done,
                detail: "\(order.firstDay)..\(order.resumeDay)", at: order.at, on: db)
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO services_suspension (subscriber_id, region, starts_at, ends_at, first_day, resume_day,
                        status, request_id, created_at)
                    VALUES (\(bind: order.line.rawValue), \(bind: order.region.rawValue),
                        \(bind: order.startsAt.storageMilliseconds), \(bind: order.endsAt.storageMilliseconds),
                        \(bind: order.firstDay.description), \(bind: order.resumeDay.description), 'scheduled',
                        \(bind: request.id), \(bind: order.at.storageMilliseconds))
                    RETURNING \(Self.suspensionColumns)
                    """
                ).first(), let suspension = try Self.suspension(row)
            else { throw CabinetError.internal("INSERT … RETURNING gave no suspension") }
            return (suspension, request)
        }
    }

    public func dueSuspensions(now: Date, limit: Int) async throws -> [Suspension] {
        let at = now.storageMilliseconds
        return try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.suspensionColumns) FROM services_suspension
                WHERE (status = 'scheduled' AND starts_at <= \(bind: at)) OR (status = 'active' AND ends_at <= \(bind: at))
                ORDER BY id LIMIT \(literal: limit)
                """
            ).all().compactMap(Self.suspension)
        }
    }

    public func startSuspension(_ id: Int64, charge: RecurringCharge?, chargeFrom: Date, at: Date) async throws -> Bool
    {
        try await ledger.transaction(lines: []) { transaction, _ in
            let db = try transaction.sql()
            let won = try await db.raw(
                """
                UPDATE services_suspension SET status = 'active' WHERE id = \(bind: id) AND status = 'scheduled'
                RETURNING id
                """
            ).first()
            guard won != nil else { return false }
            if let charge {
                try await recurring.stop(key: charge.key, in: transaction)
                try await recurring.start(charge, at: chargeFrom, in: transaction)
            }
            return true
        }
    }

    public func endSuspension(_ id: Int64, of line: SubscriberID, detail: String, at: Date) async throws
        -> (request: ServiceRequest, wasRunning: Bool)?
    {
        try await ledger.transaction(lines: [line]) { transaction, _ in
            let db = try transaction.sql()
            guard
                let row = try await db.raw(
                    """
                    UPDATE services_suspension
                    SET status = CASE status WHEN 'scheduled' THEN 'cancelled' ELSE 'ended' END,
                        ended_at = \(bind: at.storageMilliseconds)
                    WHERE id = \(bind: id) AND status IN ('scheduled', 'active')
                    RETURNING status
                    """
                ).first()
            else { return nil }
            let status = try row.decode(column: "status", as: String.self)
            try await recurring.stop(key: Suspension.recurringKey(line: line), in: transaction)
            let request = try await SQLRequestRegistry.open(
                kind: Suspension.resumeKind, subscriber: line, status: .done,
                detail: status == "cancelled" ? "cancelled" : detail, at: at, on: db)
            return (request, status != "cancelled")
        }
    }

    static let suspensionLockSpace: Int32 = 7_302

    static func countStarting(_ line: SubscriberID, from: Date, to: Date, on db: any SQLDatabase) async throws -> Int {
        try await db.raw(
            """
            SELECT COUNT(*) AS n FROM services_suspension
            WHERE subscriber_id = \(bind: line.rawValue) AND status <> 'cancelled'
                AND starts_at >= \(bind: from.storageMilliseconds) AND starts_at < \(bind: to.storageMilliseconds)
            """
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    static func suspension(_ row: any SQLRow) throws -> Suspension? {
        guard let region = RegionID(rawValue: try row.decode(column: "region", as: String.self)),
            let first = LocalDate(try row.decode(column: "first_day", as: String.self)),
            let resume = LocalDate(try row.decode(column: "resume_day", as: String.self)),
            let status = Suspension.Status(rawValue: try row.decode(column: "status", as: String.self))
        else { return nil }
        return Suspension(
            id: try row.decode(column: "id", as: Int64.self),
            line: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)), region: region,
            firstDay: first, resumeDay: resume,
            startsAt: Date(storageMilliseconds: try row.decode(column: "starts_at", as: Int64.self)),
            endsAt: Date(storageMilliseconds: try row.decode(column: "ends_at", as: Int64.self)), status: status,
            requestID: try row.decode(column: "request_id", as: Int64.self))
    }
}
