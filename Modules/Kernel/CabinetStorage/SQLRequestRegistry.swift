public import CabinetCore
public import Foundation
public import SQLKit

/// Request records in `cabinet_request`; `open(…on:)` joins a caller's transaction so the record commits with the change.
public struct SQLRequestRegistry: RequestRegistry {
    let database: CabinetDatabase

    public init(database: CabinetDatabase) {
        self.database = database
    }

    public static let migrations: [Migration] = [
        Migration(
            "kernel-002-requests",
            sql: [
                """
                CREATE TABLE cabinet_request (
                    id {{pk}},
                    subscriber_id BIGINT NOT NULL,
                    kind TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'rejected', 'failed')),
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    detail TEXT
                )
                """,
                "CREATE INDEX cabinet_request_subscriber ON cabinet_request (subscriber_id, id)",
                "CREATE INDEX cabinet_request_open ON cabinet_request (kind, status)",
            ]),
        // Each status a request takes, with its time: the request's page shows its history («История заявок»).
        // Requests made before this table existed get their opening and present status as two events.
        Migration(
            "kernel-005-request-events",
            sql: [
                """
                CREATE TABLE cabinet_request_event (
                    id {{pk}},
                    request_id BIGINT NOT NULL,
                    status TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    detail TEXT
                )
                """,
                "CREATE INDEX cabinet_request_event_request ON cabinet_request_event (request_id, id)",
                """
                INSERT INTO cabinet_request_event (request_id, status, at, detail)
                SELECT id, 'pending', created_at, NULL FROM cabinet_request WHERE updated_at <> created_at
                """,
                """
                INSERT INTO cabinet_request_event (request_id, status, at, detail)
                SELECT id, status, updated_at, detail FROM cabinet_request
                """,
                "CREATE INDEX cabinet_request_subscriber_kind ON cabinet_request (subscriber_id, kind, id)",
            ]),
    ]

    static let columns: SQLQueryString = "id, subscriber_id, kind, status, created_at, updated_at, detail"

    public func open(
        kind: String, subscriber: SubscriberID, status: ServiceRequest.Status, detail: String?, at now: Date
    )
        async throws -> ServiceRequest
    {
        try await database.write { db in
            try await Self.open(kind: kind, subscriber: subscriber, status: status, detail: detail, at: now, on: db)
        }
    }

    /// Records a request inside the caller's transaction.
    public static func open(
        kind: String, subscriber: SubscriberID, status: ServiceRequest.Status, detail: String?, at now: Date,
        on db: any SQLDatabase
    ) async throws -> ServiceRequest {
        let at = now.storageMilliseconds
        guard
            let row = try await db.raw(
                """
                INSERT INTO cabinet_request (subscriber_id, kind, status, created_at, updated_at, detail)
                VALUES (\(bind: subscriber.rawValue), \(bind: kind), \(bind: status.rawValue), \(bind: at), \(bind: at), \(bind: detail))
                RETURNING \(columns)
                """
            ).first()
        else { throw CabinetError.internal("request not stored") }
        let request = try decode(row)
        try await recordEvent(request.id, status: status, detail: detail, at: at, on: db)
        return request
    }

    static func recordEvent(
        _ id: Int64, status: ServiceRequest.Status, detail: String?, at: Int64, on db: any SQLDatabase
    )
        async throws
    {
        try await db.raw(
            """
            INSERT INTO cabinet_request_event (request_id, status, at, detail)
            VALUES (\(bind: id), \(bind: status.rawValue), \(bind: at), \(bind: detail))
            """
        ).run()
    }

    public func update(_ id: Int64, status: ServiceRequest.Status, detail: String?, at now: Date) async throws {
        try await database.write { db in try await Self.update(id, status: status, detail: detail, at: now, on: db) }
    }

    public static func update(
        _ id: Int64, status: ServiceRequest.Status, detail: String?, at now: Date, on db: any SQLDatabase
    )
        async throws
    {
        try await db.raw(
            """
            UPDATE cabinet_request SET status = \(bind: status.rawValue), detail = COALESCE(\(bind: detail), detail),
                updated_at = \(bind: now.storageMilliseconds) WHERE id = \(bind: id)
            """
        ).run()
        try await recordEvent(id, status: status, detail: detail, at: now.storageMilliseconds, on: db)
    }

    public func requests(
        of subscriber: SubscriberID, matching filter: ServiceRequestFilter, before cursor: Int64?, limit: Int
    ) async throws -> [ServiceRequest] {
        var query: SQLQueryString = """
            SELECT \(Self.columns) FROM cabinet_request WHERE subscriber_id = \(bind: subscriber.rawValue)
              AND id < \(bind: cursor ?? Int64.max)
            """
        if !filter.kinds.isEmpty {
            var alternatives: [SQLQueryString] = []
            for kind in filter.kinds {
                if kind.hasSuffix(".*") {
                    // The kind's first characters compared as text: no LIKE (a wildcard in a kind cannot widen it),
                    // no range (collations order characters differently).
                    let prefix = String(kind.dropLast())
                    alternatives.append(
                        "substr(kind, 1, \(literal: prefix.count)) = \(bind: prefix)")
                } else {
                    alternatives.append("kind = \(bind: kind)")
                }
            }
            query = query + " AND (" + alternatives.joined(separator: " OR ") + ")"
        }
        if !filter.statuses.isEmpty {
            let statuses: [SQLQueryString] = filter.statuses.sorted { $0.rawValue < $1.rawValue }.map {
                "\(bind: $0.rawValue)"
            }
            query = query + " AND status IN (" + statuses.joined(separator: ", ") + ")"
        }
        if let from = filter.from { query = query + " AND created_at >= \(bind: from.storageMilliseconds)" }
        if let to = filter.to { query = query + " AND created_at < \(bind: to.storageMilliseconds)" }
        let final = query + " ORDER BY id DESC LIMIT \(literal: limit)"
        return try await database.read { db in try await db.raw(final).all() }.map(Self.decode)
    }

    public func events(of request: Int64) async throws -> [ServiceRequestEvent] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT status, at, detail FROM cabinet_request_event WHERE request_id = \(bind: request) ORDER BY id
                """
            ).all()
        }.map { row in
            ServiceRequestEvent(
                status: ServiceRequest.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
                at: Date(storageMilliseconds: try row.decode(column: "at", as: Int64.self)),
                detail: try row.decode(column: "detail", as: String?.self))
        }
    }

    public func requests(of subscriber: SubscriberID, before cursor: Int64?, limit: Int) async throws
        -> [ServiceRequest]
    {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.columns) FROM cabinet_request WHERE subscriber_id = \(bind: subscriber.rawValue)
                  AND id < \(bind: cursor ?? Int64.max) ORDER BY id DESC LIMIT \(literal: limit)
                """
            ).all()
        }.map(Self.decode)
    }

    public func request(_ id: Int64) async throws -> ServiceRequest? {
        try await database.read { db in
            try await db.raw("SELECT \(Self.columns) FROM cabinet_request WHERE id = \(bind: id)").first()
        }.map(Self.decode)
    }

    static func decode(_ row: any SQLRow) throws -> ServiceRequest {
        ServiceRequest(
            id: try row.decode(column: "id", as: Int64.self),
            subscriberID: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)),
            kind: try row.decode(column: "kind", as: String.self),
            status: ServiceRequest.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            createdAt: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(storageMilliseconds: try row.decode(column: "updated_at", as: Int64.self)),
            detail: try row.decode(column: "detail", as: String?.self))
    }
}
