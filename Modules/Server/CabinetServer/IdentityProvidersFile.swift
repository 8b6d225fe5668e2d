public import Auth
import CabinetCore
public import Foundation

/// Reads the social login providers an operator configures (`CABINET_IDENTITY_PROVIDERS`):
///
/// ```yaml
/// providers:
///   - id: yandex
///     name: Яндекс ID
///     authorizationEndpoint: https://oauth.yandex.ru/authorize
///     tokenEndpoint: https://oauth.yandex.ru/token
///     userinfoEndpoint: https://login.yandex.ru/info?format=json
///     clientId: "…"
///     clientSecret: "…"
///     scopes: [login:info]
/// ```
public enum IdentityProvidersFile {
    public static func load(_ url: URL) throws -> [IdentityProviderConfiguration] {
        let name = url.lastPathComponent
        let text = try String(contentsOf: url, encoding: .utf8)
        let (node, parseProblems) = ConfigNode.parse(yaml: text, file: name)
        guard let node, parseProblems.isEmpty else { throw ConfigError(problems: parseProblems) }
        let reader = ConfigReader(currency: nil, primaryFile: name)
        let providers = reader.root(node).object { root in
            root.requireList("providers") { value -> IdentityProviderConfiguration? in
                value.object { p in
                    let id = p.require("id", String.self)
                    let display = p.require("name", String.self)
                    func url(_ key: String) -> URL? {
                        guard let text = p.require(key, String.self) else { return nil }
                        guard let url = URL(string: text), ["https", "http"].contains(url.scheme ?? "") else {
                            p.child(key)?.problem("\"\(text)\" is not an http(s) URL")
                            return nil
                        }
                        return url
                    }
                    let authorization = url("authorizationEndpoint")
                    let token = url("tokenEndpoint")
                    let userinfo = url("userinfoEndpoint")
                    let clientID = p.require("clientId", String.self)
                    let secret = p.optional("clientSecret", String.self)
                    let scopes = p.optionalList("scopes") { $0.decode(String.self) } ?? ["openid"]
                    guard let id, let display, let authorization, let token, let userinfo, let clientID else {
                        return nil
                    }
                    return IdentityProviderConfiguration(
                        id: id, displayName: display, authorizationEndpoint: authorization,
                        tokenEndpoint: token, userinfoEndpoint: userinfo, clientID: clientID,
                        clientSecret: secret, scopes: scopes)
                }
            }
        }
        guard reader.problems.isEmpty, let providers else { throw ConfigError(problems: reader.problems) }
        return providers
    }
}
