import Auth
import AuthTesting
import CabinetCore
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AuthWebFlowTests {
    let number = "+79001234567"

    @Test(arguments: TestDatabase.available)
    func aPersonLogsInWithACodeSeesTheProfileAndLogsOut(_ backend: TestDatabase) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number, name: "Иванов Иван")
            let jar = CookieJar()
            try await AuthHTTPTestApp(bed: bed, https: false).app().test(.router) { client in
                var csrf = ""
                try await client.execute(uri: "/login", method: .get, headers: jar.headers()) { response throws in
                    #expect(response.status == .ok)
                    jar.absorb(response)
                    let html = String(buffer: response.body)
                    csrf = try #require(csrfToken(in: html))
                    #expect(html.contains("<form method=\"post\" action=\"/login\""))
                    #expect(jar.cookies["cabinet_csrf"] == csrf)
                }
                // Without the token the form is refused.
                try await client.execute(
                    uri: "/login", method: .post, headers: jar.headers(form: true),
                    body: formBody(["msisdn": number])
                ) { response throws in
                    #expect(response.status == .forbidden)
                }
                try await client.execute(
                    uri: "/login", method: .post, headers: jar.headers(form: true),
                    body: formBody(["msisdn": "8 (900) 123-45-67", "csrf": csrf])
                ) { response throws in
                    #expect(response.status == .ok)
                    let html = String(buffer: response.body)
                    #expect(html.contains("action=\"/login/code\""))
                    #expect(html.contains("+7 900 123-45-67"))
                    #expect(html.contains("Повторно — через 60 с"))
                }
                let code = try #require(try await bed.lastCode(to: number))
                try await client.execute(
                    uri: "/login/code", method: .post, headers: jar.headers(form: true),
                    body: formBody(["msisdn": number, "code": "000000", "csrf": csrf])
                ) { response throws in
                    #expect(response.status == .unauthorized)
                    #expect(String(buffer: response.body).contains("Неверный код. Осталось попыток: 4."))
                }
                try await client.execute(
                    uri: "/login/code", method: .post, headers: jar.headers(form: true),
                    body: formBody(["msisdn": number, "code": code, "csrf": csrf])
                ) { response throws in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/")
                    let cookies = response.headers[values: .setCookie]
                    let session = try #require(cookies.first { $0.hasPrefix("cabinet_session=") })
                    #expect(session.contains("HttpOnly"))
                    #expect(session.contains("SameSite=Lax"))
                    #expect(!session.contains("Secure"), "plain HTTP in tests")
                    #expect(!session.contains("Max-Age"), "the server decides when a session ends")
                    #expect(cookies.contains { $0.hasPrefix("cabinet_device=") })
                    jar.absorb(response)
                }
                // The browser's first login is from a new device (told once); its new cookie carries the device id
                // that login remembered.
                #expect(try await bed.messages(to: number).filter { $0.purpose == "auth.newDevice" }.count == 1)
                try await client.execute(uri: "/test/whoami", method: .get, headers: jar.headers()) { response throws in
                    #expect(String(buffer: response.body) == "home \(number) acting \(number)")
                }
                // The session cookie rides along with any site's request: an API write it authenticates must show it
                // comes from this site (a page's script sends X-Requested-With; a cross-site form cannot).
                try await client.execute(
                    uri: "/api/v1/me/sessions/end-others", method: .post, headers: jar.headers()
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(String(buffer: response.body).contains("auth.csrf"))
                }
                var fromPage = jar.headers()
                fromPage[HTTPField.Name("X-Requested-With")!] = "fetch"
                try await client.execute(uri: "/api/v1/me/sessions/end-others", method: .post, headers: fromPage) {
                    response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/api/v1/me/sessions", method: .get, headers: jar.headers()) { response in
                    #expect(response.status == .ok, "reads need no proof")
                }
                var sessionCSRF = ""
                try await client.execute(uri: "/profile", method: .get, headers: jar.headers()) { response throws in
                    #expect(response.status == .ok)
                    let html = String(buffer: response.body)
                    #expect(html.contains("Иванов Иван"))
                    #expect(html.contains("Профиль заполнен на 25%"))
                    sessionCSRF = try #require(csrfToken(in: html))
                    #expect(sessionCSRF != csrf, "logged-in forms carry the session's own token")
                }
                try await client.execute(
                    uri: "/profile", method: .post, headers: jar.headers(form: true),
                    body: formBody([
                        "fullName": "Иванов Иван Иванович", "email": "ivan@example.com",
                        "contactNumber": "", "postalAddress": "Москва", "csrf": sessionCSRF,
                    ])
                ) { response throws in
                    #expect(response.status == .seeOther)
                }
                try await client.execute(uri: "/security", method: .get, headers: jar.headers()) { response throws in
                    let html = String(buffer: response.body)
                    #expect(html.contains("Журнал посещений"))
                    #expect(html.contains("Неудачная попытка входа"))
                    #expect(html.contains("текущий"))
                }
                try await client.execute(
                    uri: "/logout", method: .post, headers: jar.headers(form: true),
                    body: formBody(["csrf": sessionCSRF])
                ) { response throws in
                    #expect(response.status == .seeOther)
                    jar.absorb(response)
                }
                #expect(jar.cookies["cabinet_session"] == nil)
                try await client.execute(uri: "/profile", method: .get, headers: jar.headers()) { response throws in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.location] == "/login")
                }
            }
        }
    }

    /// A PUK login must set a password first; once set, the session is a full one (the rotated session keeps the
    /// change: rotating the session as it was before would bring the "password required" back).
    @Test(arguments: TestDatabase.available)
    func aPUKLoginSetsItsPasswordAndThenUsesTheCabinet(_ backend: TestDatabase) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let msisdn = try #require(MSISDN(e164: number))
            try await bed.service.provisionPUK("12345678", for: msisdn)
            let jar = CookieJar()
            try await AuthHTTPTestApp(bed: bed, https: false).app().test(.router) { client in
                var csrf = ""
                try await client.execute(uri: "/login/puk", method: .get, headers: jar.headers()) { response throws in
                    jar.absorb(response)
                    csrf = try #require(csrfToken(in: String(buffer: response.body)))
                }
                try await client.execute(
                    uri: "/login/puk", method: .post, headers: jar.headers(form: true),
                    body: formBody(["msisdn": number, "puk": "12345678", "csrf": csrf])
                ) { response in
                    #expect(response.status == .seeOther)
                    jar.absorb(response)
                }
                try await client.execute(uri: "/api/v1/me/balance-probe", method: .get, headers: jar.headers()) {
                    response in
                    #expect(response.status == .forbidden, "a password first")
                }
                try await client.execute(uri: "/password", method: .get, headers: jar.headers()) { response throws in
                    csrf = try #require(csrfToken(in: String(buffer: response.body)))
                }
                try await client.execute(
                    uri: "/password", method: .post, headers: jar.headers(form: true),
                    body: formBody(["password": "Lost-phone-2026!", "csrf": csrf])
                ) { response in
                    #expect(response.status == .seeOther)
                    jar.absorb(response)
                }
                try await client.execute(uri: "/api/v1/me/balance-probe", method: .get, headers: jar.headers()) {
                    response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == "balance of \(number)")
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func overHTTPSTheCookiesAreHostPrefixedAndSecure(_ backend: TestDatabase) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let login = try await bed.loginByCode(number, kind: .web)
            _ = login
            try await AuthHTTPTestApp(bed: bed, https: true).app().test(.router) { client in
                try await client.execute(uri: "/login", method: .get) { response throws in
                    let cookie = try #require(response.headers[.setCookie])
                    #expect(cookie.hasPrefix("__Host-cabinet_csrf="))
                    #expect(cookie.contains("; Secure"))
                    #expect(cookie.contains("Path=/"))
                    #expect(!cookie.contains("Domain"))
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func theLoginPageIsTheSameForAnUnknownNumber(_ backend: TestDatabase) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let jar = CookieJar()
            try await AuthHTTPTestApp(bed: bed, https: false).app().test(.router) { client in
                var csrf = ""
                try await client.execute(uri: "/login", method: .get) { response throws in
                    jar.absorb(response)
                    csrf = try #require(csrfToken(in: String(buffer: response.body)))
                }
                var pages: [String] = []
                for candidate in [number, "+79009999999"] {
                    try await client.execute(
                        uri: "/login", method: .post, headers: jar.headers(form: true),
                        body: formBody(["msisdn": candidate, "csrf": csrf])
                    ) { response throws in
                        #expect(response.status == .ok)
                        let masked = String(buffer: response.body)
                            .replacingOccurrences(of: MSISDN(e164: candidate)!.formatted, with: "N")
                            .replacingOccurrences(of: candidate, with: "N")
                            .replacingOccurrences(of: #"data-resend-at="\d+""#, with: "", options: .regularExpression)
                            .replacingOccurrences(of: #"<code>[0-9a-f]+</code>"#, with: "", options: .regularExpression)
                        pages.append(masked)
                    }
                }
                #expect(pages[0] == pages[1])
            }
        }
    }
}
