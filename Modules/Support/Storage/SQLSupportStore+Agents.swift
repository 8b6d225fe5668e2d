import CabinetCore
import CabinetStorage
public import Foundation
import SQLKit
public import Support

extension SQLSupportStore {
    static let agentColumns: SQLQueryString = """
        id, login, name, role, regions, password_hash, totp_secret, enrolled, password_set, disabled, failures,
        locked_until, last_step, created_at
        """

    public func addAgent(_ agent: Agent, passwordHash: String, totpSecret: String) async throws -> Agent {
        let row = try await database.write { db in
            do {
                return try await db.raw(
                    """
                    INSERT INTO support_agent (login, name, role, regions, password_hash, totp_secret, created_at)
                    VALUES (\(bind: agent.login), \(bind: agent.name), \(bind: agent.role.rawValue),
                        \(bind: agent.regions.map(\.rawValue).sorted().joined(separator: ",")), \(bind: passwordHash),
                        \(bind: totpSecret), \(bind: agent.createdAt.storageMilliseconds))
                    RETURNING \(Self.agentColumns)
                    """
                ).first()
            } catch  where StorageErrors.isUniqueViolation(error) {
                throw CabinetError(SupportError.agentExists)
            }
        }
        guard let row, let stored = try Self.decodeSecrets(row) else { throw CabinetError.internal("agent not stored") }
        return stored.agent
    }

    public func agent(login: String) async throws -> AgentSecrets? {
        try await database.read { db in
            try await db.raw("SELECT \(Self.agentColumns) FROM support_agent WHERE login = \(bind: login)").first()
        }.flatMap(Self.decodeSecrets)
    }

    public func agent(_ id: AgentID) async throws -> Agent? {
        try await database.read { db in
            try await db.raw("SELECT \(Self.agentColumns) FROM support_agent WHERE id = \(bind: id.rawValue)").first()
        }.flatMap(Self.decodeSecrets)?.agent
    }

    public func agents() async throws -> [Agent] {
        try await database.read { db in
            try await db.raw("SELECT \(Self.agentColumns) FROM support_agent ORDER BY login").all()
        }.compactMap { try Self.decodeSecrets($0)?.agent }
    }

    public func setDisabled(login: String, _ disabled: Bool) async throws -> Bool {
        try await database.write { db in
            guard
                let row = try await db.raw(
                    """
                    UPDATE support_agent SET disabled = \(bind: disabled ? 1 : 0) WHERE login = \(bind: login)
                    RETURNING id
                    """
                ).first()
            else { return false }
            if disabled {
                let id = try row.decode(column: "id", as: Int64.self)
                try await db.raw("DELETE FROM support_agent_session WHERE agent_id = \(bind: id)").run()
            }
            return true
        }
    }

    public func setPassword(_ agent: AgentID, hash: String, at: Date) async throws {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE support_agent SET password_hash = \(bind: hash), password_set = 1 WHERE id = \(bind: agent.rawValue)
                """
            ).run()
        }
    }

    public func loginFailed(_ agent: AgentID, maxFailures: Int, lockUntil: Date, at: Date) async throws {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE support_agent SET
                    locked_until = CASE WHEN failures + 1 >= \(bind: maxFailures)
                        THEN \(bind: lockUntil.storageMilliseconds) ELSE locked_until END,
                    failures = CASE WHEN failures + 1 >= \(bind: maxFailures) THEN 0 ELSE failures + 1 END
                WHERE id = \(bind: agent.rawValue)
                """
            ).run()
        }
    }

    public func loginSucceeded(_ agent: AgentID, step: Int64, at: Date) async throws -> Bool {
        try await database.write { db in
            try await db.raw(
                """
                UPDATE support_agent SET last_step = \(bind: step), failures = 0, locked_until = NULL, enrolled = 1
                WHERE id = \(bind: agent.rawValue) AND last_step < \(bind: step) AND disabled = 0
                RETURNING id
                """
            ).first() != nil
        }
    }

    public func createSession(tokenHash: String, agent: AgentID, csrf: String, expiresAt: Date, at: Date) async throws {
        try await database.write { db in
            // Expired sessions go as new ones come.
            try await db.raw(
                "DELETE FROM support_agent_session WHERE expires_at < \(bind: at.storageMilliseconds)"
            ).run()
            try await db.raw(
                """
                INSERT INTO support_agent_session (token_hash, agent_id, csrf, created_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: agent.rawValue), \(bind: csrf), \(bind: at.storageMilliseconds),
                    \(bind: expiresAt.storageMilliseconds))
                """
            ).run()
        }
    }

    public func session(tokenHash: String, at: Date) async throws -> AgentSession? {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT csrf, expires_at, agent_id FROM support_agent_session
                    WHERE token_hash = \(bind: tokenHash) AND expires_at > \(bind: at.storageMilliseconds)
                    """
                ).first(),
                let agentRow = try await db.raw(
                    """
                    SELECT \(Self.agentColumns) FROM support_agent
                    WHERE id = \(bind: try row.decode(column: "agent_id", as: Int64.self)) AND disabled = 0
                    """
                ).first(),
                let secrets = try Self.decodeSecrets(agentRow)
            else { return nil }
            return AgentSession(
                agent: secrets.agent, csrfToken: try row.decode(column: "csrf", as: String.self),
                expiresAt: Date(storageMilliseconds: try row.decode(column: "expires_at", as: Int64.self)))
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM support_agent_session WHERE token_hash = \(bind: tokenHash)").run()
        }
    }

    public func journal(_ entry: AgentJournalEntry) async throws {
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO support_agent_journal (agent_id, at, action, ticket_id, subscriber_id, detail)
                VALUES (\(bind: entry.agent.rawValue), \(bind: entry.at.storageMilliseconds), \(bind: entry.action),
                    \(bind: entry.ticketID), \(bind: entry.subscriberID?.rawValue), \(bind: entry.detail))
                """
            ).run()
        }
    }

    public func journal(ofTicket ticket: Int64) async throws -> [AgentJournalEntry] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT agent_id, at, action, ticket_id, subscriber_id, detail FROM support_agent_journal
                WHERE ticket_id = \(bind: ticket) ORDER BY id
                """
            ).all()
        }.map { row in
            AgentJournalEntry(
                agent: AgentID(try row.decode(column: "agent_id", as: Int64.self)),
                at: Date(storageMilliseconds: try row.decode(column: "at", as: Int64.self)),
                action: try row.decode(column: "action", as: String.self),
                ticketID: try row.decode(column: "ticket_id", as: Int64?.self),
                subscriberID: try row.decode(column: "subscriber_id", as: Int64?.self).map { SubscriberID($0) },
                detail: try row.decode(column: "detail", as: String?.self))
        }
    }

    static func decodeSecrets(_ row: any SQLRow) throws -> AgentSecrets? {
        guard let role = Agent.Role(rawValue: try row.decode(column: "role", as: String.self)) else { return nil }
        let regions = try row.decode(column: "regions", as: String.self).split(separator: ",").compactMap {
            RegionID(rawValue: String($0))
        }
        let agent = Agent(
            id: AgentID(try row.decode(column: "id", as: Int64.self)),
            login: try row.decode(column: "login", as: String.self),
            name: try row.decode(column: "name", as: String.self), role: role, regions: Set(regions),
            disabled: try row.decode(column: "disabled", as: Int.self) != 0,
            enrolled: try row.decode(column: "enrolled", as: Int.self) != 0,
            passwordSet: try row.decode(column: "password_set", as: Int.self) != 0,
            createdAt: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)))
        return AgentSecrets(
            agent: agent, passwordHash: try row.decode(column: "password_hash", as: String.self),
            totpSecret: try row.decode(column: "totp_secret", as: String.self),
            failures: try row.decode(column: "failures", as: Int.self),
            lockedUntil: try row.decode(column: "locked_until", as: Int64?.self).map(Date.init(storageMilliseconds:)),
            lastStep: try row.decode(column: "last_step", as: Int64.self))
    }
}
