public import CabinetCore
import Foundation
import Logging
import Subscribers

extension DefaultAuthService {
    /// Checks a new password against the rules (length, common passwords, not the phone number).
    public func validateNewPassword(_ password: String, for msisdn: MSISDN, policy: AuthSettings.PasswordPolicy) throws
    {
        let normalized = Self.normalize(password)
        if normalized.count < policy.minLength {
            throw AuthError.invalid(
                AuthError.passwordTooShort, field: "password", arguments: ["min": String(policy.minLength)])
        }
        // Long passwords are accepted whole (pre-hashed before bcrypt); a cap keeps hashing cheap to ask for.
        if normalized.utf8.count > 1024 {
            throw AuthError.invalid(AuthError.passwordTooLong, field: "password", arguments: ["max": "1024"])
        }
        if commonPasswords.contains(normalized) {
            throw AuthError.invalid(AuthError.passwordCommon, field: "password")
        }
        let digits = normalized.filter(\.isNumber)
        if digits.count >= 10,
            msisdn.e164.hasSuffix(String(digits.suffix(10))) || digits.contains(msisdn.nationalNumber)
        {
            throw AuthError.invalid(AuthError.passwordIsNumber, field: "password")
        }
    }

    /// Sets or changes the password of the session's own line. At most `maxChangesPerDay` changes in 24 hours
    /// (the first password set does not count); other sessions end; the owner is told by SMS.
    public func setPassword(_ password: String, session: AuthSession, proof: PasswordProof, client: ClientInfo)
        async throws -> AuthSession
    {
        guard let line = try await lines.line(id: session.subscriberID) else {
            throw CabinetError(AuthError.required)
        }
        let settings = policy(for: line)
        let now = clock.now
        let existing = try await store.passwordHash(of: line.id)
        switch proof {
        case .pukLogin:
            guard session.passwordRequired else { throw CabinetError(AuthError.passwordProofMissing) }
        case .recentCode:
            guard let at = session.steppedUpAt, now.timeIntervalSince(at) <= 300,
                session.steppedUpFor == session.subscriberID
            else {
                throw CabinetError(AuthError.stepUpRequired)
            }
        case .currentPassword(let current):
            let key = String(line.id.rawValue)
            try await checkNotDelayed(factor: "password", key: key, policy: settings.password)
            guard let existing, await hasher.verify(secrets.passwordPrehash(Self.normalize(current)), against: existing)
            else {
                _ = try await store.recordFailure(factor: "password", key: key, now: now) { count in
                    count >= settings.password.lockAfterFailures ? Date.distantFuture : nil
                }
                throw AuthError.invalid(AuthError.passwordCurrentWrong, field: "currentPassword")
            }
        }
        try validateNewPassword(password, for: line.msisdn, policy: settings.password)
        let hash = await hasher.hash(secrets.passwordPrehash(Self.normalize(password)))
        guard
            try await store.setPassword(
                hash, for: line.id, now: now,
                maxChangesPerDay: existing == nil ? nil : settings.password.maxChangesPerDay)
        else {
            throw CabinetError(
                AuthError.passwordChangeLimit, arguments: ["count": String(settings.password.maxChangesPerDay)])
        }
        try await store.clearFailures(factor: "password", key: String(line.id.rawValue))
        let ended = try await store.deleteSessions(of: line.id, except: session.id)
        try await store.record(
            JournalEntry(
                subscriberID: line.id, msisdn: line.msisdn.e164, at: now,
                event: existing == nil ? .passwordSet : .passwordChanged,
                client: client, detail: ended > 0 ? "\(ended) other session(s) ended" : nil),
            message: OutgoingText(
                to: .phone(line.msisdn),
                text: messages.text(
                    existing == nil ? "auth.sms.passwordSet" : "auth.sms.passwordChanged",
                    in: client.language),
                purpose: "auth.passwordChanged"))
        var updated = session
        updated.passwordRequired = false
        try await store.updateSession(updated)
        return updated
    }

    /// "Вспомнить пароль": sends a reset code (same answer for any number).
    public func requestPasswordReset(for msisdn: MSISDN, client: ClientInfo) async throws -> CodeSent {
        let active = try await activeLine(msisdn)
        let settings = active?.1 ?? policy(for: msisdn, line: nil)
        return try await sendCode(purpose: .reset, key: msisdn.e164, settings: settings, client: client) {
            code, hash, expiresAt in
            guard let (line, _) = active else {
                return CodeIssue(
                    subscriberID: nil, sessionID: nil, target: nil, codeHash: hash, expiresAt: expiresAt, message: nil)
            }
            return CodeIssue(
                subscriberID: line.id, sessionID: nil, target: nil, codeHash: hash, expiresAt: expiresAt,
                message: OutgoingText(
                    to: .phone(msisdn),
                    text: messages.text("auth.sms.resetCode", in: client.language, arguments: ["code": code]),
                    purpose: "auth.reset", sensitive: true))
        }
    }

    /// Sets a new password with a reset code and logs in; every other session ends and the lock is lifted.
    public func resetPassword(
        msisdn: MSISDN, code: String, newPassword: String, kind: AuthSession.Kind, client: ClientInfo
    )
        async throws -> LoginResult
    {
        let active = try await activeLine(msisdn)
        let settings = active?.1 ?? policy(for: msisdn, line: nil)
        // The password is checked before the code, so a bad password does not burn the code, and for every number
        // alike (the policy of the number's region, whether or not it is a line): the answer tells nothing about it.
        try validateNewPassword(newPassword, for: msisdn, policy: settings.password)
        let outcome = try await check(
            code, purpose: .reset, key: msisdn.e164, sessionID: nil, settings: settings, client: client)
        guard case .valid = outcome, let (line, settings) = active else {
            try await recordFailure(msisdn, line: active?.0, method: .otp, client: client, detail: "reset \(outcome)")
            throw error(for: outcome == .valid(subscriberID: nil, target: nil) ? .noCode : outcome)
        }
        let hash = await hasher.hash(secrets.passwordPrehash(Self.normalize(newPassword)))
        // A reset is not a change by a logged-in person: it does not count against the daily change limit.
        _ = try await store.setPassword(hash, for: line.id, now: clock.now, maxChangesPerDay: nil)
        try await store.clearFailures(factor: "password", key: String(line.id.rawValue))
        let ended = try await store.deleteSessions(of: line.id, except: nil)
        // Whoever reset the password may not be whoever linked the line: its links end both ways.
        try await dropLinks(of: line, client: client)
        try await store.record(
            JournalEntry(
                subscriberID: line.id, msisdn: line.msisdn.e164, at: clock.now, event: .passwordReset, method: .otp,
                client: client, detail: ended > 0 ? "\(ended) session(s) ended" : nil),
            message: OutgoingText(
                to: .phone(line.msisdn), text: messages.text("auth.sms.passwordReset", in: client.language),
                purpose: "auth.passwordReset"))
        return try await openSession(for: line, settings: settings, method: .otp, kind: kind, client: client)
    }

    /// Whether the session's line has a password (the security page offers "set" or "change").
    public func hasPassword(_ session: AuthSession) async throws -> Bool {
        try await store.passwordHash(of: session.subscriberID) != nil
    }
}

/// What proves the person may change the password.
public enum PasswordProof: Sendable {
    /// The current password.
    case currentPassword(String)
    /// A step-up code confirmed in this session within five minutes (or the login itself was by SMS code just now).
    case recentCode
    /// Right after a PUK login, when setting the first password is required.
    case pukLogin
}
