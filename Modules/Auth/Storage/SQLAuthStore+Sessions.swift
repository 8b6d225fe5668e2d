public import Auth
public import CabinetCore
import CabinetStorage
public import Foundation
import SQLKit

extension SQLAuthStore {
    static let sessionColumns: SQLQueryString = """
        id, token_hash, subscriber_id, msisdn, acting_subscriber_id, kind, method, created_at, last_seen_at, expires_at,
        idle_timeout_ms, client_address, user_agent, device_id, stepped_up_at, stepped_up_for, password_required, csrf_token
        """

    public func insertSession(_ session: AuthSession) async throws {
        try await writingSessions { db, touched in
            touched.insert(session.tokenHash)
            try await db.raw(
                """
                INSERT INTO auth_session (\(Self.sessionColumns)) VALUES (
                    \(bind: session.id), \(bind: session.tokenHash), \(bind: session.subscriberID.rawValue), \(bind: session.msisdn.e164),
                    \(bind: session.actingSubscriberID.rawValue), \(bind: session.kind.rawValue), \(bind: session.method.rawValue),
                    \(bind: session.createdAt.storageMilliseconds), \(bind: session.lastSeenAt.storageMilliseconds),
                    \(bind: session.expiresAt.storageMilliseconds), \(bind: Int64(session.idleTimeout.timeInterval * 1000)),
                    \(bind: session.client.address), \(bind: session.client.userAgent), \(bind: session.client.deviceID),
                    \(bind: session.steppedUpAt?.storageMilliseconds), \(bind: session.steppedUpFor?.rawValue),
                    \(bind: session.passwordRequired), \(bind: session.csrfToken))
                """
            ).run()
        }
    }

    public func session(tokenHash: String) async throws -> AuthSession? {
        if backend == .postgres, let seen = LineStamps.current {
            // The request's one round trip for the line: its stamps come with the session, and the line's rows cached
            // on this node answer the rest of the request when their stamps match (LineStampedCache).
            let row = try await database.read { db in
                try await db.raw(
                    """
                    SELECT \(Self.sessionColumns), row_version,
                        \(LineStampSchema.column("auth_session.subscriber_id", as: "own_stamp")),
                        \(LineStampSchema.column("auth_session.acting_subscriber_id", as: "acting_stamp"))
                    FROM auth_session WHERE token_hash = \(bind: tokenHash)
                    """
                ).first()
            }
            guard let row else { return nil }
            let id = try row.decode(column: "id", as: String.self)
            let version = try row.decode(column: "row_version", as: Int64.self)
            let session: AuthSession
            if let decoded = decodedSessions?.session(tokenHash, id: id, version: version) {
                session = decoded
            } else {
                session = try Self.decodeSession(row)
                decodedSessions?.keep(session, version: version)
            }
            seen.record(try row.decode(column: "own_stamp", as: Int64.self), of: session.subscriberID)
            seen.record(try row.decode(column: "acting_stamp", as: Int64.self), of: session.actingSubscriberID)
            return session
        }
        let load = {
            let row = try await database.read { db in
                try await db.raw(
                    "SELECT \(Self.sessionColumns) FROM auth_session WHERE token_hash = \(bind: tokenHash)"
                ).first()
            }
            return try row.map(Self.decodeSession)
        }
        guard let sessionCache else { return try await load() }
        return try await sessionCache.read(tokenHash, load: load)
    }

    /// Runs a write of sessions and drops the token hashes it names (old and new) from the cache afterwards.
    func writingSessions<T: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase, TouchedKeys<String>) async throws -> T
    )
        async throws -> T
    {
        let touched = TouchedKeys<String>()
        sessionCache?.beginWrite()
        defer { sessionCache?.invalidate(touched.all) }
        return try await database.write { db in try await body(db, touched) }
    }

    public func session(id: String) async throws -> AuthSession? {
        let row = try await database.read { db in
            try await db.raw("SELECT \(Self.sessionColumns) FROM auth_session WHERE id = \(bind: id)").first()
        }
        return try row.map(Self.decodeSession)
    }

    public func sessions(of subscriber: SubscriberID) async throws -> [AuthSession] {
        let rows = try await database.read { db in
            try await db.raw(
                "SELECT \(Self.sessionColumns) FROM auth_session WHERE subscriber_id = \(bind: subscriber.rawValue)"
            ).all()
        }
        return try rows.map(Self.decodeSession)
    }

    public func updateSession(_ session: AuthSession) async throws {
        try await writingSessions { db, touched in
            touched.insert(session.tokenHash)
            // A rotation replaces the token: the old hash must not keep finding the session.
            if let old = try await db.raw("SELECT token_hash FROM auth_session WHERE id = \(bind: session.id)").first()
            {
                touched.insert(try old.decode(column: "token_hash", as: String.self))
            }
            try await db.raw(
                """
                UPDATE auth_session SET token_hash = \(bind: session.tokenHash),
                    acting_subscriber_id = \(bind: session.actingSubscriberID.rawValue),
                    last_seen_at = \(bind: session.lastSeenAt.storageMilliseconds),
                    stepped_up_at = \(bind: session.steppedUpAt?.storageMilliseconds),
                    stepped_up_for = \(bind: session.steppedUpFor?.rawValue),
                    password_required = \(bind: session.passwordRequired)
                WHERE id = \(bind: session.id)
                """
            ).run()
        }
    }

    public func deleteSession(id: String) async throws {
        try await writingSessions { db, touched in
            for row in try await db.raw("DELETE FROM auth_session WHERE id = \(bind: id) RETURNING token_hash").all() {
                touched.insert(try row.decode(column: "token_hash", as: String.self))
            }
        }
    }

    public func deleteSessions(of subscriber: SubscriberID, except keeping: String?) async throws -> Int {
        try await writingSessions { db, touched in
            let rows = try await db.raw(
                """
                DELETE FROM auth_session WHERE subscriber_id = \(bind: subscriber.rawValue) AND id <> \(bind: keeping ?? "")
                RETURNING token_hash
                """
            ).all()
            touched.insert(contentsOf: try rows.map { try $0.decode(column: "token_hash", as: String.self) })
            return rows.count
        }
    }

    static func decodeSession(_ row: any SQLRow) throws -> AuthSession {
        let msisdnText = try row.decode(column: "msisdn", as: String.self)
        guard let msisdn = MSISDN(e164: msisdnText),
            let kind = AuthSession.Kind(rawValue: try row.decode(column: "kind", as: String.self)),
            let method = LoginMethod(rawValue: try row.decode(column: "method", as: String.self))
        else { throw CabinetError.internal("corrupt auth_session row") }
        return AuthSession(
            id: try row.decode(column: "id", as: String.self),
            tokenHash: try row.decode(column: "token_hash", as: String.self),
            subscriberID: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)), msisdn: msisdn,
            actingSubscriberID: SubscriberID(try row.decode(column: "acting_subscriber_id", as: Int64.self)),
            kind: kind, method: method,
            createdAt: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            lastSeenAt: Date(storageMilliseconds: try row.decode(column: "last_seen_at", as: Int64.self)),
            expiresAt: Date(storageMilliseconds: try row.decode(column: "expires_at", as: Int64.self)),
            idleTimeout: .milliseconds(try row.decode(column: "idle_timeout_ms", as: Int64.self)),
            client: ClientInfo(
                address: try row.decode(column: "client_address", as: String?.self),
                userAgent: try row.decode(column: "user_agent", as: String?.self),
                deviceID: try row.decode(column: "device_id", as: String?.self)),
            steppedUpAt: try row.decode(column: "stepped_up_at", as: Int64?.self).map(Date.init(storageMilliseconds:)),
            steppedUpFor: try row.decode(column: "stepped_up_for", as: Int64?.self).map { SubscriberID($0) },
            passwordRequired: try row.decode(column: "password_required", as: Bool.self),
            csrfToken: try row.decode(column: "csrf_token", as: String.self))
    }

    // MARK: Journal and devices

    public func record(_ entry: JournalEntry, message: OutgoingText?) async throws {
        try await database.write { db in
            try await Self.insertJournal(entry, on: db)
            if let message { try await Self.enqueue(message, on: db, now: entry.at) }
        }
        if message != nil { messagesQueued() }
    }

    static func insertJournal(_ entry: JournalEntry, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO auth_journal (subscriber_id, msisdn, at, event, method, client_address, user_agent, detail)
            VALUES (\(bind: entry.subscriberID?.rawValue), \(bind: entry.msisdn), \(bind: entry.at.storageMilliseconds),
                    \(bind: entry.event.rawValue), \(bind: entry.method?.rawValue), \(bind: entry.client.address),
                    \(bind: entry.client.userAgent), \(bind: entry.detail))
            """
        ).run()
    }

    public func journal(of subscriber: SubscriberID, before cursor: Int64?, limit: Int) async throws -> [JournalEntry] {
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT id, subscriber_id, msisdn, at, event, method, client_address, user_agent, detail FROM auth_journal
                WHERE subscriber_id = \(bind: subscriber.rawValue) AND id < \(bind: cursor ?? Int64.max)
                ORDER BY id DESC LIMIT \(literal: limit)
                """
            ).all()
        }
        return try rows.compactMap { row in
            guard let event = JournalEntry.Event(rawValue: try row.decode(column: "event", as: String.self)) else {
                return nil
            }
            return JournalEntry(
                id: try row.decode(column: "id", as: Int64.self),
                subscriberID: try row.decode(column: "subscriber_id", as: Int64?.self).map { SubscriberID($0) },
                msisdn: try row.decode(column: "msisdn", as: String.self),
                at: Date(storageMilliseconds: try row.decode(column: "at", as: Int64.self)), event: event,
                method: try row.decode(column: "method", as: String?.self).flatMap(LoginMethod.init(rawValue:)),
                client: ClientInfo(
                    address: try row.decode(column: "client_address", as: String?.self),
                    userAgent: try row.decode(column: "user_agent", as: String?.self)),
                detail: try row.decode(column: "detail", as: String?.self))
        }
    }

    public func rememberDevice(_ deviceHash: String, for subscriber: SubscriberID, now: Date) async throws
        -> DeviceOutcome
    {
        try await database.write { db in
            let known = try await db.raw(
                """
                SELECT device_hash FROM auth_device WHERE subscriber_id = \(bind: subscriber.rawValue)
                """
            ).all().map { try $0.decode(column: "device_hash", as: String.self) }
            if known.contains(deviceHash) { return .known }
            try await db.raw(
                """
                INSERT INTO auth_device (subscriber_id, device_hash, first_seen_at)
                VALUES (\(bind: subscriber.rawValue), \(bind: deviceHash), \(bind: now.storageMilliseconds))
                ON CONFLICT (subscriber_id, device_hash) DO NOTHING
                """
            ).run()
            return known.isEmpty ? .first : .new
        }
    }

    // MARK: Housekeeping

    public func purgeExpired(now: Date) async throws -> Int {
        let at = now.storageMilliseconds
        sessionCache?.beginWrite()
        defer { sessionCache?.invalidateAll() }
        return try await database.write { db in
            var removed = 0
            for statement: SQLQueryString in [
                "DELETE FROM auth_session WHERE expires_at < \(bind: at) RETURNING id",
                "DELETE FROM auth_code WHERE expires_at < \(bind: at - 86_400_000) RETURNING id",
                "DELETE FROM auth_rate_event WHERE at < \(bind: at - 2 * 86_400_000) RETURNING id",
                "DELETE FROM auth_social_state WHERE expires_at < \(bind: at) RETURNING state",
                "DELETE FROM auth_push WHERE expires_at < \(bind: at - 86_400_000) RETURNING id",
                "DELETE FROM auth_password_change WHERE at < \(bind: at - 2 * 86_400_000) RETURNING id",
            ] {
                removed += try await db.raw(statement).all().count
            }
            return removed
        }
    }
}
