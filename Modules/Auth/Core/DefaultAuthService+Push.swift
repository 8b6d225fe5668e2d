public import CabinetCore
public import Foundation
import Logging
import Subscribers

/// The start of a "confirm on the phone" login.
public struct PushStarted: Sendable, Hashable {
    public var id: String
    public var expiresAt: Date
}

/// Where a "confirm on the phone" login stands.
public enum PushProgress: Sendable {
    case pending(expiresAt: Date)
    case loggedIn(LoginResult)
    case declined
    case expired
}

extension DefaultAuthService {
    /// Starts a login the subscriber confirms on the phone. An unknown number gets an id too, which never confirms.
    public func startPushLogin(for msisdn: MSISDN, client: ClientInfo) async throws -> PushStarted {
        let active = try await activeLine(msisdn)
        let settings = active?.1 ?? policy(for: msisdn, line: nil)
        let now = clock.now
        // The same sending limits as codes: every request costs the operator a message to the phone.
        _ = try await sendCode(purpose: .login, key: "push:" + msisdn.e164, settings: settings, client: client) {
            _, _, _ in nil
        }
        let id = SecureRandom.token(bytes: 18)
        let expiresAt = now.addingTimeInterval(settings.pushConfirmationLifetime.timeInterval)
        // Stored for unknown numbers too: their request waits and expires like a real one nobody answered.
        try await store.insertPush(
            PushLogin(
                id: id, subscriberID: active?.0.id, msisdn: msisdn, status: .pending, createdAt: now,
                expiresAt: expiresAt))
        if active != nil {
            try await push.requestConfirmation(
                id: id, msisdn: msisdn, text: messages.text("auth.push.loginPrompt", in: client.language))
        }
        return PushStarted(id: id, expiresAt: expiresAt)
    }

    /// The network's answer (the development gateway: the operator API or `cabinet auth confirm`).
    public func resolvePush(id: String, confirmed: Bool) async throws {
        guard try await store.resolvePush(id: id, to: confirmed ? .confirmed : .declined, now: clock.now) else {
            throw CabinetError(AuthError.pushNotFound)
        }
    }

    /// Polled by the login page: opens the session once, when confirmed.
    public func pollPushLogin(id: String, kind: AuthSession.Kind, client: ClientInfo) async throws -> PushProgress {
        guard let request = try await store.push(id: id) else { return .expired }
        let now = clock.now
        switch request.status {
        case .pending:
            return now >= request.expiresAt ? .expired : .pending(expiresAt: request.expiresAt)
        case .declined, .used:
            return request.status == .declined ? .declined : .expired
        case .confirmed:
            // A confirmation is good until the request expires, not for ever.
            guard now < request.expiresAt, try await store.usePush(id: id, now: now),
                let (line, settings) = try await activeLine(request.msisdn)
            else {
                return .expired
            }
            return .loggedIn(
                try await openSession(for: line, settings: settings, method: .push, kind: kind, client: client))
        }
    }
}
