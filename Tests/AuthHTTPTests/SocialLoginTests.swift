import AsyncHTTPClient
import Auth
import AuthAdapters
import AuthHTTP
import AuthTesting
import CabinetCore
import CabinetTesting
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Social login against a small OAuth 2 / OpenID Connect provider started by the test: authorization code with
/// PKCE (S256) and state, token exchange and userinfo over real HTTP.
@Suite struct SocialLoginTests {
    /// The provider's memory: issued codes with their PKCE challenge, access tokens with their subject.
    final class ProviderState: Sendable {
        let codes = Mutex<[String: (challenge: String, subject: String, redirect: String)]>([:])
        let tokens = Mutex<[String: String]>([:])
    }

    static func providerApp(_ state: ProviderState) -> some ApplicationProtocol {
        let router = Router()
        router.get("/authorize") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard query.get("response_type") == "code", query.get("client_id") == "cabinet-test",
                query.get("code_challenge_method") == "S256", let challenge = query.get("code_challenge"),
                let redirect = query.get("redirect_uri"), let stateValue = query.get("state")
            else { return Response(status: .badRequest) }
            let code = UUID().uuidString
            state.codes.withLock { $0[code] = (challenge, query.get("login_hint") ?? "user-1", redirect) }
            var headers = HTTPFields()
            headers[.location] = "\(redirect)?code=\(code)&state=\(stateValue)"
            return Response(status: .found, headers: headers)
        }
        router.post("/token") { request, _ -> Response in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 10_000))
            var form: [String: String] = [:]
            for pair in body.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).removingPercentEncoding ?? String($0)
                }
                if parts.count == 2 { form[parts[0]] = parts[1] }
            }
            guard form["grant_type"] == "authorization_code", form["client_secret"] == "s3cret",
                let code = form["code"],
                let issued = state.codes.withLock({ $0.removeValue(forKey: code) }),
                form["redirect_uri"] == issued.redirect,
                let verifier = form["code_verifier"], PKCE.challenge(for: verifier) == issued.challenge
            else {
                return Response(
                    status: .badRequest,
                    body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":"invalid_grant"}"#)))
            }
            let token = UUID().uuidString
            state.tokens.withLock { $0[token] = issued.subject }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(
                    byteBuffer: ByteBuffer(string: #"{"access_token":"\#(token)","token_type":"Bearer"}"#)))
        }
        router.get("/userinfo") { request, _ -> Response in
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                let subject = state.tokens.withLock({ $0[String(header.dropFirst(7))] })
            else { return Response(status: .unauthorized) }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"sub":"\#(subject)","name":"Иван из VK"}"#)))
        }
        return Application(router: router)
    }

    /// Follows the provider's authorize redirect as a browser would; returns (code, state) for the callback.
    static func authorize(_ client: some TestClientProtocol, url: URL, loginHint: String) async throws -> (
        String, String
    ) {
        var components = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false))
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "login_hint", value: loginHint)]
        let path = (components.path) + "?" + (components.percentEncodedQuery ?? "")
        var result = ("", "")
        try await client.execute(uri: path, method: .get) { response throws in
            #expect(response.status == .found)
            let location = try #require(response.headers[.location].flatMap { URLComponents(string: $0) })
            result = (
                try #require(location.queryItems?.first { $0.name == "code" }?.value),
                try #require(location.queryItems?.first { $0.name == "state" }?.value)
            )
        }
        return result
    }

    @Test(arguments: TestDatabase.available)
    func linkThenLogInWithTheProvider(_ backend: TestDatabase) async throws {
        let state = ProviderState()
        try await Self.providerApp(state).test(.live) { provider in
            let port = try #require(provider.port)
            let base = try #require(URL(string: "http://127.0.0.1:\(port)"))
            let configuration = IdentityProviderConfiguration(
                id: "vk", displayName: "VK ID", authorizationEndpoint: base.appendingPathComponent("authorize"),
                tokenEndpoint: base.appendingPathComponent("token"),
                userinfoEndpoint: base.appendingPathComponent("userinfo"),
                clientID: "cabinet-test", clientSecret: "s3cret", scopes: ["openid"])
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await backend.withDatabase(migrations: AuthTestBed.migrations) { database throws in
                    let bed = await AuthTestBed(
                        database: database, providers: [configuration],
                        providerClient: HTTPIdentityProviderClient(client: http))
                    let redirect = "http://127.0.0.1:8080/auth/social/vk/callback"
                    try await bed.line("+79001110001")
                    try await bed.line("+79001110002")
                    let session = try await bed.loginByCode("+79001110001").session

                    // Link: start in the cabinet, authorize at the provider, come back with code and state.
                    let linkURL = try await bed.service.startSocial(
                        provider: "vk", intent: .link, session: session, redirectURI: redirect,
                        browserNonce: "browser-1")
                    #expect(linkURL.absoluteString.contains("code_challenge_method=S256"))
                    let (code, returnedState) = try await Self.authorize(provider, url: linkURL, loginHint: "vk-42")
                    // The state works only in the browser that started the flow (its cookie's nonce): a victim sent to
                    // the attacker's callback URL, without the cookie or with another, is refused and the state spent.
                    let elsewhereURL = try await bed.service.startSocial(
                        provider: "vk", intent: .login, session: nil, redirectURI: redirect, browserNonce: "attacker")
                    let (elsewhereCode, elsewhereState) = try await Self.authorize(
                        provider, url: elsewhereURL, loginHint: "vk-42")
                    for nonce in [nil, "victim"] as [String?] {
                        await #expect(throws: CabinetError(AuthError.socialState)) {
                            try await bed.service.finishSocial(
                                provider: "vk", code: elsewhereCode, state: elsewhereState, browserNonce: nonce,
                                session: nil, redirectURI: redirect, kind: .web, client: ClientInfo())
                        }
                    }
                    #expect(
                        try await bed.service.finishSocial(
                            provider: "vk", code: code, state: returnedState, browserNonce: "browser-1",
                            session: session,
                            redirectURI: redirect, kind: .web, client: ClientInfo()) == nil)
                    #expect(try await bed.service.linkedIdentities(session).map(\.subject) == ["vk-42"])
                    #expect(
                        try await bed.messages(to: "+79001110001").last?.body.contains("VK ID") == true,
                        "the phone is told of the new way in")
                    // The state is single-use.
                    await #expect(throws: CabinetError(AuthError.socialState)) {
                        try await bed.service.finishSocial(
                            provider: "vk", code: code, state: returnedState, browserNonce: "browser-1",
                            session: session,
                            redirectURI: redirect, kind: .web, client: ClientInfo())
                    }

                    // Log in with it.
                    let loginURL = try await bed.service.startSocial(
                        provider: "vk", intent: .login, session: nil, redirectURI: redirect, browserNonce: "browser-1")
                    let (loginCode, loginState) = try await Self.authorize(provider, url: loginURL, loginHint: "vk-42")
                    let result = try #require(
                        try await bed.service.finishSocial(
                            provider: "vk", code: loginCode, state: loginState, browserNonce: "browser-1", session: nil,
                            redirectURI: redirect,
                            kind: .web,
                            client: ClientInfo()))
                    #expect(result.session.msisdn.e164 == "+79001110001")
                    #expect(result.session.method == .social)

                    // An identity nobody linked cannot log in; one identity cannot serve two lines.
                    let strangerURL = try await bed.service.startSocial(
                        provider: "vk", intent: .login, session: nil, redirectURI: redirect, browserNonce: "browser-1")
                    let (strangerCode, strangerState) = try await Self.authorize(
                        provider, url: strangerURL, loginHint: "vk-99")
                    await #expect(throws: CabinetError(AuthError.socialNotLinked, arguments: ["provider": "VK ID"])) {
                        try await bed.service.finishSocial(
                            provider: "vk", code: strangerCode, state: strangerState, browserNonce: "browser-1",
                            session: nil,
                            redirectURI: redirect, kind: .web, client: ClientInfo())
                    }
                    bed.clock.advance(by: .seconds(61))
                    let other = try await bed.loginByCode("+79001110002").session
                    let takenURL = try await bed.service.startSocial(
                        provider: "vk", intent: .link, session: other, redirectURI: redirect, browserNonce: "browser-1")
                    let (takenCode, takenState) = try await Self.authorize(provider, url: takenURL, loginHint: "vk-42")
                    await #expect(throws: CabinetError(AuthError.socialTaken, arguments: ["provider": "VK ID"])) {
                        try await bed.service.finishSocial(
                            provider: "vk", code: takenCode, state: takenState, browserNonce: "browser-1",
                            session: other,
                            redirectURI: redirect, kind: .web, client: ClientInfo())
                    }
                    // A code exchanged with the wrong verifier (someone else's state) fails at the provider.
                    let firstURL = try await bed.service.startSocial(
                        provider: "vk", intent: .login, session: nil, redirectURI: redirect, browserNonce: "browser-1")
                    let secondURL = try await bed.service.startSocial(
                        provider: "vk", intent: .login, session: nil, redirectURI: redirect, browserNonce: "browser-1")
                    let (stolenCode, _) = try await Self.authorize(provider, url: firstURL, loginHint: "vk-42")
                    let secondState = try #require(
                        URLComponents(url: secondURL, resolvingAgainstBaseURL: false)?.queryItems?
                            .first { $0.name == "state" }?.value)
                    await #expect(throws: CabinetError(AuthError.socialProvider, arguments: ["provider": "VK ID"])) {
                        try await bed.service.finishSocial(
                            provider: "vk", code: stolenCode, state: secondState, browserNonce: "browser-1",
                            session: nil,
                            redirectURI: redirect, kind: .web, client: ClientInfo())
                    }
                    try await bed.service.unlinkIdentity(session, provider: "vk", client: ClientInfo())
                    #expect(try await bed.service.linkedIdentities(session).isEmpty)
                }
                try await http.shutdown()
            } catch {
                try? await http.shutdown()
                throw error
            }
        }
    }

    /// In a browser: linking starts on the security page's form (a POST with the anti-forgery token, never a GET),
    /// the start leaves a nonce cookie, and the callback links only in the browser that carries it.
    @Test(arguments: TestDatabase.available)
    func linkingStartsOnAFormAndFinishesOnlyInTheSameBrowser(_ backend: TestDatabase) async throws {
        let state = ProviderState()
        try await Self.providerApp(state).test(.live) { provider in
            let port = try #require(provider.port)
            let base = try #require(URL(string: "http://127.0.0.1:\(port)"))
            let configuration = IdentityProviderConfiguration(
                id: "vk", displayName: "VK ID", authorizationEndpoint: base.appendingPathComponent("authorize"),
                tokenEndpoint: base.appendingPathComponent("token"),
                userinfoEndpoint: base.appendingPathComponent("userinfo"),
                clientID: "cabinet-test", clientSecret: "s3cret", scopes: ["openid"])
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                try await backend.withDatabase(migrations: AuthTestBed.migrations) { database throws in
                    let bed = await AuthTestBed(
                        database: database, providers: [configuration],
                        providerClient: HTTPIdentityProviderClient(client: http))
                    try await bed.line("+79001110001")
                    let login = try await bed.loginByCode("+79001110001")
                    try await AuthHTTPTestApp(bed: bed, https: false).app().test(.router) { client in
                        let jar = CookieJar()
                        jar.cookies["cabinet_session"] = login.token
                        var csrf = ""
                        try await client.execute(uri: "/security", method: .get, headers: jar.headers()) {
                            response throws in
                            let html = String(buffer: response.body)
                            #expect(html.contains("action=\"/security/social/vk/link\""), "a form, not a link")
                            csrf = try #require(csrfToken(in: html))
                        }
                        try await client.execute(
                            uri: "/security/social/vk/link", method: .post, headers: jar.headers(form: true),
                            body: formBody([:])
                        ) { response in
                            #expect(response.status == .forbidden, "no anti-forgery token")
                        }
                        var authorize: URL?
                        try await client.execute(
                            uri: "/security/social/vk/link", method: .post, headers: jar.headers(form: true),
                            body: formBody(["csrf": csrf])
                        ) { response throws in
                            #expect(response.status == .seeOther)
                            authorize = response.headers[.location].flatMap(URL.init(string:))
                            #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("cabinet_social=") })
                            jar.absorb(response)
                        }
                        let (code, returned) = try await Self.authorize(
                            provider, url: try #require(authorize), loginHint: "vk-7")
                        let callback = "/auth/social/vk/callback?code=\(code)&state=\(returned)"
                        // Another browser (the same session cookie, but no nonce) cannot finish it...
                        var other = jar.headers()
                        other[.cookie] = "cabinet_session=\(login.token)"
                        try await client.execute(uri: callback, method: .get, headers: other) { response in
                            #expect(response.status.code >= 400)
                        }
                        #expect(try await bed.service.linkedIdentities(login.session).isEmpty)
                        // ...and the state is spent: the owner starts again and finishes in their own browser.
                        try await client.execute(
                            uri: "/security/social/vk/link", method: .post, headers: jar.headers(form: true),
                            body: formBody(["csrf": csrf])
                        ) { response in
                            authorize = response.headers[.location].flatMap(URL.init(string:))
                            jar.absorb(response)
                        }
                        let (again, againState) = try await Self.authorize(
                            provider, url: try #require(authorize), loginHint: "vk-7")
                        try await client.execute(
                            uri: "/auth/social/vk/callback?code=\(again)&state=\(againState)", method: .get,
                            headers: jar.headers()
                        ) { response in
                            #expect(response.status == .seeOther)
                            #expect(response.headers[.location] == "/security#social")
                        }
                        #expect(try await bed.service.linkedIdentities(login.session).map(\.subject) == ["vk-7"])
                    }
                }
                try await http.shutdown()
            } catch {
                try? await http.shutdown()
                throw error
            }
        }
    }
}
