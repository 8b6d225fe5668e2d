public import CabinetCore
import Foundation
import Logging
import Subscribers

extension DefaultAuthService {
    /// `POST /auth/otp`: sends a login code when the number is an active line; answers the same for any number.
    public func requestLoginCode(for msisdn: MSISDN, client: ClientInfo) async throws -> CodeSent {
        let active = try await activeLine(msisdn)
        let settings = active?.1 ?? policy(for: msisdn, line: nil)
        return try await sendCode(purpose: .login, key: msisdn.e164, settings: settings, client: client) {
            code, hash, expiresAt in
            guard let (line, settings) = active else {
                return CodeIssue(
                    subscriberID: nil, sessionID: nil, target: nil, codeHash: hash, expiresAt: expiresAt, message: nil)
            }
            let minutes = Int(settings.otp.lifetime.timeInterval / 60)
            return CodeIssue(
                subscriberID: line.id, sessionID: nil, target: nil, codeHash: hash, expiresAt: expiresAt,
                message: OutgoingText(
                    to: .phone(msisdn),
                    text: messages.text(
                        "auth.sms.loginCode", in: client.language,
                        arguments: ["code": code, "minutes": String(minutes)])
                        + (webOTPHost.map { "\n@\($0) #\(code)" } ?? ""),
                    purpose: "auth.login", sensitive: true))
        }
    }

    /// Logs in with the newest login code sent to the number.
    public func login(msisdn: MSISDN, code: String, kind: AuthSession.Kind, client: ClientInfo) async throws
        -> LoginResult
    {
        let active = try await activeLine(msisdn)
        let settings = active?.1 ?? policy(for: msisdn, line: nil)
        let failure = JournalEntry(
            subscriberID: active?.0.id, msisdn: msisdn.e164, at: clock.now, event: .loginFailed, method: .otp,
            client: client, detail: "wrong code")
        let outcome = try await check(
            code, purpose: .login, key: msisdn.e164, sessionID: nil, settings: settings, client: client,
            failureJournal: failure)
        guard case .valid = outcome, let (line, _) = active else {
            if case .locked = outcome, let line = active?.0 {
                try await store.record(
                    JournalEntry(
                        subscriberID: line.id, msisdn: msisdn.e164, at: clock.now, event: .codeLocked,
                        method: .otp, client: client), message: nil)
            }
            throw error(for: outcome == .valid(subscriberID: nil, target: nil) ? .noCode : outcome)
        }
        return try await openSession(for: line, settings: settings, method: .otp, kind: kind, client: client)
    }

    /// Logs in with number and password. Every failure answers `auth.login.failed`, whatever the reason.
    public func login(msisdn: MSISDN, password: String, kind: AuthSession.Kind, client: ClientInfo) async throws
        -> LoginResult
    {
        let active = try await activeLine(msisdn)
        let settings = active?.1 ?? policy(for: msisdn, line: nil)
        let key = active.map { String($0.0.id.rawValue) } ?? "unknown:\(msisdn.e164)"
        try await checkNotDelayed(factor: "password", key: key, policy: settings.password)
        try await checkAddress(client, policy: settings.password)
        let stored = try await active.asyncFlatMap { try await store.passwordHash(of: $0.0.id) }
        let matches = try await hashGate.run {
            await hasher.verify(secrets.passwordPrehash(Self.normalize(password)), against: stored ?? decoyHash)
        }
        guard matches, stored != nil, let (line, settings) = active else {
            try await recordAddressFailure(client, policy: settings.password)
            let state = try await store.recordFailure(factor: "password", key: key, now: clock.now) { count in
                count >= settings.password.lockAfterFailures ? Date.distantFuture : nil
            }
            try await recordFailure(
                msisdn, line: active?.0, method: .password, client: client, detail: "wrong password")
            if state.consecutive == settings.password.lockAfterFailures, let line = active?.0 {
                try await store.record(
                    JournalEntry(
                        subscriberID: line.id, msisdn: msisdn.e164, at: clock.now,
                        event: .passwordLocked, method: .password, client: client),
                    message: OutgoingText(
                        to: .phone(msisdn),
                        text: messages.text("auth.sms.passwordLocked", in: client.language),
                        purpose: "auth.passwordLocked"))
            }
            throw CabinetError(AuthError.loginFailed)
        }
        try await store.clearFailures(factor: "password", key: key)
        return try await openSession(for: line, settings: settings, method: .password, kind: kind, client: client)
    }

    /// Logs in with the PUK code of the SIM pack; the person must then set a password.
    public func login(msisdn: MSISDN, puk: String, kind: AuthSession.Kind, client: ClientInfo) async throws
        -> LoginResult
    {
        let line = try await checkPUK(puk, of: msisdn, client: client)
        // A PUK login is how a found or re-issued SIM gets back in: whoever holds it now inherits no links.
        try await dropLinks(of: line, client: client)
        return try await openSession(
            for: line, settings: policy(for: msisdn, line: line), method: .puk, kind: kind, client: client,
            passwordRequired: true)
    }

    public func confirmPUK(_ puk: String, of msisdn: MSISDN, clientAddress: String?) async throws -> SubscriberID {
        try await checkPUK(puk, of: msisdn, client: ClientInfo(address: clientAddress)).id
    }

    /// The line whose PUK this is, under the PUK lock-outs: ten wrong ones from an address, thirty from anywhere, lock
    /// the SIM's PUK for `pukLockDuration`.
    func checkPUK(_ puk: String, of msisdn: MSISDN, client: ClientInfo) async throws -> Line {
        let digits = puk.filter { !$0.isWhitespace }
        guard digits.count == 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw AuthError.invalid(AuthError.pukFormat, field: "puk")
        }
        // PUK login works for blocked lines too: it is how a found SIM gets back in.
        let line = try await lines.line(msisdn: msisdn).flatMap { $0.status == .terminated ? nil : $0 }
        let settings = policy(for: msisdn, line: line)
        let key = line.map { String($0.id.rawValue) } ?? "unknown:\(msisdn.e164)"
        // Locked from this address (ten wrong PUKs from here) or for everyone (thirty from anywhere), for a day: a
        // stranger cannot keep the owner's PUK locked for good, and guessing 8 digits stays hopeless either way.
        let pairFactor = "puk:" + key
        let address = client.address ?? "-"
        let now = clock.now
        for state in [
            try await store.failureState(factor: pairFactor, key: address),
            try await store.failureState(factor: "puk-number", key: key),
        ] {
            if let until = state.lockedUntil, until > now {
                throw AuthError.tooMany(AuthError.pukLocked, retryAfter: Int(until.timeIntervalSince(now).rounded(.up)))
            }
        }
        try await checkAddress(client, policy: settings.password)
        let stored = try await line.asyncFlatMap { try await store.pukHash(of: $0.id) }
        let matches = try await hashGate.run {
            await hasher.verify(secrets.passwordPrehash("puk:" + digits), against: stored ?? decoyHash)
        }
        guard matches, stored != nil, let line else {
            try await recordAddressFailure(client, policy: settings.password)
            let until = now.addingTimeInterval(settings.pukLockDuration.timeInterval)
            let pair = try await store.recordFailure(factor: pairFactor, key: address, now: now) { count in
                count >= settings.pukMaxFailures ? until : nil
            }
            let number = try await store.recordFailure(factor: "puk-number", key: key, now: now) { count in
                count >= settings.pukMaxFailures * 3 ? until : nil
            }
            try await recordFailure(msisdn, line: line, method: .puk, client: client, detail: "wrong PUK")
            if let lockedUntil = [pair.lockedUntil, number.lockedUntil].compactMap({ $0 }).max() {
                if let line {
                    try await store.record(
                        JournalEntry(
                            subscriberID: line.id, msisdn: msisdn.e164, at: now, event: .pukLocked,
                            method: .puk, client: client), message: nil)
                }
                throw AuthError.tooMany(
                    AuthError.pukLocked, retryAfter: Int(lockedUntil.timeIntervalSince(now).rounded(.up)))
            }
            throw CabinetError(AuthError.loginFailed)
        }
        try await store.clearFailures(factor: pairFactor, key: address)
        try await store.clearFailures(factor: "puk-number", key: key)
        return line
    }

    /// The operator provisions the PUK printed in the SIM pack (stored only as a slow hash).
    public func provisionPUK(_ puk: String, for msisdn: MSISDN) async throws {
        let digits = puk.filter { !$0.isWhitespace }
        guard digits.count == 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw AuthError.invalid(AuthError.pukFormat, field: "puk")
        }
        guard let line = try await lines.line(msisdn: msisdn) else {
            throw CabinetError(SubscribersError.notFound, arguments: ["msisdn": msisdn.formatted])
        }
        try await store.setPUK(
            await hasher.hash(secrets.passwordPrehash("puk:" + digits)), for: line.id, now: clock.now)
        try await store.clearFailures(factor: "puk-number", key: String(line.id.rawValue))
        try await store.clearFailures(factor: "puk:\(line.id.rawValue)")
    }

    /// Whether a PUK is on file for the line (demo provisioning skips lines that have one).
    public func hasPUK(_ msisdn: MSISDN) async throws -> Bool {
        guard let line = try await lines.line(msisdn: msisdn) else { return false }
        return try await store.pukHash(of: line.id) != nil
    }

    /// Refuses a password or PUK attempt, before any hashing, from an address that sent the region's number of wrong
    /// ones this hour, whatever the numbers (one address trying one password against every number).
    func checkAddress(_ client: ClientInfo, policy: AuthSettings.PasswordPolicy) async throws {
        guard let address = client.address else { return }
        let state = try await store.failureState(factor: "password-address", key: address)
        let now = clock.now
        if let until = state.lockedUntil, until > now {
            throw AuthError.tooMany(
                AuthError.passwordAddressLimit, retryAfter: Int(until.timeIntervalSince(now).rounded(.up)))
        }
    }

    /// Counts a wrong password or PUK against the address: every `maxFailuresPerAddressPerHour`-th locks it for an
    /// hour.
    func recordAddressFailure(_ client: ClientInfo, policy: AuthSettings.PasswordPolicy) async throws {
        guard let address = client.address else { return }
        let until = clock.now.addingTimeInterval(3600)
        let limit = policy.maxFailuresPerAddressPerHour
        _ = try await store.recordFailure(factor: "password-address", key: address, now: clock.now) { count in
            count % limit == 0 ? until : nil
        }
    }

    /// Refuses a password attempt while the progressive delay runs (from the 5th consecutive failure: 30 s doubling
    /// to an hour, NIST 800-63B 5.2.2) or after the lock.
    func checkNotDelayed(factor: String, key: String, policy: AuthSettings.PasswordPolicy) async throws {
        let state = try await store.failureState(factor: factor, key: key)
        let now = clock.now
        if let until = state.lockedUntil, until > now {
            throw CabinetError(AuthError.passwordLocked)
        }
        guard state.consecutive >= policy.delayFromFailure, let last = state.lastFailureAt else { return }
        let exponent = min(state.consecutive - policy.delayFromFailure, 7)
        let delay = min(30.0 * pow(2, Double(exponent)), 3600)
        let allowedAt = last.addingTimeInterval(delay)
        if allowedAt > now {
            throw AuthError.tooMany(
                AuthError.passwordDelayed, retryAfter: Int(allowedAt.timeIntervalSince(now).rounded(.up)))
        }
    }

    /// NFKC, as NIST 800-63B 5.1.1.2 asks, so the same password typed on two keyboards is the same password.
    static func normalize(_ password: String) -> String {
        password.precomposedStringWithCompatibilityMapping
    }
}

extension Optional {
    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
