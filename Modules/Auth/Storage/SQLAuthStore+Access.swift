public import Auth
public import CabinetCore
import CabinetStorage
public import Foundation
import SQLKit

extension SQLAuthStore {
    // MARK: Linked numbers

    public func linkedLines(of holder: SubscriberID) async throws -> [SubscriberID] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT line_id FROM auth_line_link WHERE holder_id = \(bind: holder.rawValue) ORDER BY created_at, line_id
                """
            ).all().map { SubscriberID(try $0.decode(column: "line_id", as: Int64.self)) }
        }
    }

    public func linkHolders(of line: SubscriberID) async throws -> [SubscriberID] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT holder_id FROM auth_line_link WHERE line_id = \(bind: line.rawValue) ORDER BY created_at, holder_id
                """
            ).all().map { SubscriberID(try $0.decode(column: "holder_id", as: Int64.self)) }
        }
    }

    public func link(_ line: SubscriberID, to holder: SubscriberID, limit: Int, now: Date) async throws -> LinkOutcome {
        try await database.write { db in
            // Two confirmations at once must not both pass the limit.
            try await lock("link:\(holder.rawValue)", on: db)
            let held = try await db.raw(
                """
                SELECT line_id FROM auth_line_link WHERE holder_id = \(bind: holder.rawValue)
                """
            ).all().map { try $0.decode(column: "line_id", as: Int64.self) }
            if held.contains(line.rawValue) { return .alreadyLinked }
            if held.count >= limit { return .limitReached }
            do {
                try await db.raw(
                    """
                    INSERT INTO auth_line_link (holder_id, line_id, created_at)
                    VALUES (\(bind: holder.rawValue), \(bind: line.rawValue), \(bind: now.storageMilliseconds))
                    """
                ).run()
            } catch  where StorageErrors.isUniqueViolation(error) {
                return .alreadyLinked
            }
            return .linked
        }
    }

    public func unlink(_ line: SubscriberID, from holder: SubscriberID) async throws -> Bool {
        try await database.write { db in
            try await db.raw(
                """
                DELETE FROM auth_line_link WHERE holder_id = \(bind: holder.rawValue) AND line_id = \(bind: line.rawValue)
                RETURNING line_id
                """
            ).all().count == 1
        }
    }

    public func dropLinks(of line: SubscriberID) async throws -> [SubscriberID] {
        try await database.write { db in
            let rows = try await db.raw(
                """
                DELETE FROM auth_line_link WHERE holder_id = \(bind: line.rawValue) OR line_id = \(bind: line.rawValue)
                RETURNING holder_id, line_id
                """
            ).all()
            var partners: [SubscriberID] = []
            for row in rows {
                let holder = try row.decode(column: "holder_id", as: Int64.self)
                let other = SubscriberID(
                    holder == line.rawValue ? try row.decode(column: "line_id", as: Int64.self) : holder)
                if !partners.contains(other) { partners.append(other) }
            }
            return partners
        }
    }

    // MARK: Delegations

    static let delegationColumns: SQLQueryString =
        "id, owner_id, owner_msisdn, grantee, scopes, created_at, expires_at, revoked_at"

    public func grant(
        owner: SubscriberID, ownerMSISDN: MSISDN, grantee: MSISDN, scopes: Set<AccessScope>, expiresAt: Date,
        now: Date, messages: [OutgoingText]
    ) async throws -> Delegation {
        let text = scopes.map(\.rawValue).sorted().joined(separator: ",")
        let row = try await database.write { db in
            // A new grant to the same number replaces the old one.
            try await db.raw(
                """
                UPDATE auth_delegation SET revoked_at = \(bind: now.storageMilliseconds)
                WHERE owner_id = \(bind: owner.rawValue) AND grantee = \(bind: grantee.e164) AND revoked_at IS NULL
                """
            ).run()
            let row = try await db.raw(
                """
                INSERT INTO auth_delegation (owner_id, owner_msisdn, grantee, scopes, created_at, expires_at)
                VALUES (\(bind: owner.rawValue), \(bind: ownerMSISDN.e164), \(bind: grantee.e164), \(bind: text),
                        \(bind: now.storageMilliseconds), \(bind: expiresAt.storageMilliseconds))
                RETURNING \(Self.delegationColumns)
                """
            ).first()
            for message in messages { try await Self.enqueue(message, on: db, now: now) }
            return row
        }
        messagesQueued()
        guard let row, let delegation = try Self.decodeDelegation(row) else {
            throw CabinetError.internal("grant not stored")
        }
        return delegation
    }

    public func revoke(
        delegation id: Int64, owners: [SubscriberID], now: Date, messages: (Delegation) -> [OutgoingText]
    )
        async throws -> Delegation?
    {
        guard
            let current = try await database.read({ db in
                try await db.raw("SELECT \(Self.delegationColumns) FROM auth_delegation WHERE id = \(bind: id)").first()
            }).flatMap({ try Self.decodeDelegation($0) }), owners.contains(current.ownerID), current.revokedAt == nil
        else { return nil }
        let notes = messages(current)
        let revoked = try await database.write { db -> Bool in
            let rows = try await db.raw(
                """
                UPDATE auth_delegation SET revoked_at = \(bind: now.storageMilliseconds)
                WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING id
                """
            ).all()
            guard rows.count == 1 else { return false }
            for message in notes { try await Self.enqueue(message, on: db, now: now) }
            return true
        }
        guard revoked else { return nil }
        messagesQueued()
        var result = current
        result.revokedAt = now
        return result
    }

    public func delegations(owners: [SubscriberID]) async throws -> [Delegation] {
        guard !owners.isEmpty else { return [] }
        let ids = owners.map(\.rawValue)
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.delegationColumns) FROM auth_delegation WHERE owner_id IN (\(binds: ids)) ORDER BY id DESC LIMIT 200
                """
            ).all()
        }
        return try rows.compactMap(Self.decodeDelegation)
    }

    public func delegations(grantee: MSISDN, now: Date) async throws -> [Delegation] {
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.delegationColumns) FROM auth_delegation
                WHERE grantee = \(bind: grantee.e164) AND revoked_at IS NULL AND expires_at > \(bind: now.storageMilliseconds)
                ORDER BY id DESC
                """
            ).all()
        }
        return try rows.compactMap(Self.decodeDelegation)
    }

    public func activeDelegation(owner: SubscriberID, grantee: MSISDN, now: Date) async throws -> Delegation? {
        let row = try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.delegationColumns) FROM auth_delegation
                WHERE owner_id = \(bind: owner.rawValue) AND grantee = \(bind: grantee.e164) AND revoked_at IS NULL
                  AND expires_at > \(bind: now.storageMilliseconds)
                ORDER BY id DESC LIMIT 1
                """
            ).first()
        }
        return try row.flatMap(Self.decodeDelegation)
    }

    static func decodeDelegation(_ row: any SQLRow) throws -> Delegation? {
        guard let owner = MSISDN(e164: try row.decode(column: "owner_msisdn", as: String.self)),
            let grantee = MSISDN(e164: try row.decode(column: "grantee", as: String.self))
        else { return nil }
        let scopes = Set(
            try row.decode(column: "scopes", as: String.self).split(separator: ",").compactMap {
                AccessScope(rawValue: String($0))
            })
        return Delegation(
            id: try row.decode(column: "id", as: Int64.self),
            ownerID: SubscriberID(try row.decode(column: "owner_id", as: Int64.self)),
            ownerMSISDN: owner, grantee: grantee, scopes: scopes,
            createdAt: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            expiresAt: Date(storageMilliseconds: try row.decode(column: "expires_at", as: Int64.self)),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map(Date.init(storageMilliseconds:)))
    }

    // MARK: Social identities

    public func identity(provider: String, subject: String) async throws -> LinkedIdentity? {
        let row = try await database.read { db in
            try await db.raw(
                """
                SELECT provider, subject, subscriber_id, display_name, linked_at FROM auth_identity
                WHERE provider = \(bind: provider) AND subject = \(bind: subject)
                """
            ).first()
        }
        return try row.map(Self.decodeIdentity)
    }

    public func identities(of subscriber: SubscriberID) async throws -> [LinkedIdentity] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT provider, subject, subscriber_id, display_name, linked_at FROM auth_identity
                WHERE subscriber_id = \(bind: subscriber.rawValue) ORDER BY provider
                """
            ).all()
        }.map(Self.decodeIdentity)
    }

    public func linkIdentity(_ identity: LinkedIdentity) async throws -> Bool {
        do {
            try await database.write { db in
                try await db.raw(
                    """
                    INSERT INTO auth_identity (provider, subject, subscriber_id, display_name, linked_at)
                    VALUES (\(bind: identity.provider), \(bind: identity.subject), \(bind: identity.subscriberID.rawValue),
                            \(bind: identity.displayName), \(bind: identity.linkedAt.storageMilliseconds))
                    """
                ).run()
            }
            return true
        } catch  where StorageErrors.isUniqueViolation(error) {
            return false
        }
    }

    public func unlinkIdentity(provider: String, subscriber: SubscriberID) async throws -> Bool {
        try await database.write { db in
            try await db.raw(
                """
                DELETE FROM auth_identity WHERE provider = \(bind: provider) AND subscriber_id = \(bind: subscriber.rawValue) RETURNING subject
                """
            ).all().count > 0
        }
    }

    static func decodeIdentity(_ row: any SQLRow) throws -> LinkedIdentity {
        LinkedIdentity(
            provider: try row.decode(column: "provider", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            subscriberID: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)),
            displayName: try row.decode(column: "display_name", as: String?.self),
            linkedAt: Date(storageMilliseconds: try row.decode(column: "linked_at", as: Int64.self)))
    }

    public func saveSocialState(_ state: SocialState) async throws {
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO auth_social_state (state, provider, verifier, intent, session_id, expires_at, browser_hash)
                VALUES (\(bind: state.state), \(bind: state.provider), \(bind: state.verifier), \(bind: state.intent.rawValue),
                        \(bind: state.sessionID), \(bind: state.expiresAt.storageMilliseconds), \(bind: state.browserHash))
                """
            ).run()
        }
    }

    public func takeSocialState(_ state: String, now: Date) async throws -> SocialState? {
        let row = try await database.write { db in
            try await db.raw(
                """
                DELETE FROM auth_social_state WHERE state = \(bind: state)
                RETURNING state, provider, verifier, intent, session_id, expires_at, browser_hash
                """
            ).first()
        }
        guard let row, let intent = SocialState.Intent(rawValue: try row.decode(column: "intent", as: String.self))
        else { return nil }
        let expiresAt = Date(storageMilliseconds: try row.decode(column: "expires_at", as: Int64.self))
        guard expiresAt > now else { return nil }
        return SocialState(
            state: state, provider: try row.decode(column: "provider", as: String.self),
            verifier: try row.decode(column: "verifier", as: String.self), intent: intent,
            sessionID: try row.decode(column: "session_id", as: String?.self), expiresAt: expiresAt,
            browserHash: try row.decode(column: "browser_hash", as: String.self))
    }

    // MARK: Push

    public func insertPush(_ push: PushLogin) async throws {
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO auth_push (id, subscriber_id, msisdn, status, created_at, expires_at)
                VALUES (\(bind: push.id), \(bind: push.subscriberID?.rawValue), \(bind: push.msisdn.e164), \(bind: push.status.rawValue),
                        \(bind: push.createdAt.storageMilliseconds), \(bind: push.expiresAt.storageMilliseconds))
                """
            ).run()
        }
    }

    public func push(id: String) async throws -> PushLogin? {
        let row = try await database.read { db in
            try await db.raw(
                "SELECT id, subscriber_id, msisdn, status, created_at, expires_at FROM auth_push WHERE id = \(bind: id)"
            ).first()
        }
        guard let row, let msisdn = MSISDN(e164: try row.decode(column: "msisdn", as: String.self)),
            let status = PushLogin.Status(rawValue: try row.decode(column: "status", as: String.self))
        else { return nil }
        return PushLogin(
            id: id, subscriberID: try row.decode(column: "subscriber_id", as: Int64?.self).map { SubscriberID($0) },
            msisdn: msisdn,
            status: status, createdAt: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            expiresAt: Date(storageMilliseconds: try row.decode(column: "expires_at", as: Int64.self)))
    }

    public func resolvePush(id: String, to status: PushLogin.Status, now: Date) async throws -> Bool {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE auth_push SET status = \(bind: status.rawValue)
                WHERE id = \(bind: id) AND status = 'pending' AND subscriber_id IS NOT NULL
                  AND expires_at > \(bind: now.storageMilliseconds) RETURNING id
                """
            ).all().count == 1
        }
    }

    public func usePush(id: String, now: Date) async throws -> Bool {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE auth_push SET status = 'used'
                WHERE id = \(bind: id) AND status = 'confirmed' AND expires_at > \(bind: now.storageMilliseconds) RETURNING id
                """
            ).all().count == 1
        }
    }

    // MARK: E-mail

    public func confirmedEmail(of subscriber: SubscriberID) async throws -> String? {
        try await database.read { db in
            try await db.raw("SELECT email FROM auth_email WHERE subscriber_id = \(bind: subscriber.rawValue)").first()?
                .decode(column: "email", as: String.self)
        }
    }

    public func confirmEmail(_ email: String, for subscriber: SubscriberID, now: Date) async throws {
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO auth_email (subscriber_id, email, confirmed_at) VALUES (\(bind: subscriber.rawValue), \(bind: email), \(bind: now.storageMilliseconds))
                ON CONFLICT (subscriber_id) DO UPDATE SET email = \(bind: email), confirmed_at = \(bind: now.storageMilliseconds)
                """
            ).run()
        }
    }
}
