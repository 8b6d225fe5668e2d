import Auth
import AuthTesting
import CabinetCore
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AuthAPITests {
    let a = "+79001110001"
    let b = "+79001110002"
    let c = "+79001110003"

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    func login(_ client: some TestClientProtocol, bed: AuthTestBed, number: String) async throws -> String {
        let body = ByteBuffer(string: #"{"msisdn": "\#(number)"}"#)
        try await client.execute(
            uri: "/api/v1/auth/otp", method: .post, headers: [.contentType: "application/json"], body: body
        ) { response throws in
            #expect(response.status == .accepted)
        }
        let code = try #require(try await bed.lastCode(to: number))
        var token = ""
        try await client.execute(
            uri: "/api/v1/auth/otp/verify", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"msisdn": "\#(number)", "code": "\#(code)"}"#)
        ) { response throws in
            #expect(response.status == .ok)
            token = try #require(try json(response)["token"] as? String)
        }
        return token
    }

    @Test(arguments: TestDatabase.available)
    func aSessionForOneLineNeverReachesAnother(_ backend: TestDatabase) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(a)
            try await bed.line(b)
            try await bed.line(c)
            try await AuthHTTPTestApp(bed: bed, https: false).app().test(.router) { client in
                try await client.execute(uri: "/api/v1/me/balance-probe", method: .get) { response throws in
                    #expect(response.status == .unauthorized)
                    #expect(try json(response)["code"] as? String == "auth.required")
                }
                let tokenA = try await login(client, bed: bed, number: a)
                bed.clock.advance(by: .seconds(61))
                let tokenB = try await login(client, bed: bed, number: b)
                let asA: HTTPFields = [.authorization: "Bearer \(tokenA)", .contentType: "application/json"]
                let asB: HTTPFields = [.authorization: "Bearer \(tokenB)", .contentType: "application/json"]
                try await client.execute(uri: "/api/v1/me/balance-probe", method: .get, headers: asA) {
                    response throws in
                    #expect(String(buffer: response.body) == "balance of \(a)")
                }
                // B cannot switch to A: not linked, not delegated.
                try await client.execute(
                    uri: "/api/v1/me/switch", method: .post, headers: asB,
                    body: ByteBuffer(string: #"{"msisdn": "\#(a)"}"#)
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "auth.line.notAccessible")
                }
                // A delegates a view-only right to B. A code login counts as a fresh confirmation for five minutes;
                // after that a step-up is needed.
                bed.clock.advance(by: .seconds(301))
                let grant = ByteBuffer(
                    string: #"{"grantee": "\#(b)", "scopes": ["viewBalance"], "expiresOn": "2026-12-31"}"#)
                try await client.execute(uri: "/api/v1/me/delegations", method: .post, headers: asA, body: grant) {
                    response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "auth.stepUpRequired")
                }
                bed.clock.advance(by: .seconds(61))
                try await client.execute(uri: "/api/v1/auth/step-up", method: .post, headers: asA) {
                    #expect($0.status == .accepted)
                }
                let code = try #require(try await bed.lastCode(to: a))
                var stepped = ""
                try await client.execute(
                    uri: "/api/v1/auth/step-up/verify", method: .post, headers: asA,
                    body: ByteBuffer(string: #"{"code": "\#(code)"}"#)
                ) { response throws in
                    stepped = try #require(try json(response)["token"] as? String)
                }
                let asA2: HTTPFields = [.authorization: "Bearer \(stepped)", .contentType: "application/json"]
                try await client.execute(uri: "/api/v1/me/balance-probe", method: .get, headers: asA) {
                    response throws in
                    #expect(response.status == .unauthorized, "the token before step-up is dead")
                }
                var delegationID = 0
                try await client.execute(uri: "/api/v1/me/delegations", method: .post, headers: asA2, body: grant) {
                    response throws in
                    #expect(response.status == .created)
                    delegationID = try #require(try json(response)["id"] as? Int)
                }
                var switched = ""
                try await client.execute(
                    uri: "/api/v1/me/switch", method: .post, headers: asB,
                    body: ByteBuffer(string: #"{"msisdn": "\#(a)"}"#)
                ) { response throws in
                    #expect(response.status == .ok)
                    switched = try #require(try json(response)["token"] as? String)
                }
                let asBonA: HTTPFields = [.authorization: "Bearer \(switched)"]
                try await client.execute(uri: "/api/v1/me/balance-probe", method: .get, headers: asBonA) {
                    response throws in
                    #expect(String(buffer: response.body) == "balance of \(a)")
                }
                try await client.execute(uri: "/api/v1/me/pay-probe", method: .get, headers: asBonA) {
                    response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "auth.scopeMissing")
                }
                // C's line stays out of reach for everybody.
                try await client.execute(
                    uri: "/api/v1/me/switch", method: .post, headers: asA2,
                    body: ByteBuffer(string: #"{"msisdn": "\#(c)"}"#)
                ) { #expect($0.status == .forbidden) }
                // Revocation: B's very next request is refused and falls back to B's own line.
                try await client.execute(uri: "/api/v1/me/delegations/\(delegationID)", method: .delete, headers: asA2)
                {
                    #expect($0.status == .noContent)
                }
                try await client.execute(uri: "/api/v1/me/balance-probe", method: .get, headers: asBonA) {
                    response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "auth.accessRevoked")
                }
                try await client.execute(uri: "/api/v1/me/balance-probe", method: .get, headers: asBonA) {
                    response throws in
                    #expect(String(buffer: response.body) == "balance of \(b)")
                }
            }
        }
    }

    /// A PUK login must choose a password before anything else: until then its token sets the password or logs out,
    /// and every other `/api/v1/me/*` call answers `403 auth.passwordRequired`.
    @Test(arguments: TestDatabase.available)
    func aPUKSessionSetsItsPasswordBeforeAnythingElse(_ backend: TestDatabase) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(a)
            try await bed.service.provisionPUK("12345678", for: MSISDN(e164: a)!)
            try await AuthHTTPTestApp(bed: bed, https: false).app().test(.router) { client in
                var token = ""
                try await client.execute(
                    uri: "/api/v1/auth/puk", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"msisdn": "\#(a)", "puk": "12345678"}"#)
                ) { response throws in
                    #expect(response.status == .ok)
                    token = try #require(try json(response)["token"] as? String)
                }
                let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
                for (uri, method) in [
                    ("/api/v1/me/sessions", HTTPRequest.Method.get), ("/api/v1/me/profile", .get),
                    ("/api/v1/me/lines", .get),
                    ("/api/v1/me/journal", .get), ("/api/v1/me/delegations", .get),
                ] {
                    try await client.execute(uri: uri, method: method, headers: auth) { response throws in
                        #expect(response.status == .forbidden, "\(uri)")
                        #expect(try json(response)["code"] as? String == "auth.passwordRequired", "\(uri)")
                    }
                }
                try await client.execute(
                    uri: "/api/v1/me/password", method: .post, headers: auth,
                    body: ByteBuffer(string: #"{"password": "горный-ветер-над-рекой"}"#)
                ) { response in
                    #expect(response.status == .ok || response.status == .noContent)
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func badInputIsNeverA500(_ backend: TestDatabase) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await AuthHTTPTestApp(bed: bed, https: false).app().test(.router) { client in
                for (uri, body, code) in [
                    ("/api/v1/auth/otp", #"{"msisdn": "12"}"#, "msisdn.wrongLength"),
                    ("/api/v1/auth/otp", #"{"msisdn": 79001234567}"#, "request.malformedBody"),
                    ("/api/v1/auth/otp", "not json", "request.malformedBody"),
                    ("/api/v1/auth/otp/verify", #"{"msisdn": "+79001234567", "code": "12ab"}"#, "auth.otp.format"),
                    ("/api/v1/auth/puk", #"{"msisdn": "+79001234567", "puk": "1"}"#, "auth.puk.format"),
                    ("/api/v1/auth/password", #"{"msisdn": "+79001234567"}"#, "request.malformedBody"),
                ] {
                    try await client.execute(
                        uri: uri, method: .post, headers: [.contentType: "application/json"],
                        body: ByteBuffer(string: body)
                    ) { response throws in
                        #expect(response.status == .badRequest, "\(uri) \(body)")
                        #expect(try json(response)["code"] as? String == code, "\(uri) \(body)")
                    }
                }
                try await client.execute(uri: "/api/v1/me/profile", method: .get, headers: [.authorization: "Bearer x"])
                { response throws in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(
                    uri: "/operator/v1/auth/puk/+79001234567", method: .put,
                    headers: [.authorization: "Bearer operator-key-0123456789", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"puk": "12345678"}"#)
                ) { response throws in
                    #expect(response.status == .notFound)
                    #expect(try json(response)["code"] as? String == "subscribers.notFound")
                }
            }
        }
    }
}
