import Billing
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
import Subscribers
import SubscribersTesting
import Support
import SupportHTTP
import SupportStorage
import SupportTesting
import Testing

/// Support's API, pages, the agents' console and TMF621 on the production router, over the SQL test bed.
@Suite struct SupportHTTPTests {
    func app(_ bed: SupportTestBed) throws -> some ApplicationProtocol {
        let module = SupportHTTPModule(
            service: bed.service, regions: bed.billing.rules.regions, liveWindow: .milliseconds(1500))
        let directory = bed.billing.directory
        let session = TestSessionModule(now: { bed.clock.now }) { id in
            try await directory.line(id: id).map {
                .init(id: $0.id, msisdn: $0.msisdn, region: $0.region, status: $0.status)
            }
        }
        let catalogues = [try SupportModule.messages(), BillingTestBed.catalog(), try SubscribersModule.messages()]
        return Application(
            router: try ModuleTestRouter.make(
                modules: [session, module], regions: bed.billing.rules.regions, catalogues: catalogues,
                requests: bed.billing.requests))
    }

    func headers(_ line: Line, scopes: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [
            TestSessionModule.lineHeader: String(line.id.rawValue), .contentType: "application/json",
        ]
        if let scopes { fields[TestSessionModule.scopesHeader] = scopes }
        return fields
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    func body(_ object: [String: Any]) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }

    @Test(arguments: TestDatabase.available)
    func aTicketWithAFileThroughTheAPI(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let owner = try await bed.line("+79001235001")
            let stranger = try await bed.line("+79001235002")
            try await app(bed).test(.router) { client in
                let png = Data(SupportTestBed.png).base64EncodedString()
                var number = ""
                var fileURL = ""
                try await client.execute(
                    uri: "/api/v1/me/tickets", method: .post, headers: headers(owner),
                    body: try body([
                        "category": "payments", "subject": "Платёж", "message": "Вот чек",
                        "attachments": [["fileName": "../чек.pdf", "content": png]],
                    ])
                ) { response throws in
                    #expect(response.status == .created)
                    let thread = try json(response)
                    let ticket = try #require(thread["ticket"] as? [String: Any])
                    number = try #require(ticket["id"] as? String)
                    #expect(ticket["status"] as? String == "new")
                    let messages = try #require(thread["messages"] as? [[String: Any]])
                    let files = try #require(messages.first?["attachments"] as? [[String: Any]])
                    #expect(files.first?["fileName"] as? String == "чек.png")
                    #expect(files.first?["mediaType"] as? String == "image/png")
                    fileURL = try #require(files.first?["url"] as? String)
                }
                // A script named as a picture is refused, with the field named.
                try await client.execute(
                    uri: "/api/v1/me/tickets", method: .post, headers: headers(owner),
                    body: try body([
                        "category": "other", "subject": "X", "message": "Y",
                        "attachments": [
                            ["fileName": "x.png", "content": Data("<svg onload=alert(1)>".utf8).base64EncodedString()]
                        ],
                    ])
                ) { response throws in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("support.attachment.type"))
                }
                try await client.execute(uri: fileURL, method: .get, headers: headers(owner)) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "image/png")
                    #expect(response.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
                    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                    #expect(Array(response.body.readableBytesView) == SupportTestBed.png)
                }
                // Another line finds neither the ticket nor its file.
                for uri in ["/api/v1/me/tickets/\(number)", fileURL] {
                    try await client.execute(uri: uri, method: .get, headers: headers(stranger)) { response in
                        #expect(response.status == .notFound)
                    }
                }
                // A delegate who may only look cannot write.
                try await client.execute(
                    uri: "/api/v1/me/tickets/\(number)/messages", method: .post,
                    headers: headers(owner, scopes: "viewBalance"), body: try body(["message": "Я делегат"])
                ) { response in
                    #expect(response.status == .forbidden)
                }
                // The request history lists it under support.*, with its status history.
                try await client.execute(
                    uri: "/api/v1/me/requests?kind=support.*&status=pending", method: .get, headers: headers(owner)
                ) { response throws in
                    let items = try #require(try json(response)["items"] as? [[String: Any]])
                    #expect(items.map { $0["id"] as? String } == [number])
                }
                try await client.execute(
                    uri: "/api/v1/me/requests?kind=tariff.*", method: .get, headers: headers(owner)
                ) { response throws in
                    #expect((try json(response)["items"] as? [Any])?.isEmpty == true)
                }
                for bad in ["status=lost", "from=2026-13-40", "kind=a%20b"] {
                    try await client.execute(uri: "/api/v1/me/requests?\(bad)", method: .get, headers: headers(owner)) {
                        response in
                        #expect(response.status == .badRequest, "\(bad)")
                    }
                }
                try await client.execute(uri: "/api/v1/me/requests/\(number)", method: .get, headers: headers(owner)) {
                    response throws in
                    let events = try #require(try json(response)["events"] as? [[String: Any]])
                    #expect(events.map { $0["detail"] as? String } == ["support.status.new"])
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func newMessagesArriveOnTheEventStream(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let line = try await bed.line("+79001235003")
            let ticket = try await bed.service.open(
                TicketDraft(category: "other", subject: "Вопрос", message: "Текст"), on: bed.access(line),
                language: .ru)
            let first = try #require(try await bed.service.thread(ticket.id, of: bed.access(line)).messages.first)
            let (agent, _) = try await bed.agent("streamer")
            _ = try await bed.service.reply(to: ticket.id, by: agent, body: "Ответ агента", status: nil)
            try await app(bed).test(.router) { client in
                // The stream starts after the first message and carries the agent's answer, then ends (window 1.5 s).
                try await client.execute(
                    uri: "/api/v1/me/tickets/\(ticket.number)/events?after=\(first.id)", method: .get,
                    headers: headers(line)
                ) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
                    let text = String(buffer: response.body)
                    #expect(text.contains("event: message"))
                    #expect(text.contains("Ответ агента"))
                    #expect(!text.contains("\"text\":\"Текст\""))
                }
                // The page's stream (cookie session) is the same.
                try await client.execute(
                    uri: "/support/tickets/\(ticket.number)/events", method: .get, headers: headers(line)
                ) { response in
                    #expect(String(buffer: response.body).contains("Ответ агента"))
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func thePagesWorkWithoutJavaScript(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let line = try await bed.line("+79001235004")
            try await app(bed).test(.router) { client in
                try await client.execute(uri: "/support?q=пополнить", method: .get, headers: headers(line)) {
                    response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("<mark>пополнить</mark>"))
                    #expect(html.contains("611"))
                }
                // The form with a file, as a browser sends it.
                let boundary = "----cabinet-test-boundary"
                var form = ""
                for (name, value) in [
                    ("csrf", "csrf-token"), ("category", "other"), ("subject", "Скриншот"), ("message", "Ошибка"),
                    ("notify", "none"),
                ] {
                    form += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
                }
                var bytes = Array(form.utf8)
                bytes += Array(
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"screen.png\"\r\nContent-Type: image/png\r\n\r\n"
                        .utf8)
                bytes += SupportTestBed.png
                bytes += Array("\r\n--\(boundary)--\r\n".utf8)
                var multipart = headers(line)
                multipart[.contentType] = "multipart/form-data; boundary=\(boundary)"
                var location = ""
                try await client.execute(
                    uri: "/support/new", method: .post, headers: multipart, body: ByteBuffer(bytes: bytes)
                ) { response in
                    #expect(response.status == .seeOther)
                    location = response.headers[.location] ?? ""
                }
                #expect(location.hasPrefix("/support/tickets/R-"))
                try await client.execute(uri: location, method: .get, headers: headers(line)) { response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("screen.png"))
                    #expect(html.contains("Ошибка"))
                    #expect(html.contains("/support/support.js"))
                }
                // Without the anti-forgery token nothing is opened.
                let forged = String(decoding: bytes, as: UTF8.self).replacingOccurrences(
                    of: "csrf-token", with: "forged-token")
                try await client.execute(
                    uri: "/support/new", method: .post, headers: multipart, body: ByteBuffer(string: forged)
                ) { response in
                    #expect(response.status == .forbidden)
                }
                #expect(try await bed.service.tickets(of: bed.access(line), before: nil, limit: 10).count == 1)
                try await client.execute(uri: "/support/support.js", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("EventSource"))
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func anAgentLogsInAndAnswersInTheConsole(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let line = try await bed.line("+79001235005", credit: "75.00")
            let ticket = try await bed.service.open(
                TicketDraft(category: "payments", subject: "Не прошёл платёж", message: "Помогите"),
                on: bed.access(line), language: .ru)
            let (_, credentials) = try await bed.agent("olga")
            try await app(bed).test(.router) { client in
                var loginCSRF = ""
                try await client.execute(uri: "/agent/login", method: .get) { response in
                    let cookie = response.headers[values: .setCookie].first { $0.hasPrefix("cabinet_agent_csrf=") }
                    loginCSRF = String(cookie?.dropFirst("cabinet_agent_csrf=".count).prefix { $0 != ";" } ?? "")
                }
                #expect(!loginCSRF.isEmpty)
                func login(_ code: String) -> (HTTPFields, ByteBuffer) {
                    var fields: HTTPFields = [
                        .contentType: "application/x-www-form-urlencoded", .cookie: "cabinet_agent_csrf=\(loginCSRF)",
                    ]
                    fields[.accept] = "text/html"
                    let form = "csrf=\(loginCSRF)&login=olga&password=\(credentials.password)&code=\(code)"
                    return (fields, ByteBuffer(string: form))
                }
                var (fields, form) = login("")
                try await client.execute(uri: "/agent/login", method: .post, headers: fields, body: form) { response in
                    #expect(String(buffer: response.body).contains(credentials.totpSecret))
                }
                (fields, form) = login(bed.code(for: credentials))
                var sessionCookie = ""
                try await client.execute(uri: "/agent/login", method: .post, headers: fields, body: form) { response in
                    #expect(response.status == .seeOther)
                    let cookie = response.headers[values: .setCookie].first { $0.hasPrefix("cabinet_agent=") }
                    #expect(cookie?.contains("Path=/agent") == true)
                    #expect(cookie?.contains("SameSite=Strict") == true)
                    sessionCookie = String(cookie?.prefix { $0 != ";" } ?? "")
                }
                // Without the cookie the console sends to the login.
                try await client.execute(uri: "/agent", method: .get) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/agent/login")
                }
                let agentHeaders: HTTPFields = [.cookie: sessionCookie]
                // The operator's first password only sets the agent's own: every page sends there first.
                var passwordCSRF = ""
                try await client.execute(uri: "/agent", method: .get, headers: agentHeaders) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/agent/password")
                }
                try await client.execute(uri: "/agent/password", method: .get, headers: agentHeaders) { response in
                    let html = String(buffer: response.body)
                    if let range = html.range(of: "name=\"csrf\" value=\"") {
                        passwordCSRF = String(html[range.upperBound...].prefix { $0 != "\"" })
                    }
                }
                var passwordPost = agentHeaders
                passwordPost[.contentType] = "application/x-www-form-urlencoded"
                try await client.execute(
                    uri: "/agent/password", method: .post, headers: passwordPost,
                    body: ByteBuffer(string: "csrf=\(passwordCSRF)&current=\(credentials.password)&password=short")
                ) { response in
                    #expect(response.status == .badRequest)
                }
                try await client.execute(
                    uri: "/agent/password", method: .post, headers: passwordPost,
                    body: ByteBuffer(
                        string: "csrf=\(passwordCSRF)&current=\(credentials.password)&password=Olga-own-password-2026")
                ) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/agent", method: .get, headers: agentHeaders) { response in
                    #expect(String(buffer: response.body).contains(ticket.number))
                }
                var csrf = ""
                try await client.execute(uri: "/agent/tickets/\(ticket.number)", method: .get, headers: agentHeaders) {
                    response in
                    let html = String(buffer: response.body)
                    #expect(html.contains("75,00"))
                    #expect(html.contains("Помогите"))
                    if let range = html.range(of: "name=\"csrf\" value=\"") {
                        csrf = String(html[range.upperBound...].prefix { $0 != "\"" })
                    }
                }
                #expect(bed.views.all.count == 1)
                var post = agentHeaders
                post[.contentType] = "application/x-www-form-urlencoded"
                // A canned reply, chosen with nothing typed, goes out with the agent's name in it.
                try await client.execute(
                    uri: "/agent/tickets/\(ticket.number)/reply", method: .post, headers: post,
                    body: ByteBuffer(string: "csrf=\(csrf)&message=&canned=hello&status=inProgress")
                ) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(
                    uri: "/agent/tickets/\(ticket.number)/reply", method: .post, headers: post,
                    body: ByteBuffer(
                        string: "csrf=\(csrf)&message=%D0%93%D0%BE%D1%82%D0%BE%D0%B2%D0%BE&status=resolved")
                ) { response in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(
                    uri: "/agent/tickets/\(ticket.number)/note", method: .post, headers: post,
                    body: ByteBuffer(string: "csrf=wrong&message=x")
                ) { response in
                    #expect(response.status == .forbidden)
                }
                let thread = try await bed.service.thread(ticket.id, of: bed.access(line))
                #expect(thread.ticket.status == .resolved)
                #expect(thread.messages.contains { $0.body == "Готово" })
                #expect(thread.messages.contains { $0.body == "Здравствуйте, это Olga." })
                // Each answer is texted to the subscriber once, through the outbox.
                #expect(
                    try await bed.billing.messages(to: line.msisdn.e164).filter { $0.body.contains(ticket.number) }
                        .count == 2)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func tmf621TroubleTickets(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let line = try await bed.line("+79001235006")
            try await app(bed).test(.router) { client in
                let key: HTTPFields = [
                    .authorization: "Bearer \(ModuleTestRouter.operatorKey)", .contentType: "application/json",
                ]
                let base = "/tmf-api/troubleTicket/v4/troubleTicket"
                try await client.execute(uri: base, method: .get) { response in
                    #expect(response.status == .unauthorized)
                }
                // Agents are the operator's to make: a subscriber's session or no key is refused.
                let newAgent = try body(["login": "crm.agent", "name": "CRM", "regions": ["msk"]])
                try await client.execute(
                    uri: "/operator/v1/support/agents", method: .post, headers: headers(line), body: newAgent
                ) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(
                    uri: "/operator/v1/support/agents", method: .post, headers: key, body: newAgent
                ) { response throws in
                    #expect(response.status == .created)
                    #expect((try json(response)["password"] as? String)?.isEmpty == false)
                }
                try await client.execute(uri: "/operator/v1/support/agents/crm.agent/disable", method: .post) {
                    response in
                    #expect(response.status == .unauthorized)
                }
                var id = ""
                try await client.execute(
                    uri: base, method: .post, headers: key,
                    body: try body([
                        "name": "Нет связи", "description": "Абонент звонил на 611", "ticketType": "other",
                        "relatedParty": [["id": line.msisdn.e164, "role": "customer"]],
                    ])
                ) { response throws in
                    #expect(response.status == .created)
                    let ticket = try json(response)
                    id = try #require(ticket["id"] as? String)
                    #expect(ticket["status"] as? String == "acknowledged")
                    #expect(ticket["@type"] as? String == "TroubleTicket")
                    let party = try #require((ticket["relatedParty"] as? [[String: Any]])?.first)
                    #expect(party["id"] as? String == line.msisdn.e164)
                }
                var patch = key
                patch[.contentType] = "application/merge-patch+json"
                try await client.execute(
                    uri: "\(base)/\(id)", method: .patch, headers: patch,
                    body: try body(["status": "resolved", "note": [["text": "Перезагрузили профиль"]]])
                ) { response throws in
                    #expect(response.status == .ok)
                    let ticket = try json(response)
                    #expect(ticket["status"] as? String == "resolved")
                    let changes = try #require(ticket["statusChange"] as? [[String: Any]])
                    #expect(changes.map { $0["status"] as? String } == ["acknowledged", "resolved"])
                    let notes = try #require(ticket["note"] as? [[String: Any]])
                    #expect(notes.first?["text"] as? String == "Перезагрузили профиль")
                }
                try await client.execute(uri: "\(base)?status=resolved", method: .get, headers: key) { response in
                    #expect(String(buffer: response.body).contains(id))
                }
                try await client.execute(
                    uri: "\(base)/\(id)", method: .patch, headers: patch, body: try body(["status": "sideways"])
                ) { response in
                    #expect(response.status == .badRequest)
                }
                // The CRM's notes are internal: the subscriber does not see them.
                let thread = try await bed.service.thread(
                    try #require(ServiceRequest.id(fromNumber: id)), of: bed.access(line))
                #expect(!thread.messages.contains { $0.body == "Перезагрузили профиль" })
            }
        }
    }
}
