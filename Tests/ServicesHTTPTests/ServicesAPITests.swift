import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetHTTP
import CabinetHTTPTesting
import CabinetMessaging
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Services
import ServicesHTTP
import ServicesStorage
import ServicesTesting
import Subscribers
import SubscribersTesting
import Testing

/// `/api/v1/me/services…` and the `/services` pages on the production router, over the SQL test bed.
@Suite struct ServicesAPITests {
    func app(_ bed: ServicesTestBed) throws -> some ApplicationProtocol {
        let module = ServicesHTTPModule(
            service: bed.service,
            idempotency: IdempotentRequests(store: InMemoryIdempotencyStore(), clock: bed.billing.clock))
        let directory = bed.billing.directory
        let session = TestSessionModule(now: { bed.billing.clock.now }) { id in
            try await directory.line(id: id).map {
                .init(id: $0.id, msisdn: $0.msisdn, region: $0.region, status: $0.status)
            }
        }
        let catalogues = [
            try ServicesModule.messages(), BillingTestBed.catalog(), try SubscribersModule.messages(),
        ]
        return Application(
            router: try ModuleTestRouter.make(
                modules: [session, module], regions: bed.billing.rules.regions, catalogues: catalogues))
    }

    func headers(_ line: Line, key: String? = nil, scopes: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [
            TestSessionModule.lineHeader: String(line.id.rawValue), .contentType: "application/json",
        ]
        if let key { fields[IdempotentRequests.header] = key }
        if let scopes { fields[TestSessionModule.scopesHeader] = scopes }
        return fields
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test(arguments: TestDatabase.available)
    func theCataloguePreviewConnectAndDisconnect(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            try await app(bed).test(.router) { client in
                try await client.execute(uri: "/api/v1/me/services", method: .get, headers: headers(line)) {
                    response throws in
                    #expect(response.status == .ok)
                    let items = try #require(try json(response)["items"] as? [[String: Any]])
                    #expect(items.count == 8)
                    #expect(items.first?["state"] as? String == "available")
                }
                try await client.execute(
                    uri: "/api/v1/me/services/roaming-ban", method: .post, headers: headers(line, key: "c-1")
                ) { response throws in
                    #expect(response.status == .created)
                    #expect((try json(response)["id"] as? String)?.hasPrefix("R-") == true)
                }
                var english = headers(line)
                english[.acceptLanguage] = "en"
                try await client.execute(
                    uri: "/api/v1/me/services/international-roaming/preview", method: .post, headers: english
                ) { response throws in
                    let body = try json(response)
                    let conflicts = try #require(body["conflicts"] as? [[String: Any]])
                    #expect(conflicts.first?["option"] as? String == "roaming-ban")
                    #expect(
                        conflicts.first?["message"] as? String
                            == "\"Roaming Ban\" cannot be on together with \"International Roaming\"")
                    #expect(body["allowed"] as? Bool == true)
                }
                try await client.execute(
                    uri: "/api/v1/me/services/international-roaming", method: .post, headers: headers(line, key: "c-2")
                ) { response throws in
                    #expect(response.status == .conflict)
                    #expect(try json(response)["code"] as? String == "services.option.conflict")
                }
                for attempt in 1...2 {
                    try await client.execute(
                        uri: "/api/v1/me/services/international-roaming", method: .post,
                        headers: headers(line, key: "c-3"), body: ByteBuffer(string: #"{"replace": ["roaming-ban"]}"#)
                    ) { response in
                        #expect(response.status == .created)
                        #expect((response.headers[IdempotentRequests.replayedHeader] == "true") == (attempt == 2))
                    }
                }
                try await client.execute(
                    uri: "/api/v1/me/services/gudok", method: .post, headers: headers(line, key: "c-4")
                ) { response in
                    #expect(response.status == .created)
                }
                try await client.execute(
                    uri: "/api/v1/me/services/gudok", method: .delete, headers: headers(line, key: "d-1")
                ) { response in
                    #expect(response.status == .ok)
                }
                // A delegate who may only look and pay changes nothing.
                try await client.execute(
                    uri: "/api/v1/me/services/gudok", method: .post,
                    headers: headers(line, key: "c-5", scopes: "viewBalance,pay")
                ) { response throws in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: "/api/v1/me/services", method: .get) { response in
                    #expect(response.status == .unauthorized)
                }
                var page = headers(line)
                page[.accept] = "text/html"
                try await client.execute(uri: "/services", method: .get, headers: page) { response in
                    let html = String(buffer: response.body)
                    #expect(response.status == .ok)
                    #expect(html.contains("id=\"disconnect-international-roaming\""))
                    #expect(html.contains("id=\"preview-gudok\""))
                }
            }
            #expect(
                try await bed.store.connectedOptions(of: line.id).map(\.option.rawValue) == ["international-roaming"])
            #expect(try await bed.billing.balance(line) == "68.75", "gudok's 30.00 and today's 1.25, once")
        }
    }

    @Test(arguments: TestDatabase.available)
    func thePagesPreviewAConflictAndConnectReplacingIt(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            _ = try await bed.service.connect(try bed.option("roaming-ban"), for: bed.access(line), replacing: [])
            try await app(bed).test(.router) { client in
                var form = headers(line)
                form[.contentType] = "application/x-www-form-urlencoded"
                form[.accept] = "text/html"
                try await client.execute(
                    uri: "/services/international-roaming/preview", method: .post, headers: form,
                    body: ByteBuffer(string: "csrf=csrf-token")
                ) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("«Запрет роуминга» несовместима с «Международный роуминг»"))
                    #expect(html.contains("name=\"replace\" value=\"roaming-ban\""))
                }
                try await client.execute(
                    uri: "/services/international-roaming/connect", method: .post, headers: form,
                    body: ByteBuffer(string: "csrf=csrf-token&replace=roaming-ban")
                ) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location]?.hasPrefix("/services?done=R-") == true)
                }
                try await client.execute(
                    uri: "/services/gudok/connect", method: .post, headers: form, body: ByteBuffer(string: "csrf=wrong")
                ) { response in
                    #expect(response.status == .forbidden)
                }
            }
            #expect(
                try await bed.store.connectedOptions(of: line.id).map(\.option.rawValue) == ["international-roaming"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func theBlackListAndTheNetworkCheck(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            try await app(bed).test(.router) { client in
                try await client.execute(uri: "/api/v1/me/blacklist", method: .post, headers: headers(line, key: "b-1"))
                {
                    response in
                    #expect(response.status == .created)
                }
                try await client.execute(
                    uri: "/api/v1/me/blacklist/entries", method: .post, headers: headers(line, key: "b-2"),
                    body: ByteBuffer(string: #"{"number": "8 (495) 123-45-67", "label": "реклама"}"#)
                ) { response in
                    #expect(response.status == .created)
                }
                // A delegate who may look and pay changes nothing on the owner's black list.
                try await client.execute(
                    uri: "/api/v1/me/blacklist/entries", method: .post,
                    headers: headers(line, key: "b-d", scopes: "viewBalance,pay"),
                    body: ByteBuffer(string: #"{"number": "+74957654321"}"#)
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "auth.scopeMissing")
                }
                try await client.execute(
                    uri: "/api/v1/me/blacklist/entries", method: .post, headers: headers(line, key: "b-3"),
                    body: ByteBuffer(string: #"{"number": "900"}"#)
                ) { response throws in
                    #expect(response.status == .badRequest)
                    let errors = try #require(try json(response)["errors"] as? [[String: Any]])
                    #expect(errors.first?["code"] as? String == "services.number.short")
                }
                let check = #"""
                    {"items": [
                      {"id": "n-1", "from": "+74951234567", "to": "+79001234567", "kind": "voice", "at": "2026-11-10T09:00:00Z"},
                      {"id": "n-2", "from": "+79001234567", "to": "+74951234567", "kind": "sms", "at": "2026-11-10T09:00:00Z"},
                      {"id": "n-3", "from": "+74950000000", "to": "+74951111111", "kind": "voice", "at": "2026-11-10T09:00:00Z"}
                    ]}
                    """#
                var network: HTTPFields = [.contentType: "application/json"]
                try await client.execute(
                    uri: "/operator/v1/calls/check", method: .post, headers: network, body: ByteBuffer(string: check)
                ) { response in
                    #expect(response.status == .unauthorized, "the network has the operator key")
                }
                network[.authorization] = "Bearer \(ModuleTestRouter.operatorKey)"
                try await client.execute(
                    uri: "/operator/v1/calls/check", method: .post, headers: network, body: ByteBuffer(string: check)
                ) { response throws in
                    #expect(response.status == .ok)
                    let items = try #require(try json(response)["items"] as? [[String: Any]])
                    #expect(items.map { $0["decision"] as? String } == ["deny", "allow", "deny"])
                    #expect(items.map { $0["reason"] as? String } == ["blackList", nil, "unknownLine"])
                    // The answer is written by hand (JSONWriter); it must be what JSONEncoder would write.
                    let expected = CheckAnswerMirror(items: [
                        .init(decision: "deny", id: "n-1", reason: "blackList"),
                        .init(decision: "allow", id: "n-2", reason: nil),
                        .init(decision: "deny", id: "n-3", reason: "unknownLine"),
                    ])
                    #expect(
                        String(buffer: response.body)
                            == String(decoding: try JSONEncoder.cabinet.encode(expected), as: UTF8.self))
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                }
                // An empty batch (the bench's floor) is a valid question with an empty answer.
                try await client.execute(
                    uri: "/operator/v1/calls/check", method: .post, headers: network,
                    body: ByteBuffer(string: #"{"items": []}"#)
                ) { response throws in
                    #expect(response.status == .ok)
                    #expect((try json(response)["items"] as? [Any])?.isEmpty == true)
                }
                try await client.execute(
                    uri: "/operator/v1/calls/check", method: .post, headers: network,
                    body: ByteBuffer(
                        string:
                            #"{"items": [{"id": "x", "from": "hello", "to": "+79001234567", "kind": "fax", "at": "2026-11-10T09:00:00Z"}]}"#
                    )
                ) { response throws in
                    #expect(response.status == .badRequest)
                    let errors = try #require(try json(response)["errors"] as? [[String: Any]])
                    #expect(Set(errors.compactMap { $0["field"] as? String }) == ["items[0].from", "items[0].kind"])
                }
                try await client.execute(uri: "/api/v1/me/blacklist", method: .get, headers: headers(line)) {
                    response throws in
                    let body = try json(response)
                    #expect(body["active"] as? Bool == true)
                    #expect((body["entries"] as? [[String: Any]])?.first?["label"] as? String == "реклама")
                    #expect((body["blocked"] as? [[String: Any]])?.first?["count"] as? Int == 1)
                }
                var page = headers(line)
                page[.accept] = "text/html"
                try await client.execute(uri: "/blacklist", method: .get, headers: page) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("+74951234567"))
                    #expect(html.contains("id=\"blocked-log\""))
                }
                try await client.execute(
                    uri: "/api/v1/me/blacklist/entries/%2B74951234567", method: .delete,
                    headers: headers(line, key: "b-4")
                ) { response in
                    #expect(response.status == .ok)
                }
            }
            #expect(try await bed.store.entries(of: line.id).isEmpty)
        }
    }

    /// The operator connects and disconnects options on any line with the subscriber's rules, and the request
    /// history says who did it.
    /// The settings SMS: twice a day in the test region, then 429 with the seconds to the local midnight; a delegate
    /// who may only look and a blocked line send nothing; the page shows the values and what is left.
    @Test(arguments: TestDatabase.available)
    func theSettingsSMSKeepsToTheDailyLimit(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            let blocked = try await bed.line("+79001234568")
            _ = try await bed.billing.lines.update(msisdn: blocked.msisdn, with: LinePatch(status: .blocked))
            try await app(bed).test(.router) { client in
                for key in ["s-1", "s-2"] {
                    try await client.execute(
                        uri: "/api/v1/me/settings-sms", method: .post, headers: headers(line, key: key)
                    ) { response throws in
                        #expect(response.status == .created)
                        #expect(try json(response)["kind"] as? String == "services.settingsSms")
                    }
                }
                // Noon in Moscow: twelve hours to the next local day.
                try await client.execute(
                    uri: "/api/v1/me/settings-sms", method: .post, headers: headers(line, key: "s-3")
                ) { response throws in
                    #expect(response.status == .tooManyRequests)
                    #expect(response.headers[.retryAfter] == "43200")
                    #expect(try json(response)["code"] as? String == "services.settings.tooMany")
                }
                try await client.execute(
                    uri: "/api/v1/me/settings-sms", method: .post,
                    headers: headers(line, key: "s-d", scopes: "viewBalance,pay")
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "auth.scopeMissing")
                }
                try await client.execute(
                    uri: "/api/v1/me/settings-sms", method: .post, headers: headers(blocked, key: "s-b")
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "line.blocked")
                }
                try await client.execute(uri: "/api/v1/me/settings-sms", method: .get, headers: headers(line)) {
                    response throws in
                    let body = try json(response)
                    #expect(body["apn"] as? String == "internet.test")
                    #expect(body["sentToday"] as? Int == 2 && body["leftToday"] as? Int == 0)
                }
                try await client.execute(uri: "/settings-sms", method: .get, headers: headers(line)) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("internet.test"))
                    #expect(!html.contains("id=\"settings-send\""), "no button once the day's messages are used")
                }
            }
            #expect(
                try await bed.billing.messages(to: "+79001234567").filter {
                    $0.purpose == "services.settingsSms"
                }.count == 2)
            #expect(try await bed.billing.messages(to: "+79001234568").isEmpty)
        }
    }

    /// Roaming prices: found by a name's start in the asker's language, with the ban named and linked while it is on.
    @Test(arguments: TestDatabase.available)
    func roamingPricesByCountry(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            _ = try await bed.service.connect(try bed.option("roaming-ban"), for: bed.access(line), replacing: [])
            try await app(bed).test(.router) { client in
                var english = headers(line)
                english[.acceptLanguage] = "en"
                try await client.execute(uri: "/api/v1/roaming?country=tur", method: .get, headers: english) {
                    response throws in
                    #expect(response.status == .ok)
                    let body = try json(response)
                    #expect(body["barred"] as? Bool == true && body["barredBy"] as? String == "roaming-ban")
                    let items = try #require(body["items"] as? [[String: Any]])
                    #expect(items.map { $0["name"] as? String } == ["Turkey"])
                    let prices = try #require(items.first?["prices"] as? [String: Any])
                    #expect((prices["outgoingMinute"] as? [String: Any])?["amount"] as? String == "149.00")
                }
                try await client.execute(
                    uri: "/roaming?country=%D0%BA%D0%B0%D0%B7", method: .get, headers: headers(line)
                ) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("id=\"roaming-KZ\"") && html.contains("Казахстан"))
                    #expect(html.contains("id=\"roaming-barred\""))
                }
            }
        }
    }

    /// A lost SIM over HTTP: a delegate who may only look cannot block; the owner blocks (no step-up: the code would
    /// go to the lost phone); the blocked line then looks but changes nothing; the public form needs the right PUK;
    /// only the operator unblocks, with a reason; the pages show each state.
    @Test(arguments: TestDatabase.available)
    func aLostSIMIsBlockedAndOnlyTheOperatorUnblocksIt(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            let other = try await bed.line("+79001234568", credit: "100.00")
            bed.puks.set("11223344", for: other)
            let third = try await bed.line("+79001234569", credit: "10.00")
            bed.contactCodes.set(contact: try #require(MSISDN(e164: "+79161112233")), for: third)
            try await app(bed).test(.router) { client in
                try await client.execute(
                    uri: "/api/v1/me/sim-block", method: .post,
                    headers: headers(line, key: "k-d", scopes: "viewBalance,pay")
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "auth.scopeMissing")
                }
                try await client.execute(uri: "/sim-block", method: .get, headers: headers(line)) { response in
                    #expect(String(buffer: response.body).contains("id=\"simblock-button\""))
                }
                // A session opened by PUK, with no password yet, may do nothing but block.
                var puk = headers(line, key: "k-1")
                puk[TestSessionModule.pukSessionHeader] = "1"
                try await client.execute(uri: "/api/v1/me/settings-sms", method: .post, headers: puk) {
                    response throws in
                    #expect(try json(response)["code"] as? String == "auth.passwordRequired")
                }
                try await client.execute(uri: "/api/v1/me/sim-block", method: .post, headers: puk) { response throws in
                    #expect(response.status == .created)
                    #expect(try json(response)["kind"] as? String == "services.simBlock")
                }
                try await client.execute(uri: "/api/v1/me/sim-block", method: .get, headers: headers(line)) {
                    response throws in
                    #expect(response.status == .ok, "a blocked line is still looked at")
                    #expect(try json(response)["status"] as? String == "blocked")
                }
                try await client.execute(
                    uri: "/api/v1/me/blacklist", method: .post, headers: headers(line, key: "k-2")
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "line.blocked")
                }
                try await client.execute(uri: "/sim-block", method: .get, headers: headers(line)) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("id=\"simblock-blocked\"") && !html.contains("id=\"simblock-button\""))
                    #expect(
                        html.contains("<strong>611</strong>") && html.contains("help@cabinet.test"), "where to unblock")
                }
                // The public form: a wrong PUK blocks nothing, the right one blocks.
                var plain: HTTPFields = [.contentType: "application/json"]
                plain[IdempotentRequests.header] = "p-1"
                try await client.execute(
                    uri: "/api/v1/sim-block", method: .post,
                    headers: plain,
                    body: ByteBuffer(string: #"{"msisdn": "+79001234568", "puk": "99999999"}"#)
                ) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(
                    uri: "/api/v1/sim-block", method: .post,
                    headers: plain,
                    body: ByteBuffer(string: #"{"msisdn": "8 900 123-45-68", "puk": "11223344"}"#)
                ) { response in
                    #expect(response.status == .created)
                }
                try await client.execute(uri: "/sim-block", method: .get) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("id=\"simblock-puk-form\""), "the form without a login")
                    #expect(html.contains("id=\"simblock-contact-form\""))
                }
                // The second way in: a code to the owner's contact number.
                try await client.execute(
                    uri: "/api/v1/sim-block/code", method: .post, headers: plain,
                    body: ByteBuffer(string: #"{"msisdn": "+79001234569", "contact": "+79161112233"}"#)
                ) { response in
                    #expect(response.status == .accepted)
                }
                let code = try #require(bed.contactCodes.sentCode(for: third.msisdn))
                plain[IdempotentRequests.header] = "p-3"
                try await client.execute(
                    uri: "/api/v1/sim-block", method: .post, headers: plain,
                    body: ByteBuffer(
                        string: #"{"msisdn": "+79001234569", "contact": "+79161112233", "code": "\#(code)"}"#)
                ) { response throws in
                    #expect(response.status == .created)
                    #expect(try json(response)["detail"] as? String == "contact")
                }
                let network: HTTPFields = [
                    .contentType: "application/json", .authorization: "Bearer \(ModuleTestRouter.operatorKey)",
                ]
                try await client.execute(
                    uri: "/operator/v1/lines/%2B79001234567/unblock", method: .post, headers: network,
                    body: ByteBuffer(string: #"{"reason": "passport seen"}"#)
                ) { response throws in
                    #expect(response.status == .ok)
                    #expect(try json(response)["kind"] as? String == "services.simUnblock")
                }
                try await client.execute(
                    uri: "/operator/v1/lines/%2B79001234567/unblock", method: .post,
                    headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"reason": "x"}"#)
                ) { response in
                    #expect(response.status == .unauthorized, "no operator key")
                }
            }
            #expect(try await bed.billing.directory.line(id: line.id)?.status == .active)
            #expect(try await bed.billing.directory.line(id: other.id)?.status == .blocked)
        }
    }

    /// A holiday suspension over HTTP: the preview's price, the plan, a suspended line that still resumes (and only
    /// resumes), the page through its preview.
    @Test(arguments: TestDatabase.available)
    func aSuspensionIsPreviewedPlannedAndResumed(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            try await app(bed).test(.router) { client in
                let dates = #"{"from": "2026-11-10", "until": "2026-11-16"}"#
                try await client.execute(
                    uri: "/api/v1/me/suspension/preview", method: .post, headers: headers(line),
                    body: ByteBuffer(string: dates)
                ) { response throws in
                    let body = try json(response)
                    #expect(body["chargedDays"] as? Int == 3 && body["allowed"] as? Bool == true)
                    #expect((body["total"] as? [String: Any])?["amount"] as? String == "15.00")
                }
                try await client.execute(
                    uri: "/api/v1/me/suspension", method: .post, headers: headers(line, key: "s-1"),
                    body: ByteBuffer(string: #"{"from": "10.11.2026", "until": "2026-11-16"}"#)
                ) { response throws in
                    #expect(response.status == .badRequest)
                }
                // A delegate who may only look and pay suspends nothing.
                try await client.execute(
                    uri: "/api/v1/me/suspension", method: .post,
                    headers: headers(line, key: "s-d", scopes: "viewBalance,pay"), body: ByteBuffer(string: dates)
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "auth.scopeMissing")
                }
                try await client.execute(
                    uri: "/api/v1/me/suspension", method: .post, headers: headers(line, key: "s-2"),
                    body: ByteBuffer(string: dates)
                ) { response in
                    #expect(response.status == .created)
                }
                try await client.execute(uri: "/suspension", method: .get, headers: headers(line)) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("id=\"suspension-current\"") && html.contains("id=\"suspension-resume\""))
                }
                // Suspended, the line changes nothing else …
                try await client.execute(uri: "/api/v1/me/blacklist", method: .post, headers: headers(line, key: "s-3"))
                { response throws in
                    #expect(try json(response)["code"] as? String == "line.suspended")
                }
                // … but resumes.
                try await client.execute(
                    uri: "/api/v1/me/suspension", method: .delete, headers: headers(line, key: "s-4")
                ) { response throws in
                    #expect(response.status == .ok)
                    #expect(try json(response)["kind"] as? String == "services.resume")
                }
            }
            #expect(try await bed.billing.directory.line(id: line.id)?.status == .active)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theOperatorChangesOptionsWithTheSameRules(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "10.00")
            let blocked = try await bed.line("+79001234568", credit: "100.00")
            _ = try await bed.billing.lines.update(msisdn: blocked.msisdn, with: LinePatch(status: .blocked))
            try await app(bed).test(.router) { client in
                var network: HTTPFields = [
                    .contentType: "application/json", .authorization: "Bearer \(ModuleTestRouter.operatorKey)",
                ]
                network[IdempotentRequests.header] = "op-1"
                try await client.execute(
                    uri: "/operator/v1/lines/%2B79001234567/options/roaming-ban", method: .post, headers: network
                ) { response throws in
                    #expect(response.status == .created)
                    #expect(try json(response)["kind"] as? String == "services.operatorConnect")
                }
                network[IdempotentRequests.header] = "op-2"
                try await client.execute(
                    uri: "/operator/v1/lines/%2B79001234567/options/international-roaming", method: .post,
                    headers: network
                ) { response throws in
                    #expect(response.status == .conflict, "the same conflict rule as for the subscriber")
                }
                network[IdempotentRequests.header] = "op-3"
                try await client.execute(
                    uri: "/operator/v1/lines/%2B79001234567/options/internet-boost", method: .post, headers: network
                ) { response throws in
                    #expect(try json(response)["code"] as? String == "services.option.insufficientFunds")
                }
                network[IdempotentRequests.header] = "op-4"
                try await client.execute(
                    uri: "/operator/v1/lines/%2B79001234568/options/roaming-ban", method: .post, headers: network
                ) { response throws in
                    #expect(try json(response)["code"] as? String == "line.blocked")
                }
                network[IdempotentRequests.header] = "op-5"
                try await client.execute(
                    uri: "/operator/v1/lines/%2B79009999999/options/roaming-ban", method: .post, headers: network
                ) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(
                    uri: "/operator/v1/lines/%2B79001234567/options", method: .get, headers: network
                ) { response throws in
                    let items = try #require(try json(response)["items"] as? [[String: Any]])
                    #expect(items.first { $0["id"] as? String == "roaming-ban" }?["state"] as? String == "connected")
                }
                network[IdempotentRequests.header] = "op-6"
                try await client.execute(
                    uri: "/operator/v1/lines/%2B79001234567/options/roaming-ban", method: .delete, headers: network
                ) { response throws in
                    #expect(try json(response)["kind"] as? String == "services.operatorDisconnect")
                }
            }
            #expect(
                try await bed.billing.requests.requests(of: line.id, before: nil, limit: 10).map(\.kind)
                    == ["services.operatorDisconnect", "services.operatorConnect"])
        }
    }
}

/// The call check's answer as an `Encodable`, to hold the hand-written one to.
private struct CheckAnswerMirror: Encodable {
    struct Item: Encodable {
        var decision: String
        var id: String
        var reason: String?
    }
    var items: [Item]
}
