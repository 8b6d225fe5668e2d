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
            ])
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
        return try decode(row)
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
