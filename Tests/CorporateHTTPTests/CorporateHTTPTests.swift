import Billing
import BillingTesting
import CabinetCore
import CabinetHTTP
import CabinetHTTPTesting
import CabinetTesting
import Corporate
import CorporateHTTP
import CorporateStorage
import CorporateTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServicesTesting
import Subscribers
import SubscribersTesting
import Testing

/// The business cabinet's API and pages on the production router, over the SQL test bed: the application through
/// the operator's approval to the admin's quota with its request number, and the wrong callers refused.
@Suite struct CorporateHTTPTests {
    func app(_ bed: CorporateTestBed) throws -> some ApplicationProtocol {
        let module = CorporateHTTPModule(
            service: bed.service, finance: bed.finance, regions: bed.billing.rules.regions,
            idempotency: IdempotentRequests(store: InMemoryIdempotencyStore(), clock: bed.clock))
        let directory = bed.billing.directory
        let session = TestSessionModule(now: { bed.clock.now }) { id in
            try await directory.line(id: id).map {
                .init(id: $0.id, msisdn: $0.msisdn, region: $0.region, status: $0.status)
            }
        }
        let catalogues = [try CorporateModule.messages(), BillingTestBed.catalog(), try SubscribersModule.messages()]
        return Application(
            router: try ModuleTestRouter.make(
                modules: [session, module], regions: bed.billing.rules.regions, catalogues: catalogues,
                requests: bed.billing.requests))
    }

    func headers(_ line: Line?, key: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let line { fields[TestSessionModule.lineHeader] = String(line.id.rawValue) }
        if let key { fields[IdempotentRequests.header] = key }
        return fields
    }

    var operatorHeaders: HTTPFields {
        [.contentType: "application/json", .authorization: "Bearer \(ModuleTestRouter.operatorKey)"]
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    func body(_ object: [String: Any]) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }

    @Test(arguments: TestDatabase.available)
    func fromTheApplicationToAQuotaThroughTheAPI(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let sim = try await bed.line("+79004440001")
            bed.services.puks.set("12345678", for: sim)
            let employee = try await bed.line("+79004440002", name: "Сотрудникова")
            let stranger = try await bed.line("+79004440003")
            try await app(bed).test(.router) { client in
                var number = ""
                let application: [String: Any] = [
                    "region": "msk", "city": "Москва", "companyName": "ООО «Ромашка»", "inn": "7707083893",
                    "contactName": "Петров", "phone": "8 900 444-00-01", "puk": "12345678",
                ]
                var wrong = application
                wrong["inn"] = "1234567890"
                try await client.execute(
                    uri: "/api/v1/corporate/applications", method: .post, headers: headers(nil), body: try body(wrong)
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("corporate.inn.invalid"))
                }
                try await client.execute(
                    uri: "/api/v1/corporate/applications", method: .post, headers: headers(nil),
                    body: try body(application)
                ) { response throws in
                    #expect(response.status == .created)
                    number = try #require(try json(response)["number"] as? String)
                }
                // Only the operator decides.
                try await client.execute(
                    uri: "/operator/v1/corporate/applications/\(number)/approve", method: .post, headers: headers(sim),
                    body: try body(["kpp": "770701001", "legalAddress": "Москва"])
                ) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(
                    uri: "/operator/v1/corporate/applications?status=pending", method: .get, headers: operatorHeaders
                ) { response throws in
                    let items = try #require(try json(response)["items"] as? [[String: Any]])
                    #expect(items.map { $0["number"] as? String } == [number])
                }
                try await client.execute(
                    uri: "/operator/v1/corporate/applications/\(number)/approve", method: .post,
                    headers: operatorHeaders, body: try body(["kpp": "770701001", "legalAddress": "Москва, Ленина, 1"])
                ) { response throws in
                    #expect(response.status == .created)
                    #expect(try json(response)["id"] as? String == "7707083893")
                }
                var patch = LinePatch()
                patch.companyID = .set(CompanyID(rawValue: "7707083893")!)
                _ = try await bed.billing.lines.update(msisdn: employee.msisdn, with: patch)

                try await client.execute(uri: "/api/v1/corporate/company", method: .get, headers: headers(sim)) {
                    response throws in
                    #expect(response.status == .ok)
                    let admin = try #require(try json(response)["admin"] as? [String: Any])
                    #expect(admin["scopes"] as? [String] == ["owner"])
                }
                // The employee and a stranger see no company; without a session it is a 401.
                for line in [employee, stranger] {
                    try await client.execute(
                        uri: "/api/v1/corporate/lines", method: .get, headers: headers(line)
                    ) { response in
                        #expect(response.status == .forbidden)
                        #expect(String(buffer: response.body).contains("corporate.notAdmin"))
                    }
                }
                try await client.execute(uri: "/api/v1/corporate/company", method: .get, headers: headers(nil)) {
                    response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/api/v1/corporate/lines?q=сотруд", method: .get, headers: headers(sim)) {
                    response throws in
                    let items = try #require(try json(response)["items"] as? [[String: Any]])
                    #expect(items.map { $0["msisdn"] as? String } == ["+79004440002"])
                }
                // A quota: the key is required, the answer is 202 with the request's number, a replay repeats it.
                let quota = try body(["money": "1500.00", "policy": "block"])
                try await client.execute(
                    uri: "/api/v1/corporate/lines/+79004440002/quota", method: .put, headers: headers(sim), body: quota
                ) { response in
                    #expect(response.status == .badRequest)
                }
                var request = ""
                for replay in [false, true] {
                    try await client.execute(
                        uri: "/api/v1/corporate/lines/+79004440002/quota", method: .put,
                        headers: headers(sim, key: "quota-1"), body: quota
                    ) { response throws in
                        #expect(response.status == .accepted)
                        #expect(response.headers[IdempotentRequests.replayedHeader] == (replay ? "true" : nil))
                        let answer = try json(response)
                        #expect(answer["status"] as? String == "pending")
                        request = try #require(answer["number"] as? String)
                    }
                }
                _ = try await bed.service.runQuotaJob()
                try await client.execute(
                    uri: "/api/v1/corporate/lines/89004440002", method: .get, headers: headers(sim)
                ) {
                    response throws in
                    let detail = try json(response)
                    let line = try #require(detail["line"] as? [String: Any])
                    let applied = try #require(line["quota"] as? [String: Any])
                    #expect(applied["request"] as? String == request)
                    let requests = try #require(detail["requests"] as? [[String: Any]])
                    #expect(requests.first?["status"] as? String == "done")
                }
                try await client.execute(uri: "/api/v1/corporate/requests", method: .get, headers: headers(sim)) {
                    response throws in
                    let items = try #require(try json(response)["items"] as? [[String: Any]])
                    #expect(items.first?["number"] as? String == request)
                    #expect(items.first?["status"] as? String == "done")
                }
                // A line of no company answers as no line; a number that is no number is a field problem.
                try await client.execute(
                    uri: "/api/v1/corporate/lines/+79004440003/quota", method: .put,
                    headers: headers(sim, key: "quota-2"), body: quota
                ) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: "/api/v1/corporate/lines/abc", method: .get, headers: headers(sim)) {
                    response in
                    #expect(response.status == .badRequest)
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func theQuotaFormShowsTheRequestNumberAndTheEmployeeSeesNoCompany(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79004450001")
            let (company, _) = try await bed.company(owner: ownerLine)
            let employee = try await bed.line("+79004450002", company: company.id, name: "Иванова")
            try await app(bed).test(.router) { client in
                try await client.execute(uri: "/business", method: .get, headers: headers(employee)) { response in
                    #expect(response.status == .forbidden)
                    #expect(String(buffer: response.body).contains("/business/apply"))
                }
                try await client.execute(uri: "/business/lines", method: .get, headers: headers(ownerLine)) {
                    response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("Иванова"))
                }
                var form = headers(ownerLine)
                form[.contentType] = "application/x-www-form-urlencoded"
                var location = ""
                try await client.execute(
                    uri: "/business/lines/+79004450002/quota", method: .post, headers: form,
                    body: ByteBuffer(string: "csrf=csrf-token&money=700&minutes=&sms=&megabytes=&policy=personal")
                ) { response throws in
                    #expect(response.status == .seeOther)
                    location = try #require(response.headers[.location])
                }
                #expect(location.contains("request=R-"))
                try await client.execute(uri: location, method: .get, headers: headers(ownerLine)) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("quota-accepted"))
                    #expect(html.contains("R-"))
                }
                // A bad amount re-renders the page with the reason.
                try await client.execute(
                    uri: "/business/lines/+79004450002/quota", method: .post, headers: form,
                    body: ByteBuffer(string: "csrf=csrf-token&money=abc&policy=block")
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("line-error"))
                }
                // Without the form's token nothing changes.
                try await client.execute(
                    uri: "/business/lines/+79004450002/quota", method: .post, headers: form,
                    body: ByteBuffer(string: "money=700&policy=block")
                ) { response in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(uri: "/business/apply", method: .get, headers: headers(nil)) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("apply-puk"))
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func everyAdminRouteRefusesAnEmployeeABlockedAdminAndNoSession(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79004460001")
            let (company, owner) = try await bed.company(owner: ownerLine)
            let employee = try await bed.line("+79004460002", company: company.id)
            let bulk = try await bed.service.planBulk(
                owner, action: .sms("Привет"), selection: .lines([employee.msisdn]))
            let group = try await bed.service.createGroup(owner, name: "Отдел")
            let invoice = try await bed.finance.issueInvoice(owner, amount: try Money(parsing: "10.00", currency: .rub))
            let routes: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/api/v1/corporate/company", nil), (.get, "/api/v1/corporate/lines", nil),
                (.get, "/api/v1/corporate/lines/+79004460002", nil),
                (.put, "/api/v1/corporate/lines/+79004460002/quota", #"{"money":"10.00"}"#),
                (.delete, "/api/v1/corporate/lines/+79004460002/quota", nil),
                (.put, "/api/v1/corporate/lines/+79004460002/group", #"{"group":\#(group.id)}"#),
                (.get, "/api/v1/corporate/groups", nil), (.post, "/api/v1/corporate/groups", #"{"name":"X"}"#),
                (.delete, "/api/v1/corporate/groups/\(group.id)", nil), (.get, "/api/v1/corporate/admins", nil),
                (.post, "/api/v1/corporate/admins", #"{"msisdn":"+79004460002","name":"X","scopes":["owner"]}"#),
                (.delete, "/api/v1/corporate/admins/\(owner.admin.id)", nil), (.get, "/api/v1/corporate/requests", nil),
                (.get, "/api/v1/corporate/bulk", nil),
                (.post, "/api/v1/corporate/bulk", #"{"action":"removeQuota","lines":["+79004460002"]}"#),
                (.get, "/api/v1/corporate/bulk/\(bulk.id)", nil),
                (.get, "/api/v1/corporate/bulk/\(bulk.id)/items", nil),
                (.post, "/api/v1/corporate/bulk/\(bulk.id)/start", nil),
                (.get, "/api/v1/corporate/bulk/\(bulk.id)/report.csv", nil),
                (.get, "/api/v1/corporate/reports/expenses", nil),
                (.get, "/api/v1/corporate/reports/expenses.csv", nil),
                (.get, "/api/v1/corporate/reports/expenses.pdf", nil), (.get, "/api/v1/corporate/finance", nil),
                (.get, "/api/v1/corporate/documents", nil),
                (.post, "/api/v1/corporate/documents/invoices", #"{"amount":"100.00"}"#),
                (.get, "/api/v1/corporate/documents/\(invoice.id)/pdf", nil),
                (.post, "/api/v1/corporate/finance/topups", #"{"amount":"100.00"}"#),
                (.get, "/api/v1/corporate/finance/topups/pay_x", nil),
                (.get, "/business/finance", nil), (.get, "/business/documents/\(invoice.id)/pdf", nil),
                (.get, "/business/reports/expenses.pdf", nil),
            ]
            try await app(bed).test(.router) { client in
                for (method, uri, json) in routes {
                    let body = json.map { ByteBuffer(string: $0) }
                    try await client.execute(
                        uri: uri, method: method, headers: headers(employee, key: "k-\(uri)"), body: body
                    ) {
                        response in
                        #expect(response.status == .forbidden, "\(method) \(uri) as an employee")
                    }
                    try await client.execute(
                        uri: uri, method: method, headers: headers(nil, key: "n-\(uri)"), body: body
                    ) {
                        response in
                        // A page sends a visitor without a session to the login page; the API answers 401.
                        let expected: HTTPResponse.Status = uri.hasPrefix("/business") ? .seeOther : .unauthorized
                        #expect(response.status == expected, "\(method) \(uri) without a session")
                        if expected == .seeOther { #expect(response.headers[.location]?.contains("login") == true) }
                    }
                }
                // The owner's own line blocked: no admin until it is unblocked.
                _ = try await bed.billing.lines.changeStatus(of: ownerLine.msisdn, to: .blocked, from: [.active])
                try await client.execute(uri: "/api/v1/corporate/company", method: .get, headers: headers(ownerLine)) {
                    response in
                    #expect(response.status == .forbidden)
                }
            }
            // Nothing changed: the bulk is still planned, the group and the admin are there.
            #expect(try await bed.store.bulk(bulk.id)?.status == .planned)
            #expect(try await bed.store.groups(of: company.id).map(\.id) == [group.id])
            #expect(try await bed.store.admins(of: company.id).count == 1)
            #expect(try await bed.store.documents(of: company.id, before: nil, limit: 10).map(\.id) == [invoice.id])
        }
    }

    @Test(arguments: TestDatabase.available)
    func financeAndDocumentsThroughTheAPIThePageAndTheOperator(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79004470001")
            let (company, owner) = try await bed.company(owner: ownerLine)
            let linesAdmin = try await bed.line("+79004470002", company: company.id)
            _ = try await bed.service.addAdmin(
                owner, AdminDraft(msisdn: linesAdmin.msisdn, name: "Линии", scopes: [.lines]))
            try await app(bed).test(.router) { client in
                // An invoice through the API, once per idempotency key.
                var id = 0
                for _ in 0..<2 {
                    try await client.execute(
                        uri: "/api/v1/corporate/documents/invoices", method: .post,
                        headers: headers(ownerLine, key: "inv-1"), body: try body(["amount": "12 500,00"])
                    ) { response in
                        #expect(response.status == .created)
                        let object = try json(response)
                        #expect(object["number"] as? String == "2026-1" && object["kind"] as? String == "invoice")
                        #expect((object["vat"] as? [String: Any])?["amount"] as? String == "2254.10")
                        id = object["id"] as? Int ?? 0
                    }
                }
                try await client.execute(uri: "/api/v1/corporate/documents", method: .get, headers: headers(ownerLine))
                {
                    response throws in
                    #expect((try json(response)["items"] as? [Any])?.count == 1)
                }
                try await client.execute(
                    uri: "/api/v1/corporate/documents/\(id)/pdf", method: .get, headers: headers(ownerLine)
                ) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentDisposition]?.contains("invoice-2026-1") == true)
                    #expect(String(buffer: response.body).contains("Счёт на оплату № 2026-1"))
                }
                // Bad amounts are field problems, not errors.
                for bad in ["0", "-5", "abc", "1000000000000"] {
                    try await client.execute(
                        uri: "/api/v1/corporate/documents/invoices", method: .post,
                        headers: headers(ownerLine, key: "bad-\(bad)"), body: try body(["amount": bad])
                    ) { response in
                        #expect(response.status == .badRequest, "amount \(bad)")
                    }
                }
                // A lines admin is refused money and documents.
                try await client.execute(uri: "/api/v1/corporate/finance", method: .get, headers: headers(linesAdmin)) {
                    response in
                    #expect(response.status == .forbidden)
                }
                // The operator records a bank transfer; without the key nothing happens.
                let transfer = try body(["amount": "15000.00", "reference": "PP-77", "paidOn": "2026-11-09"])
                try await client.execute(
                    uri: "/operator/v1/corporate/\(company.id.rawValue)/payments", method: .post,
                    headers: [.contentType: "application/json"], body: transfer
                ) { response in
                    #expect(response.status == .unauthorized)
                }
                for expected in [HTTPResponse.Status.created, .ok] {
                    try await client.execute(
                        uri: "/operator/v1/corporate/\(company.id.rawValue)/payments", method: .post,
                        headers: operatorHeaders, body: transfer
                    ) { response throws in
                        #expect(response.status == expected)
                        #expect((try json(response)["balance"] as? [String: Any])?["amount"] as? String == "15000.00")
                    }
                }
                try await client.execute(
                    uri: "/operator/v1/corporate/nobody/payments", method: .post, headers: operatorHeaders,
                    body: transfer
                ) { response in
                    #expect(response.status == .notFound)
                }
                try await client.execute(uri: "/api/v1/corporate/finance", method: .get, headers: headers(ownerLine)) {
                    response in
                    let object = try json(response)
                    #expect((object["balance"] as? [String: Any])?["amount"] as? String == "15000.00")
                    let movements = try #require(object["movements"] as? [[String: Any]])
                    #expect(
                        movements.first?["description"] as? String
                            == "Банковский перевод, платёжное поручение № PP-77 от 2026-11-09")
                }
                // The page: balance, documents, and an invoice issued by its form.
                var form = headers(ownerLine)
                form[.contentType] = "application/x-www-form-urlencoded"
                var location = ""
                try await client.execute(
                    uri: "/business/finance/invoices", method: .post, headers: form,
                    body: ByteBuffer(string: "csrf=csrf-token&amount=3000")
                ) { response throws in
                    #expect(response.status == .seeOther)
                    location = try #require(response.headers[.location])
                }
                #expect(location == "/business/finance?issued=2026-2")
                try await client.execute(uri: location, method: .get, headers: headers(ownerLine)) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("invoice-issued") && html.contains("2026-2"))
                    #expect(html.contains("15\u{00A0}000,00"))
                    #expect(html.contains("/business/documents/\(id)/pdf"))
                }
                try await client.execute(
                    uri: "/business/finance/invoices", method: .post, headers: form,
                    body: ByteBuffer(string: "csrf=csrf-token&amount=nope")
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("finance-error"))
                }
            }
            #expect(try await bed.store.documents(of: company.id, before: nil, limit: 10).count == 2)
        }
    }
}
