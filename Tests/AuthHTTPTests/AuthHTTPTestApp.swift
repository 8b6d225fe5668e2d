import Auth
import AuthHTTP
import AuthTesting
import CabinetCore
import CabinetHTTP
import CabinetHTTPTesting
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Subscribers
import Testing

/// Auth's HTTP module in a router with the kernel's middlewares, over an ``AuthTestBed``.
struct AuthHTTPTestApp {
    let bed: AuthTestBed
    let https: Bool

    func app() throws -> some ApplicationProtocol {
        let module = AuthHTTPModule(service: bed.service, https: https, publicBaseURL: "http://127.0.0.1:8080")
        let router = try ModuleTestRouter.make(
            modules: [module], regions: AuthTestBed.regions(),
            catalogues: [try AuthModule.messages(), try SubscribersModule.messages()],
            https: https)
        router.get("/test/whoami") { _, context in
            // Stands in for the home page: says who is logged in and on which line.
            "home \(context.session?.msisdn.e164 ?? "anonymous") acting \(context.line?.msisdn.e164 ?? "-")"
        }
        router.get("/api/v1/me/balance-probe") { _, context in
            let line = try context.requireLine(.viewBalance)
            return "balance of \(line.msisdn.e164)"
        }
        router.get("/api/v1/me/pay-probe") { _, context in
            let line = try context.requireLine(.pay)
            return "pay for \(line.msisdn.e164)"
        }
        router.post("/api/v1/me/sensitive-probe") { _, context in
            try context.requireStepUp(now: bed.clock.now)
            return "done"
        }
        return Application(router: router)
    }
}

/// A browser's cookie jar, enough for the web flow tests.
final class CookieJar: @unchecked Sendable {
    var cookies: [String: String] = [:]

    func absorb(_ response: TestResponse) {
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count >= 1 else { continue }
            if value.contains("Max-Age=0") || parts.count < 2 || parts[1].isEmpty {
                cookies[parts[0]] = nil
            } else {
                cookies[parts[0]] = parts[1]
            }
        }
    }

    var header: String { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    func headers(form: Bool = false) -> HTTPFields {
        var headers: HTTPFields = [.cookie: header, .accept: "text/html"]
        if form { headers[.contentType] = "application/x-www-form-urlencoded" }
        return headers
    }
}

func formBody(_ fields: [String: String]) -> ByteBuffer {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return ByteBuffer(
        string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&"))
}

/// The value of a hidden `csrf` input in a page.
func csrfToken(in html: String) -> String? {
    guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
    let rest = html[range.upperBound...]
    return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
}
