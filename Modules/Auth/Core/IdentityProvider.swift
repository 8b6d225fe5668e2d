public import Foundation

/// A social login provider (VK ID, Yandex ID, Госуслуги or any OpenID Connect provider) as configured by the operator.
public struct IdentityProviderConfiguration: Sendable, Hashable {
    /// Short id used in URLs (`vk`, `yandex`, `gosuslugi`).
    public var id: String
    public var displayName: String
    public var authorizationEndpoint: URL
    public var tokenEndpoint: URL
    public var userinfoEndpoint: URL
    public var clientID: String
    public var clientSecret: String?
    public var scopes: [String]

    public init(
        id: String, displayName: String, authorizationEndpoint: URL, tokenEndpoint: URL, userinfoEndpoint: URL,
        clientID: String, clientSecret: String?, scopes: [String]
    ) {
        self.id = id
        self.displayName = displayName
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.userinfoEndpoint = userinfoEndpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
    }
}

/// Who the provider says the person is: its stable subject id (the identity) and a name to show.
public struct ExternalIdentity: Sendable, Hashable {
    public var subject: String
    public var displayName: String?

    public init(subject: String, displayName: String?) {
        self.subject = subject
        self.displayName = displayName
    }
}

/// Exchanges an authorization code (with its PKCE verifier) for the person's identity. The HTTP implementation
/// lives in AuthHTTP so Auth's Core builds without an HTTP client.
public protocol IdentityProviderClient: Sendable {
    func identity(provider: IdentityProviderConfiguration, code: String, verifier: String, redirectURI: String)
        async throws -> ExternalIdentity
}
