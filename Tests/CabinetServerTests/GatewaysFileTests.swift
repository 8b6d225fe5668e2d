import CabinetCore
import CabinetServer
import Foundation
import PaymentsAdapters
import Testing

/// The operator's acquirers file: read whole, every problem reported, webhooks never left unauthenticated.
@Suite struct GatewaysFileTests {
    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gateways-\(UUID().uuidString).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func acquirersAreReadWithTheirWebhookAuthentication() throws {
        let url = try write(
            """
            gateways:
              - id: yookassa-msk
                baseURL: https://api.yookassa.ru/
                shopId: "123456"
                secretKey: live_secret
                webhookAddresses: [185.71.76.1, 77.75.153.1]
              - id: acquirer-kz
                baseURL: https://pay.example.kz
                shopId: kz
                secretKey: s
                webhookSecret: hook
            """)
        defer { try? FileManager.default.removeItem(at: url) }
        let gateways = try GatewaysFile.load(url)
        #expect(gateways.map(\.id) == ["yookassa-msk", "acquirer-kz"])
        #expect(gateways[0].baseURL == "https://api.yookassa.ru")
        #expect(gateways[0].webhookAddresses == ["185.71.76.1", "77.75.153.1"])
        #expect(gateways[1].webhookSecret == "hook")
    }

    @Test func everyProblemIsReported() throws {
        let url = try write(
            """
            gateways:
              - id: sandbox
                baseURL: https://x.test
                shopId: a
                secretKey: b
                webhookSecret: c
              - id: open
                baseURL: ftp://x.test
                shopId: a
                secretKey: b
              - id: unauthenticated
                baseURL: https://x.test
                shopId: a
                secretKey: b
            """)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try GatewaysFile.load(url)
            Issue.record("a broken file must be refused")
        } catch let error as ConfigError {
            let text = error.problems.map(\.description).joined(separator: "\n")
            #expect(text.contains("built-in gateway"))
            #expect(text.contains("is not an http(s) URL"))
            #expect(text.contains("webhooks must be authenticated"))
        }
    }
}
