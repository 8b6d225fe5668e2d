public import CabinetCore
public import Foundation
import Logging
import Subscribers

extension DefaultAuthService {
    /// Finds the session of a token and the line it acts on; `nil` when the token is unknown or the session has
    /// ended (idle or absolute timeout, enforced here, not by cookie expiry). Revoked access to the acting line
    /// falls back to the own line and throws `auth.accessRevoked` once.
    public func authenticate(token: String) async throws -> Authenticated? {
        guard token.count >= 32, token.count <= 64 else { return nil }
        guard var session = try await store.session(tokenHash: SecureRandom.sha256(token)) else { return nil }
        let now = clock.now
        guard session.isAlive(at: now) else {
            try await store.deleteSession(id: session.id)
            try await store.record(
                JournalEntry(
                    subscriberID: session.subscriberID, msisdn: session.msisdn.e164, at: now,
                    event: .sessionEnded, client: session.client,
                    detail: now >= session.expiresAt ? "absolute timeout" : "idle timeout"),
                message: nil)
            return nil
        }
        guard let line = try await lines.line(id: session.subscriberID), line.status != .terminated else {
            try await store.deleteSession(id: session.id)
            return nil
        }
        var changed = false
        // Activity is written at most once a minute: the idle timeout is minutes, a write per request is not needed.
        if now.timeIntervalSince(session.lastSeenAt) >= 60 {
            session.lastSeenAt = now
            changed = true
        }
        let access: LineAccess
        if session.actingSubscriberID == session.subscriberID {
            access = .owned(line.id, msisdn: line.msisdn, region: line.region, status: line.status)
        } else if let resolved = try await resolveAccess(session: session, to: session.actingSubscriberID) {
            access = resolved
        } else {
            session.actingSubscriberID = session.subscriberID
            try await store.updateSession(session)
            throw CabinetError(AuthError.accessRevoked)
        }
        if changed { try await store.updateSession(session) }
        return Authenticated(session: session, line: access, renewedToken: nil)
    }

    /// The right a session has on another line: linked to the same person, or delegated and not expired.
    func resolveAccess(session: AuthSession, to target: SubscriberID) async throws -> LineAccess? {
        guard let line = try await lines.line(id: target), line.status != .terminated else { return nil }
        if target == session.subscriberID {
            return .owned(line.id, msisdn: line.msisdn, region: line.region, status: line.status)
        }
        if try await store.linkedLines(of: session.subscriberID).contains(target) {
            return .owned(line.id, msisdn: line.msisdn, region: line.region, linked: true, status: line.status)
        }
        if let delegation = try await store.activeDelegation(owner: target, grantee: session.msisdn, now: clock.now) {
            return LineAccess(
                subscriberID: line.id, msisdn: line.msisdn, region: line.region,
                relation: .delegated(expiresAt: delegation.expiresAt), scopes: delegation.scopes, status: line.status)
        }
        return nil
    }

    /// A session by its public id, while it is alive.
    public func session(id: String) async throws -> AuthSession? {
        guard let session = try await store.session(id: id), session.isAlive(at: clock.now) else { return nil }
        return session
    }

    /// The service's clock (routes use it for step-up windows).
    public var now: Date { clock.now }

    /// Ends this session.
    public func logout(_ session: AuthSession) async throws {
        try await store.deleteSession(id: session.id)
        try await store.record(
            JournalEntry(
                subscriberID: session.subscriberID, msisdn: session.msisdn.e164, at: clock.now,
                event: .logout, client: session.client), message: nil)
    }

    /// "Выйти на всех других устройствах".
    public func logoutOthers(_ session: AuthSession) async throws -> Int {
        let ended = try await store.deleteSessions(of: session.subscriberID, except: session.id)
        try await store.record(
            JournalEntry(
                subscriberID: session.subscriberID, msisdn: session.msisdn.e164, at: clock.now,
                event: .logoutOthers, client: session.client, detail: "\(ended)"), message: nil)
        return ended
    }

    /// Ends one of the person's other sessions by its public id.
    public func endSession(id: String, of session: AuthSession) async throws -> Bool {
        let mine = try await store.sessions(of: session.subscriberID)
        guard mine.contains(where: { $0.id == id }) else { return false }
        try await store.deleteSession(id: id)
        return true
    }

    /// Active sessions of the person, the current one first.
    public func sessions(of session: AuthSession) async throws -> [AuthSession] {
        let now = clock.now
        return try await store.sessions(of: session.subscriberID).filter { $0.isAlive(at: now) }
            .sorted { ($0.id == session.id ? 0 : 1, $1.lastSeenAt) < ($1.id == session.id ? 0 : 1, $0.lastSeenAt) }
    }

    /// The visit journal of the session's own line, newest first.
    public func journal(of session: AuthSession, before cursor: Int64? = nil, limit: Int = 50) async throws
        -> [JournalEntry]
    {
        try await store.journal(of: session.subscriberID, before: cursor, limit: min(max(limit, 1), 201))
    }

    /// Issues a new token for the same session (after a privilege change), so a token seen before the change is
    /// worthless after it.
    public func rotate(_ session: AuthSession) async throws -> (token: String, session: AuthSession) {
        let token = SecureRandom.token()
        var rotated = session
        rotated.tokenHash = SecureRandom.sha256(token)
        try await store.updateSession(rotated)
        return (token, rotated)
    }

    // MARK: Step-up

    /// Sends a fresh code before a sensitive action to the number of the line the session acts on: its own, or the
    /// owner's when it acts on a delegated or linked line (the owner consents by passing the code on, or does not).
    public func requestStepUpCode(_ session: AuthSession, client: ClientInfo) async throws -> CodeSent {
        let acting = try await stepUpLine(session)
        let settings = policy(for: acting)
        return try await sendCode(purpose: .stepUp, key: acting.msisdn.e164, settings: settings, client: client) {
            code, hash, expiresAt in
            // The owner of another line did not ask: their text is in Russian, the default, and says who asks.
            let text =
                acting.id == session.subscriberID
                ? messages.text("auth.sms.stepUpCode", in: client.language, arguments: ["code": code])
                : messages.text(
                    "auth.sms.stepUpForOther", in: .ru, arguments: ["requester": session.msisdn.masked, "code": code])
            return CodeIssue(
                subscriberID: acting.id, sessionID: session.id, target: nil, codeHash: hash, expiresAt: expiresAt,
                message: OutgoingText(to: .phone(acting.msisdn), text: text, purpose: "auth.stepUp", sensitive: true))
        }
    }

    /// The line a step-up vouches for: the one the session acts on.
    func stepUpLine(_ session: AuthSession) async throws -> Line {
        guard let line = try await lines.line(id: session.actingSubscriberID) else {
            throw CabinetError(AuthError.lineNotAccessible, arguments: ["msisdn": session.msisdn.formatted])
        }
        return line
    }

    /// Confirms the step-up code; the session is then trusted for sensitive actions for five minutes, and its
    /// token is rotated (a privilege change).
    public func confirmStepUp(_ session: AuthSession, code: String, client: ClientInfo) async throws
        -> (token: String, session: AuthSession)
    {
        let acting = try await stepUpLine(session)
        let settings = policy(for: acting)
        let outcome = try await check(
            code, purpose: .stepUp, key: acting.msisdn.e164, sessionID: session.id,
            settings: settings, client: client)
        guard case .valid = outcome else { throw error(for: outcome) }
        var updated = session
        updated.steppedUpAt = clock.now
        updated.steppedUpFor = acting.id
        try await store.record(
            JournalEntry(
                subscriberID: session.subscriberID, msisdn: session.msisdn.e164, at: clock.now,
                event: .stepUp, method: .otp, client: client), message: nil)
        return try await rotate(updated)
    }
}

extension DefaultAuthService {
    public func recordSupportView(of line: SubscriberID, msisdn: MSISDN, agent: String, ticket: String, at: Date)
        async throws
    {
        try await store.record(
            JournalEntry(
                subscriberID: line, msisdn: msisdn.e164, at: at, event: .supportViewed,
                detail: "\(agent) · \(ticket)"),
            message: nil)
    }
}
