import CabinetCore
import CabinetHTTP
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct KernelMiddlewareTests {
    struct Secret: Error, CustomStringConvertible {
        var description: String { "database password is hunter2" }
    }

    func app() throws -> some ApplicationProtocol {
        let catalog = try KernelMessages.catalog().merging(KernelWeb.messages())
            .merging(MessageCatalog([.ru: ["test.refused": "Отказ: {why}"], .en: ["test.refused": "Refused: {why}"]]))
        let templates = try #require(KernelWeb.templates)
        let renderer = WebRenderer(
            library: try TemplateLoader.library(from: [templates]), catalog: catalog,
            navigation: [], assetVersion: "t", webKeys: Array(catalog.keys))
        let metrics = HTTPMetrics()
        let router = Router(context: CabinetRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: LanguageMiddleware())
        router.add(middleware: AccessLogMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware(catalog: catalog, renderer: renderer))
        router.add(middleware: SecurityHeadersMiddleware(hsts: false))
        router.get("/api/v1/refused") { _, _ -> Response in
            throw CabinetError(ErrorCode("test.refused", .rejected), arguments: ["why": "нет денег"])
        }
        router.get("/api/v1/limited") { _, _ -> Response in
            throw CabinetError(KernelError.rateLimited, arguments: ["seconds": "42"], retryAfterSeconds: 42)
        }
        router.get("/api/v1/bug") { _, _ -> Response in throw Secret() }
        router.get("/api/v1/msisdn") { _, _ -> Response in
            _ = try MSISDN(parsing: "12")
            return Response(status: .ok)
        }
        router.post("/api/v1/echo") { request, context -> Response in
            struct Body: Codable { var amount: Money }
            let body = try await request.decodeJSON(as: Body.self, context: context)
            return try Response.json(body)
        }
        router.get("/page-bug") { _, _ -> Response in throw Secret() }
        router.group("/operator/v1").add(middleware: OperatorKeyMiddleware(key: "0123456789abcdef"))
            .get("ping") { _, _ in "pong" }
        KernelRoutes(
            renderer: renderer, regions: RegionCatalog(regions: []), metrics: metrics,
            health: {}, collectGauges: {}
        ).add(to: router)
        return Application(router: router)
    }

    /// Ids in paths may be capabilities (a push confirmation, a payment's page): the access log shows the route.
    @Test func theAccessLogShowsRoutesNotTheirIds() async throws {
        let recording = LogRecording()
        let router = Router(context: CabinetRequestContext.self)
        router.add(middleware: AccessLogMiddleware(metrics: HTTPMetrics()))
        router.get("/api/v1/auth/push/:id") { _, _ in "waiting" }
        try await Application(router: router, logger: recording.logger()).test(.router) { client in
            try await client.execute(uri: "/api/v1/auth/push/push_5ecret0ne?x=1", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/nothing/here", method: .get) { _ in }
        }
        let lines = recording.messages.filter { $0.contains("http.status") }
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("GET /api/v1/auth/push/{id} 200") == true)
        #expect(!recording.messages.contains { $0.contains("5ecret0ne") })
        #expect(lines.last?.hasPrefix("GET /nothing/here ") == true, "an unmatched path is logged as it came")
    }

    func problem(_ response: TestResponse) throws -> ProblemDetails {
        #expect(response.headers[.contentType] == "application/problem+json; charset=utf-8")
        return try JSONDecoder().decode(ProblemDetails.self, from: Data(response.body.readableBytesView))
    }

    @Test func cabinetErrorsBecomeProblemDetailsInTheRequestLanguage() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/api/v1/refused", method: .get) { response throws in
                #expect(response.status == .unprocessableContent)
                let body = try problem(response)
                #expect(body.code == "test.refused")
                #expect(body.detail == "Отказ: нет денег")
                #expect(body.title == "Отказ")
                #expect(body.requestId == response.headers[.xRequestID])
            }
            try await client.execute(uri: "/api/v1/refused", method: .get, headers: [.acceptLanguage: "en-GB,en;q=0.8"])
            { response throws in
                #expect(try problem(response).detail == "Refused: нет денег")
                #expect(response.headers[.contentLanguage] == "en")
            }
            try await client.execute(uri: "/api/v1/refused?lang=en", method: .get) { response throws in
                #expect(try problem(response).title == "Refused")
            }
        }
    }

    @Test func limitsSayWhenToRetry() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/api/v1/limited", method: .get) { response throws in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "42")
                #expect(try problem(response).retryAfterSeconds == 42)
            }
        }
    }

    @Test func unknownErrorsAreABare500WithoutDetails() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/api/v1/bug", method: .get) { response throws in
                #expect(response.status == .internalServerError)
                let text = String(buffer: response.body)
                #expect(!text.contains("hunter2"))
                #expect(try problem(response).code == "internal")
            }
            try await client.execute(uri: "/page-bug", method: .get, headers: [.accept: "text/html"]) {
                response throws in
                #expect(response.status == .internalServerError)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(!String(buffer: response.body).contains("hunter2"))
            }
        }
    }

    @Test func badInputIsA400WithTheField() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/api/v1/msisdn", method: .get) { response throws in
                #expect(response.status == .badRequest)
                let body = try problem(response)
                #expect(body.code == "msisdn.wrongLength")
                #expect(body.errors?.first?.field == "msisdn")
            }
            for (body, contentType, expected) in [
                (#"{"amount": {"amount": "1.234", "currency": "RUB"}}"#, "application/json", "request.malformedBody"),
                (#"{"amount": 5}"#, "application/json", "request.malformedBody"),
                ("{", "application/json", "request.malformedBody"),
                (#"{"amount": {"amount": "1.00", "currency": "RUB"}}"#, "text/plain", "request.unsupportedMediaType"),
            ] {
                try await client.execute(
                    uri: "/api/v1/echo", method: .post, headers: [.contentType: contentType],
                    body: ByteBuffer(string: body)
                ) { response throws in
                    #expect(response.status == .badRequest)
                    #expect(try problem(response).code == expected)
                }
            }
            try await client.execute(
                uri: "/api/v1/echo", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"amount": {"amount": "1.5", "currency": "KZT"}}"#)
            ) { response throws in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"amount":{"amount":"1.50","currency":"KZT"}}"#)
            }
        }
    }

    @Test func unknownRoutesAre404InTheRightFormat() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/api/v1/nothing", method: .get) { response throws in
                #expect(response.status == .notFound)
                #expect(try problem(response).code == "http.notFound")
            }
            try await client.execute(uri: "/nothing", method: .get, headers: [.accept: "text/html,*/*"]) {
                response throws in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("Страница не найдена."))
            }
        }
    }

    @Test func theOperatorAPINeedsTheKey() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/operator/v1/ping", method: .get) { response throws in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"cabinet-operator\"")
            }
            try await client.execute(
                uri: "/operator/v1/ping", method: .get, headers: [.authorization: "Bearer 0123456789abcdeX"]
            ) { response throws in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: "/operator/v1/ping", method: .get, headers: [.authorization: "Bearer 0123456789abcdef"]
            ) { response throws in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func everyResponseCarriesSecurityHeadersAndARequestID() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(response.headers[.cacheControl] == "no-store")
                #expect((response.headers[.xRequestID]?.count ?? 0) >= 16)
                #expect(String(buffer: response.body).contains("<html lang=\"ru\">"))
            }
        }
    }

    @Test func theLanguageSwitchSetsACookieAndOnlyRedirectsLocally() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/lang/en?back=/tariffs", method: .get) { response throws in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/tariffs")
                #expect(response.headers[.setCookie]?.hasPrefix("lang=en;") == true)
            }
            // A tab or a line break is dropped by browsers and a backslash read as a slash: each would leave the site.
            for back in [
                "//evil.example", "/%09/evil.example", "/%0A/evil.example", "/%5Cevil.example", "https://evil.example",
            ] {
                try await client.execute(uri: "/lang/en?back=\(back)", method: .get) { response throws in
                    #expect(response.headers[.location] == "/", "\(back)")
                }
            }
            try await client.execute(uri: "/lang/de", method: .get) { response throws in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/", method: .get, headers: [.cookie: "lang=en"]) { response throws in
                #expect(String(buffer: response.body).contains("<html lang=\"en\">"))
            }
        }
    }
}

extension HTTPField.Name {
    static var xContentTypeOptions: Self { Self("X-Content-Type-Options")! }
}
