import CabinetCore
public import Foundation
public import PaymentsAdapters

/// Reads the acquirers an operator configures (`CABINET_GATEWAYS`); regions pick one by id (`payments.gateway`).
///
/// ```yaml
/// gateways:
///   - id: yookassa-msk
///     baseURL: https://api.yookassa.ru
///     shopId: "123456"
///     secretKey: "live_…"
///     webhookAddresses: [185.71.76.0, 185.71.77.0, 77.75.153.0]   # or webhookSecret: "…"
/// ```
public enum GatewaysFile {
    public static func load(_ url: URL) throws -> [AcquirerConfiguration] {
        let name = url.lastPathComponent
        let text = try String(contentsOf: url, encoding: .utf8)
        let (node, parseProblems) = ConfigNode.parse(yaml: text, file: name)
        guard let node, parseProblems.isEmpty else { throw ConfigError(problems: parseProblems) }
        let reader = ConfigReader(currency: nil, primaryFile: name)
        let gateways = reader.root(node).object { root in
            root.requireList("gateways") { value -> AcquirerConfiguration? in
                value.object { g in
                    let id = g.require("id", String.self)
                    let base = g.require("baseURL", String.self)
                    if let base, URL(string: base).map({ ["https", "http"].contains($0.scheme ?? "") }) != true {
                        g.child("baseURL")?.problem("\"\(base)\" is not an http(s) URL")
                        return nil
                    }
                    if id == "sandbox" {
                        g.child("id")?.problem("\"sandbox\" is the built-in gateway's id")
                        return nil
                    }
                    let shop = g.require("shopId", String.self)
                    let secret = g.require("secretKey", String.self)
                    let webhookSecret = g.optional("webhookSecret", String.self)
                    let addresses = g.optionalList("webhookAddresses") { $0.decode(String.self) } ?? []
                    if webhookSecret == nil && addresses.isEmpty {
                        g.problem("set webhookSecret or webhookAddresses: webhooks must be authenticated")
                        return nil
                    }
                    guard let id, let base, let shop, let secret else { return nil }
                    return AcquirerConfiguration(
                        id: id, baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, shopID: shop,
                        secretKey: secret, webhookSecret: webhookSecret, webhookAddresses: Set(addresses))
                }
            }
        }
        guard reader.problems.isEmpty, let gateways else { throw ConfigError(problems: reader.problems) }
        return gateways
    }
}
