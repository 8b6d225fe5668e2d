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

@Suite struct BillingAPITests {
    static let key = "operator-key-0123456789"

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
                modules: [module, session], regions: bed.rules.regions,
                catalogues: [BillingTestBed.catalog()], operatorKey: Self.key))
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    func headers(_ line: Line) -> HTTPFields {
        [HTTPField.Name("X-Test-Line")!: String(line.id.rawValue), .contentType: "application/json"]
    }

    /// Sharing gigabytes over HTTP: the line's own sessions share (a delegate without `moveMoney` cannot), the answer
    /// and both sides' lists show it, the page offers the form.
    @Test(arguments: TestDatabase.available)
    func gigabytesAreSharedOverTheAPIAndThePage(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let giver = try await bed.line("+79001234567", tariff: "premium", credit: "1000.00")
            let taker = try await bed.line("+79001234568", tariff: "payg")
            try await app(bed).test(.router) { client in
                var delegate = headers(giver)
                delegate[TestSessionModule.scopesHeader] = "viewBalance,pay,manageServices"
                delegate[IdempotentRequests.header] = "g-0"
                try await client.execute(
                    uri: "/api/v1/me/shares", method: .post, headers: delegate,
                    body: ByteBuffer(string: #"{"to": "+79001234568", "gigabytes": 1}"#)
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "auth.scopeMissing")
                }
                var own = headers(giver)
                own[IdempotentRequests.header] = "g-1"
                try await client.execute(
                    uri: "/api/v1/me/shares", method: .post, headers: own,
                    body: ByteBuffer(string: #"{"to": "8 900 123-45-68", "gigabytes": 2}"#)
                ) { response throws in
                    #expect(response.status == .created)
                    let body = try json(response)
                    #expect(body["megabytes"] as? Int == 2_048 && body["direction"] as? String == "given")
                }
                try await client.execute(uri: "/api/v1/me/shares", method: .get, headers: headers(taker)) {
                    response throws in
                    let items = try #require(try json(response)["items"] as? [[String: Any]])
                    #expect(items.map { $0["direction"] as? String } == ["received"])
                }
                try await client.execute(uri: "/shares", method: .get, headers: headers(giver)) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("id=\"shares-form\"") && html.contains("2048"))
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func dashboardHistoryAndStatement(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "1000.00")
            _ = try await bed.service.ingest([bed.call(line, "c1", seconds: 125), bed.data(line, "d1", megabytes: 10)])
            try await app(bed).test(.router) { client in
                try await client.execute(uri: "/api/v1/me/dashboard", method: .get, headers: headers(line)) {
                    response throws in
                    #expect(response.status == .ok)
                    let body = try json(response)
                    #expect((body["balance"] as? [String: String]) == ["amount": "590.00", "currency": "RUB"])
                    #expect(body["restricted"] as? Bool == false)
                    #expect((body["tariff"] as? [String: Any])?["name"] as? String == "Месячный")
                    let remainders = try #require(body["remainders"] as? [[String: Any]])
                    #expect(remainders.first { $0["unit"] as? String == "minutes" }?["left"] as? Int == 65)
                    #expect((body["nextFee"] as? [String: Any])?["date"] as? String == "2026-12-01")
                }
                var english = headers(line)
                english[.acceptLanguage] = "en"
                try await client.execute(uri: "/api/v1/me/balance/history?kind=fee", method: .get, headers: english) {
                    response throws in
                    let items = try #require(try json(response)["items"] as? [[String: Any]])
                    #expect(items.count == 1)
                    #expect(
                        items.first?["explanation"] as? String
                            == "Fee of tariff \"Monthly\" for 2026-11-10 — 2026-11-30")
                }
                try await client.execute(
                    uri: "/api/v1/me/statement?from=2026-11-01&to=2026-11-10&kind=call", method: .get,
                    headers: headers(line)
                ) { response throws in
                    let body = try json(response)
                    #expect((body["items"] as? [[String: Any]])?.count == 1)
                    #expect((body["totals"] as? [[String: Any]])?.first?["units"] as? Int == 180)
                }
                try await client.execute(
                    uri: "/api/v1/me/statement?from=2026-13-01", method: .get, headers: headers(line)
                ) { response throws in
                    #expect(response.status == .badRequest || response.status == .unprocessableContent)
                    #expect(response.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                    #expect((try json(response)["errors"] as? [[String: Any]])?.first?["field"] as? String == "from")
                }
                try await client.execute(uri: "/api/v1/me/dashboard", method: .get) { response in
                    #expect(response.status == .unauthorized)
                }
                var keyed = headers(line)
                keyed[IdempotentRequests.header] = "statement-1"
                for attempt in 1...2 {
                    // A paid order: the same key twice is one order and one charge.
                    try await client.execute(
                        uri: "/api/v1/me/statements", method: .post, headers: keyed,
                        body: ByteBuffer(string: #"{"from": "2026-11-01", "to": "2026-11-10"}"#)
                    ) { response throws in
                        #expect(response.status == .accepted)
                        let body = try json(response)
                        #expect(
                            (body["id"] as? String)?.hasPrefix("R-") == true
                                && body["status"] as? String == "processing")
                        #expect((response.headers[IdempotentRequests.replayedHeader] == "true") == (attempt == 2))
                    }
                }
                var page = headers(line)
                page[.accept] = "text/html"
                try await client.execute(uri: "/dashboard", method: .get, headers: page) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("id=\"balance\">560,00"), "after the 30.00 statement")
                    #expect(html.contains("data-unit=\"seconds\""))
                }
                try await client.execute(uri: "/dashboard", method: .get, headers: [.accept: "text/html"]) { response in
                    #expect(response.status == .seeOther && response.headers[.location] == "/login")
                }
                try await client.execute(uri: "/statement?from=2026-11-01&to=2026-11-10", method: .get, headers: page) {
                    response in
                    #expect(String(buffer: response.body).contains("+79161234567"))
                }
                try await client.execute(uri: "/balance", method: .get, headers: page) { response in
                    #expect(String(buffer: response.body).contains("Абонентская плата по тарифу «Месячный»"))
                }
            }
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func operatorFeedsUsageInBatches(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg", credit: "100.00")
            bed.clock.advance(by: .seconds(3600))
            let body = """
                {"events": [
                  {"eventId": "op-1", "msisdn": "+79001234567", "kind": "sms", "occurredAt": "2026-11-10T12:30:00+03:00"},
                  {"eventId": "op-2", "msisdn": "+79001234567", "kind": "call", "occurredAt": "2026-11-10T09:31:00Z", "quantity": 30, "callKind": "offNet"},
                  {"eventId": "op-3", "msisdn": "12345", "kind": "sms", "occurredAt": "2026-11-10T09:31:00Z"},
                  {"eventId": "op-4", "msisdn": "+79001234567", "kind": "call", "occurredAt": "soon", "quantity": 30}
                ]}
                """
            let auth: HTTPFields = [.authorization: "Bearer \(Self.key)", .contentType: "application/json"]
            try await app(bed).test(.router) { client in
                try await client.execute(
                    uri: "/operator/v1/usage", method: .post, headers: auth, body: ByteBuffer(string: body)
                ) { response throws in
                    #expect(response.status == .ok)
                    let report = try json(response)
                    #expect(report["rated"] as? Int == 2)
                    let rejected = try #require(report["rejected"] as? [[String: Any]])
                    #expect(rejected.map { $0["index"] as? Int } == [2, 3])
                    #expect(rejected.first?["code"] as? String == "request.invalid")
                }
                try await client.execute(
                    uri: "/operator/v1/usage", method: .post, headers: auth, body: ByteBuffer(string: body)
                ) { response throws in
                    #expect(try json(response)["duplicates"] as? Int == 2)
                }
                try await client.execute(
                    uri: "/operator/v1/usage", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/operator/v1/ledger/check", method: .get, headers: auth) {
                    response throws in
                    #expect(try json(response)["clean"] as? Bool == true)
                }
            }
            #expect(try await bed.balance(line) == "95.00")
        }
    }
}
