import Billing
import BillingHTTP
import BillingTesting
import CabinetCore
import CabinetHTTP
import CabinetHTTPTesting
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Subscribers
import SubscribersTesting
import Tariffs
import Testing

/// «Подобрать тариф» over HTTP: the API's figures and the page's order, the dashboard's and balance page's pictures.
@Suite struct AdviceAPITests {
    func app(_ bed: BillingTestBed) throws -> some ApplicationProtocol {
        let module = BillingHTTPModule(
            service: bed.service, texts: bed.texts, clock: bed.clock,
            idempotency: IdempotentRequests(store: InMemoryIdempotencyStore(), clock: bed.clock), sharing: bed.service)
        let directory = bed.directory
        let session = TestSessionModule(now: { bed.clock.now }) { id in
            try await directory.line(id: id).map { .init(id: $0.id, msisdn: $0.msisdn, region: $0.region) }
        }
        return Application(
            router: try ModuleTestRouter.make(
                modules: [module, session], regions: bed.rules.regions, catalogues: [BillingTestBed.catalog()]))
    }

    func headers(_ line: Line) -> HTTPFields {
        [TestSessionModule.lineHeader: String(line.id.rawValue), .contentType: "application/json"]
    }

    @Test(arguments: TestDatabase.available)
    func theAdviceAndThePictures(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend, start: "2026-08-10T09:00:00Z") { bed in
            // A light user on `premium` (950.00 a month): pay-as-you-go is far cheaper for them.
            let line = try await bed.line("+79001234599", tariff: "premium", credit: "5000.00")
            for month in ["09", "10", "11"] {
                bed.clock.set(ISO8601DateFormatter().date(from: "2026-\(month)-05T09:00:00Z")!)
                while try await bed.service.runDueFees() > 0 {}
                _ = try await bed.service.ingest([
                    bed.call(line, "c\(month)", seconds: 600), bed.sms(line, "s\(month)"),
                ])
            }
            bed.clock.set(ISO8601DateFormatter().date(from: "2026-12-02T09:00:00Z")!)
            while try await bed.service.runDueFees() > 0 {}
            try await app(bed).test(.router) { client in
                // Without a session: no advice, no page.
                try await client.execute(uri: "/api/v1/me/tariff/advice", method: .get) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/api/v1/me/tariff/advice", method: .get, headers: headers(line)) {
                    response throws in
                    #expect(response.status == .ok)
                    let body = try #require(
                        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                    #expect(body["months"] as? Int == 3)
                    #expect(body["events"] as? Int == 6)
                    let items = try #require(body["items"] as? [[String: Any]])
                    #expect(items.first?["tariff"] as? String == "payg")
                    // 10 min at 2.50 and an SMS at 2.50 a month: 27.50 against premium's 950.00.
                    #expect((items.first?["perMonth"] as? [String: String])?["amount"] == "27.50")
                    #expect((items.first?["savingPerMonth"] as? [String: String])?["amount"] == "922.50")
                    let current = try #require(items.first { $0["current"] as? Bool == true })
                    #expect(current["tariff"] as? String == "premium")
                    #expect((current["reason"] as? String)?.contains("10 мин") == true)
                    #expect(items.first?["page"] as? String == "/tariffs/payg")
                }
                try await client.execute(uri: "/tariffs/advice", method: .get, headers: headers(line)) { response in
                    #expect(response.status == .ok)
                    let html = String(buffer: response.body)
                    #expect(html.contains("action=\"/tariffs/payg/preview\""))
                    #expect(html.contains("id=\"advice-choose-payg\""))
                    #expect(!html.contains("id=\"advice-choose-premium\""))
                }
                // The pictures: SVG with the figures in words, no inline style (the policy forbids it).
                for page in ["/dashboard", "/balance"] {
                    try await client.execute(uri: page, method: .get, headers: headers(line)) { response in
                        let html = String(buffer: response.body)
                        #expect(html.contains("<svg class=\"chart\""), "\(page)")
                        #expect(html.contains("<desc id=\"spending-months-d\">"), "\(page)")
                        #expect(!html.contains("style="), "\(page)")
                    }
                }
            }
        }
    }
}
