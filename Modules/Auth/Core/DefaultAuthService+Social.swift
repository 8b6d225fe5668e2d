import CabinetCore
public import Foundation
import Logging
import Subscribers

extension DefaultAuthService {
    /// The configured providers, for the login and security pages.
    public var identityProviders: [IdentityProviderConfiguration] { providers }

    /// Starts a login or link: returns the provider's authorization URL with `state` and a PKCE challenge (S256),
    /// bound to `browserNonce` (kept in a cookie of the browser that starts; the callback must bring it back).
    public func startSocial(
        provider id: String, intent: SocialState.Intent, session: AuthSession?, redirectURI: String,
        browserNonce: String
    ) async throws -> URL {
        guard let provider = providers.first(where: { $0.id == id }) else {
            throw CabinetError(AuthError.socialUnknownProvider, arguments: ["provider": id])
        }
        if intent == .link, session == nil { throw CabinetError(AuthError.required) }
        let state = SecureRandom.token(bytes: 24)
        let verifier = SecureRandom.token(bytes: 48)
        try await store.saveSocialState(
            SocialState(
                state: state, provider: id, verifier: verifier, intent: intent,
                sessionID: session?.id, expiresAt: clock.now.addingTimeInterval(600),
                browserHash: SecureRandom.sha256(browserNonce)))
        var components = URLComponents(url: provider.authorizationEndpoint, resolvingAgainstBaseURL: false)
        let existing = components?.queryItems ?? []
        components?.queryItems =
            existing + [
                URLQueryItem(name: "response_type", value: "code"),
                URLQueryItem(name: "client_id", value: provider.clientID),
                URLQueryItem(name: "redirect_uri", value: redirectURI),
                URLQueryItem(name: "scope", value: provider.scopes.joined(separator: " ")),
                URLQueryItem(name: "state", value: state),
                URLQueryItem(name: "code_challenge", value: PKCE.challenge(for: verifier)),
                URLQueryItem(name: "code_challenge_method", value: "S256"),
            ]
        guard let url = components?.url else {
            throw CabinetError.internal("cannot build the authorization URL of \(id)")
        }
        return url
    }

    /// The provider sent the person back: checks `state` (once, unexpired, same provider, the browser that started
    /// it, same session for a link), exchanges the code with the verifier, then logs in or links the identity.
    public func finishSocial(
        provider id: String, code: String, state: String, browserNonce: String?, session: AuthSession?,
        redirectURI: String, kind: AuthSession.Kind, client: ClientInfo
    ) async throws -> LoginResult? {
        guard let saved = try await store.takeSocialState(state, now: clock.now), saved.provider == id,
            let browserNonce, ConstantTime.equals(saved.browserHash, SecureRandom.sha256(browserNonce)),
            saved.intent == .login || saved.sessionID == session?.id
        else {
            throw CabinetError(AuthError.socialState)
        }
        guard let provider = providers.first(where: { $0.id == id }), let providerClient else {
            throw CabinetError(AuthError.socialUnknownProvider, arguments: ["provider": id])
        }
        let identity: ExternalIdentity
        do {
            identity = try await providerClient.identity(
                provider: provider, code: code, verifier: saved.verifier, redirectURI: redirectURI)
        } catch {
            logger.warning("identity provider failed", metadata: ["cabinet.provider": "\(id)", "error": "\(error)"])
            throw CabinetError(AuthError.socialProvider, arguments: ["provider": provider.displayName])
        }
        switch saved.intent {
        case .link:
            guard let session else { throw CabinetError(AuthError.required) }
            let linked = try await store.linkIdentity(
                LinkedIdentity(
                    provider: id, subject: identity.subject,
                    subscriberID: session.subscriberID,
                    displayName: identity.displayName, linkedAt: clock.now))
            guard linked else {
                throw CabinetError(AuthError.socialTaken, arguments: ["provider": provider.displayName])
            }
            // A new way into the cabinet: the owner's phone hears of it, so a link made by someone else is seen.
            try await store.record(
                JournalEntry(
                    subscriberID: session.subscriberID, msisdn: session.msisdn.e164, at: clock.now,
                    event: .socialLinked, method: .social, client: client, detail: id),
                message: OutgoingText(
                    to: .phone(session.msisdn),
                    text: messages.text(
                        "auth.sms.socialLinked", in: client.language, arguments: ["provider": provider.displayName]),
                    purpose: "auth.socialLinked"))
            return nil
        case .login:
            guard let link = try await store.identity(provider: id, subject: identity.subject),
                let line = try await lines.line(id: link.subscriberID), line.status == .active,
                let settings = regions.region(line.region)?.settings(for: AuthModule.self)
            else {
                throw CabinetError(AuthError.socialNotLinked, arguments: ["provider": provider.displayName])
            }
            return try await openSession(for: line, settings: settings, method: .social, kind: kind, client: client)
        }
    }

    public func linkedIdentities(_ session: AuthSession) async throws -> [LinkedIdentity] {
        try await store.identities(of: session.subscriberID)
    }

    public func unlinkIdentity(_ session: AuthSession, provider: String, client: ClientInfo) async throws {
        guard try await store.unlinkIdentity(provider: provider, subscriber: session.subscriberID) else {
            throw CabinetError(AuthError.socialLinkNotFound, arguments: ["provider": provider])
        }
        try await store.record(
            JournalEntry(
                subscriberID: session.subscriberID, msisdn: session.msisdn.e164, at: clock.now,
                event: .socialUnlinked, client: client, detail: provider), message: nil)
    }
}

/// RFC 7636 proof key: the verifier stays here, its SHA-256 goes to the provider.
public enum PKCE {
    public static func challenge(for verifier: String) -> String {
        base64url(SecureRandom.sha256Bytes(verifier))
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_"
        )
        .replacingOccurrences(of: "=", with: "")
    }
}
