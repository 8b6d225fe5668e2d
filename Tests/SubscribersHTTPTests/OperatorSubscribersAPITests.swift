import CabinetCore
import CabinetHTTP
import CabinetHTTPTesting
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Subscribers
import SubscribersHTTP
import SubscribersTesting
import Testing

@Suite struct OperatorSubscribersAPITests {
    static let key = "test-operator-key-0123"

    func app(operatorKey: String? = key) throws -> some ApplicationProtocol {
        let service = DefaultSubscriberService(
            store: InMemorySubscriberStore(), regions: .fixture,
            clock: ManualClock(iso8601: "2026-11-22T09:00:00Z"), logger: .test)
        return Application(
            router: try ModuleTestRouter.make(
                modules: [SubscribersHTTPModule(service: service)], regions: .fixture,
                catalogues: [try SubscribersModule.messages()],
                operatorKey: operatorKey))
    }

    let auth: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func provisionsReadsAndPatchesALine() async throws {
        try await app().test(.router) { client in
            let body =
                #"{"msisdn": "8 (900) 123-45-67", "region": "msk", "activatedOn": "2025-01-01", "owner": {"fullName": "Иванов Иван", "contactNumber": "+7 901 000 00 00"}}"#
            try await client.execute(
                uri: "/operator/v1/subscribers", method: .post, headers: auth, body: ByteBuffer(string: body)
            ) { response throws in
                #expect(response.status == .created)
                #expect(response.headers[.location] == "/operator/v1/subscribers/+79001234567")
                let line = try json(response)
                #expect(line["msisdn"] as? String == "+79001234567")
                #expect(line["status"] as? String == "active")
                #expect((line["owner"] as? [String: Any])?["completenessPercent"] as? Int == 50)
            }
            try await client.execute(uri: "/operator/v1/subscribers/%2B79001234567", method: .get, headers: auth) {
                response throws in
                #expect(response.status == .ok)
                #expect(try json(response)["activatedOn"] as? String == "2025-01-01")
            }
            let patch = #"{"status": "blocked", "owner": {"fullName": null, "email": "ivan@example.com"}}"#
            try await client.execute(
                uri: "/operator/v1/subscribers/89001234567", method: .patch, headers: auth,
                body: ByteBuffer(string: patch)
            ) { response throws in
                #expect(response.status == .ok)
                let line = try json(response)
                #expect(line["status"] as? String == "blocked")
                let owner = try #require(line["owner"] as? [String: Any])
                #expect(owner["fullName"] == nil)
                #expect(owner["email"] as? String == "ivan@example.com")
            }
            try await client.execute(uri: "/operator/v1/subscribers?region=msk", method: .get, headers: auth) {
                response throws in
                #expect((try json(response)["items"] as? [Any])?.count == 1)
            }
        }
    }

    @Test func refusesDuplicatesUnknownNumbersAndBadInput() async throws {
        try await app().test(.router) { client in
            let body = ByteBuffer(string: #"{"msisdn": "+79001234567", "region": "msk"}"#)
            try await client.execute(uri: "/operator/v1/subscribers", method: .post, headers: auth, body: body) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/operator/v1/subscribers", method: .post, headers: auth, body: body) {
                response throws in
                #expect(response.status == .conflict)
                #expect(try json(response)["code"] as? String == "subscribers.alreadyExists")
            }
            try await client.execute(uri: "/operator/v1/subscribers/+79007654321", method: .get, headers: auth) {
                response throws in
                #expect(response.status == .notFound)
                #expect(try json(response)["code"] as? String == "subscribers.notFound")
            }
            try await client.execute(uri: "/operator/v1/subscribers/12345", method: .get, headers: auth) {
                response throws in
                #expect(response.status == .badRequest)
                #expect(try json(response)["code"] as? String == "msisdn.wrongLength")
            }
            let bad =
                #"{"msisdn": "+7 495 123 45 67", "region": "Moscow!", "status": "zombie", "activatedOn": "yesterday", "companyId": "a b"}"#
            try await client.execute(
                uri: "/operator/v1/subscribers", method: .post, headers: auth, body: ByteBuffer(string: bad)
            ) { response throws in
                #expect(response.status == .badRequest)
                let errors = try #require(try json(response)["errors"] as? [[String: Any]])
                #expect(
                    errors.compactMap { $0["field"] as? String } == [
                        "msisdn", "region", "status", "activatedOn", "companyId",
                    ])
                #expect(errors.allSatisfy { ($0["message"] as? String)?.isEmpty == false })
            }
            try await client.execute(
                uri: "/operator/v1/subscribers/+79001234567", method: .patch, headers: auth,
                body: ByteBuffer(string: #"{"colour": "red", "status": "sleeping"}"#)
            ) { response throws in
                #expect(response.status == .badRequest)
                let errors = try #require(try json(response)["errors"] as? [[String: Any]])
                #expect(errors.compactMap { $0["field"] as? String } == ["colour", "status"])
            }
            try await client.execute(
                uri: "/operator/v1/subscribers", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"region": "msk"}"#)
            ) { response throws in
                #expect(response.status == .badRequest)
                #expect(try json(response)["detail"] as? String == "Не удалось прочитать запрос: msisdn: missing")
            }
        }
    }

    @Test func withoutAKeyTheOperatorAPIIsOff() async throws {
        try await app(operatorKey: nil).test(.router) { client in
            try await client.execute(uri: "/operator/v1/subscribers/+79001234567", method: .get, headers: auth) {
                response throws in
                #expect(response.status == .notFound)
            }
        }
    }
}
