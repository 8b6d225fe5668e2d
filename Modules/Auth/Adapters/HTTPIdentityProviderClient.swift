public import AsyncHTTPClient
public import Auth
import Foundation
import NIOCore
import NIOHTTP1

/// OpenID Connect / OAuth 2 code exchange over AsyncHTTPClient: POST the code and PKCE verifier to the token
/// endpoint, then read the stable subject from the userinfo endpoint with the access token (back channel, TLS).
public struct HTTPIdentityProviderClient: IdentityProviderClient {
    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func identity(provider: IdentityProviderConfiguration, code: String, verifier: String, redirectURI: String)
        async throws -> ExternalIdentity
    {
        var form = [
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI,
            "client_id": provider.clientID,
            "code_verifier": verifier,
        ]
        if let secret = provider.clientSecret { form["client_secret"] = secret }
        var tokenRequest = HTTPClientRequest(url: provider.tokenEndpoint.absoluteString)
        tokenRequest.method = .POST
        tokenRequest.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        tokenRequest.headers.add(name: "Accept", value: "application/json")
        tokenRequest.body = .bytes(ByteBuffer(string: Self.encode(form)))
        let tokenResponse = try await client.execute(tokenRequest, timeout: .seconds(10))
        let tokenBody = try await tokenResponse.body.collect(upTo: 1 << 20)
        guard tokenResponse.status == .ok else { throw ProviderError.token(Int(tokenResponse.status.code)) }
        struct Token: Decodable { var access_token: String }
        let token = try JSONDecoder().decode(Token.self, from: Data(tokenBody.readableBytesView))

        var userinfoRequest = HTTPClientRequest(url: provider.userinfoEndpoint.absoluteString)
        userinfoRequest.headers.add(name: "Authorization", value: "Bearer \(token.access_token)")
        userinfoRequest.headers.add(name: "Accept", value: "application/json")
        let userinfoResponse = try await client.execute(userinfoRequest, timeout: .seconds(10))
        let userinfoBody = try await userinfoResponse.body.collect(upTo: 1 << 20)
        guard userinfoResponse.status == .ok else { throw ProviderError.userinfo(Int(userinfoResponse.status.code)) }
        struct UserInfo: Decodable { var sub: String?; var id: String?; var name: String?; var display_name: String? }
        let info = try JSONDecoder().decode(UserInfo.self, from: Data(userinfoBody.readableBytesView))
        guard let subject = info.sub ?? info.id, !subject.isEmpty else { throw ProviderError.noSubject }
        return ExternalIdentity(subject: subject, displayName: info.name ?? info.display_name)
    }

    static func encode(_ form: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }

    enum ProviderError: Error { case token(Int), userinfo(Int), noSubject }
}
