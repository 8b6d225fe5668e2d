import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetHTTP
import CabinetHTTPTesting
import CabinetStorage
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Payments
import PaymentsHTTP
import PaymentsTesting
import Subscribers
import SubscribersTesting
import Testing

/// The payments API in process: `Idempotency-Key` replay and mismatch, the sandbox's hosted page to the webhook and
/// back, forged webhooks, the promised payment's reasons.
@Suite struct PaymentsAPITests {
    func app(_ bed: PaymentsTestBed) throws -> some ApplicationProtocol {
        let module = PaymentsHTTPModule(
            service: bed.service, sandbox: bed.sandbox,
            idempotency: IdempotentRequests(
                store: SQLIdempotencyStore(database: bed.billing.database), clock: bed.billing.clock),
            publicBaseURL: "http://127.0.0.1:8080", clock: bed.billing.clock)
        let directory = bed.billing.directory
        let clock = bed.billing.clock
        let session = TestSessionModule(now: { clock.now }) { id in
            try await directory.line(id: id).map {
                .init(id: $0.id, msisdn: $0.msisdn, region: $0.region, status: $0.status)
            }
        }
        return Application(
            router: try ModuleTestRouter.make(
                modules: [module, session], regions: bed.billing.rules.regions,
                catalogues: [BillingTestBed.catalog(), try PaymentsModule.messages()], operatorKey: nil))
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    func headers(_ line: Line, key: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [
            HTTPField.Name("X-Test-Line")!: String(line.id.rawValue), .contentType: "application/json",
        ]
        if let key { fields[IdempotentRequests.header] = key }
        return fields
    }

    @Test(arguments: TestDatabase.available)
    func aKeyReplaysItsAnswerAndRefusesAnotherBody(_ backend: TestDatabase) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            try await app(bed).test(.router) { client in
                let body = ByteBuffer(string: #"{"amount": "500", "method": "card"}"#)
                try await client.execute(uri: "/api/v1/me/payments", method: .post, headers: headers(line), body: body)
                { response throws in
                    #expect(response.status == .badRequest)
                    #expect(try json(response)["code"] as? String == "request.idempotencyKeyRequired")
                }
                var first = ""
                try await client.execute(
                    uri: "/api/v1/me/payments", method: .post, headers: headers(line, key: "k-1"), body: body
                ) { response throws in
                    #expect(response.status == .created)
                    let payment = try json(response)
                    first = try #require(payment["id"] as? String)
                    #expect(payment["status"] as? String == "pending")
                    #expect(
                        (payment["confirmationUrl"] as? String)?.hasPrefix("http://127.0.0.1:8080/sandbox/pay/sbx_")
                            == true)
                }
                try await client.execute(
                    uri: "/api/v1/me/payments", method: .post, headers: headers(line, key: "k-1"), body: body
                ) { response throws in
                    #expect(response.status == .created)
                    #expect(response.headers[IdempotentRequests.replayedHeader] == "true")
                    #expect(try json(response)["id"] as? String == first)
                }
                try await client.execute(
                    uri: "/api/v1/me/payments", method: .post, headers: headers(line, key: "k-1"),
                    body: ByteBuffer(string: #"{"amount": "900"}"#)
                ) { response throws in
                    #expect(response.status == .unprocessableContent)
                    #expect(try json(response)["code"] as? String == "request.idempotencyKeyReused")
                }
                // A refused request keeps no answer: corrected, the same key works.
                try await client.execute(
                    uri: "/api/v1/me/payments", method: .post, headers: headers(line, key: "k-2"),
                    body: ByteBuffer(string: #"{"amount": "5"}"#)
                ) { response throws in
                    #expect(response.status == .badRequest)
                    #expect(
                        (try json(response)["errors"] as? [[String: Any]])?.first?["code"] as? String
                            == "payments.amountOutOfRange")
                }
                try await client.execute(uri: "/api/v1/me/payments?limit=10", method: .get, headers: headers(line)) {
                    response throws in
                    #expect((try json(response)["items"] as? [[String: Any]])?.count == 1)
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func theHostedPagePaysAndTheWebhookCredits(_ backend: TestDatabase) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            try await app(bed).test(.router) { client in
                let started = try await client.execute(
                    uri: "/api/v1/payments", method: .post,
                    headers: [.contentType: "application/json", IdempotentRequests.header: "pub-1"],
                    body: ByteBuffer(string: #"{"msisdn": "8 900 123-45-67", "amount": "250.00"}"#))
                #expect(started.status == .created)
                let confirmation = try #require(try json(started)["confirmationUrl"] as? String)
                let path = String(confirmation.dropFirst("http://127.0.0.1:8080".count))
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("250,00"))
                }
                let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                try await client.execute(
                    uri: path, method: .post, headers: form,
                    body: ByteBuffer(string: "card=4242+4242+4242+1234&expiry=12%2F30&cvc=123")
                ) { response in
                    #expect(response.status == .badRequest, "a card number failing the Luhn check")
                    #expect(String(buffer: response.body).contains("sandbox-error"))
                }
                try await client.execute(
                    uri: path, method: .post, headers: form,
                    body: ByteBuffer(string: "card=4242+4242+4242+4242&expiry=12%2F30&cvc=123")
                ) { response in
                    #expect(response.status == .seeOther)
                    let location = try #require(response.headers[.location])
                    #expect(location.hasPrefix("http://127.0.0.1:8080/pay/pay_"))
                }
                #expect(try await bed.billing.balance(line) == "250.00")
                let id = try #require(try json(started)["id"] as? String)
                try await client.execute(uri: "/api/v1/payments/\(id)", method: .get) { response throws in
                    #expect(try json(response)["status"] as? String == "succeeded")
                    #expect(try json(response)["msisdn"] == nil, "the public status shows no number")
                }
                let forged = Data(
                    #"{"amount":"250.00","currency":"RUB","orderId":"\#(id)","paymentId":"x","status":"succeeded"}"#
                        .utf8)
                try await client.execute(
                    uri: "/api/v1/payments/webhook/sandbox", method: .post,
                    headers: [.contentType: "application/json", PaymentsHTTPModule.signatureHeader: "sha256=00"],
                    body: ByteBuffer(bytes: forged)
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "payments.signatureInvalid")
                }
                try await client.execute(
                    uri: "/api/v1/payments", method: .post,
                    headers: [.contentType: "application/json", IdempotentRequests.header: "pub-2"],
                    body: ByteBuffer(string: #"{"msisdn": "+7 999 000-00-00", "amount": "250.00"}"#)
                ) { response throws in
                    #expect(response.status == .badRequest)
                }
            }
            #expect(try await bed.billing.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func thePromisedPaymentSaysWhyOrIsTaken(_ backend: TestDatabase) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let young = try await bed.line("+79001234567", daysAgo: 12)
            let old = try await bed.line("+79001234568", daysAgo: 400)
            try await app(bed).test(.router) { client in
                var english = headers(young)
                english[.acceptLanguage] = "en"
                try await client.execute(uri: "/api/v1/me/promised-payment", method: .get, headers: english) {
                    response throws in
                    let body = try json(response)
                    #expect(body["eligible"] as? Bool == false)
                    let reasons = try #require(body["reasons"] as? [[String: Any]])
                    #expect(reasons.first?["message"] as? String == "12 days on the network of the 60 required.")
                }
                try await client.execute(
                    uri: "/api/v1/me/promised-payment", method: .post, headers: headers(old, key: "p-0"),
                    body: ByteBuffer(string: #"{"amount": "100.00"}"#)
                ) { response throws in
                    #expect(response.status == .forbidden, "a promised payment needs a fresh code")
                    #expect(try json(response)["code"] as? String == "auth.stepUpRequired")
                }
                var confirmed = headers(old, key: "p-1")
                confirmed[TestSessionModule.stepUpHeader] = String(old.id.rawValue)
                try await client.execute(
                    uri: "/api/v1/me/promised-payment", method: .post, headers: confirmed,
                    body: ByteBuffer(string: #"{"amount": "100.00"}"#)
                ) { response throws in
                    #expect(response.status == .created)
                    #expect((try json(response)["fee"] as? [String: String])?["amount"] == "5.00")
                }
                confirmed[IdempotentRequests.header] = "p-2"
                try await client.execute(
                    uri: "/api/v1/me/promised-payment", method: .post, headers: confirmed,
                    body: ByteBuffer(string: #"{"amount": "50.00"}"#)
                ) { response throws in
                    #expect(response.status == .conflict)
                    #expect(try json(response)["code"] as? String == "payments.promised.alreadyActive")
                }
                try await client.execute(uri: "/promised-payment", method: .get, headers: headers(old)) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("promised-active"))
                }
            }
            #expect(try await bed.billing.balance(old) == "95.00")
        }
    }

    @Test(arguments: TestDatabase.available)
    func aTransferNeedsAFreshCodeAndShowsOnBothSides(_ backend: TestDatabase) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let alice = try await bed.line("+79001234567", credit: "500.00")
            let bob = try await bed.line("+79001234568")
            try await app(bed).test(.router) { client in
                let body = ByteBuffer(string: #"{"to": "8 900 123-45-68", "amount": "100"}"#)
                try await client.execute(
                    uri: "/api/v1/me/transfers", method: .post, headers: headers(alice, key: "t-1"), body: body
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "auth.stepUpRequired")
                }
                var confirmed = headers(alice, key: "t-1")
                confirmed[HTTPField.Name("X-Test-Step-Up")!] = "1"
                try await client.execute(uri: "/api/v1/me/transfers", method: .post, headers: confirmed, body: body) {
                    response throws in
                    #expect(response.status == .created)
                    let transfer = try json(response)
                    #expect(transfer["status"] as? String == "done")
                    #expect((transfer["fee"] as? [String: String])?["amount"] == "2.00")
                }
                try await client.execute(uri: "/api/v1/me/transfers", method: .post, headers: confirmed, body: body) {
                    response in
                    #expect(
                        response.headers[IdempotentRequests.replayedHeader] == "true", "a repeat sends nothing twice")
                }
                try await client.execute(uri: "/api/v1/me/transfers", method: .get, headers: headers(bob)) {
                    response throws in
                    let items = try #require(try json(response)["items"] as? [[String: Any]])
                    #expect(items.count == 1)
                    #expect(items.first?["direction"] as? String == "in")
                    #expect(items.first?["fee"] == nil, "the recipient does not see the sender's fee")
                }
                try await client.execute(uri: "/transfers", method: .get, headers: headers(alice)) { response in
                    #expect(String(buffer: response.body).contains("transfer-step-up"))
                }
                // The page's form carries a submission key: a double click sends the money once, and both clicks
                // land on the same answer.
                var page = headers(alice)
                page[HTTPField.Name("X-Test-Step-Up")!] = "1"
                var submission = ""
                try await client.execute(uri: "/transfers", method: .get, headers: page) { response throws in
                    let html = String(buffer: response.body)
                    let match = try #require(html.firstMatch(of: /name="submission" value="([0-9a-f]+)"/))
                    submission = String(match.output.1)
                }
                var form = page
                form[.contentType] = "application/x-www-form-urlencoded"
                var locations: [String] = []
                for _ in 1...2 {
                    try await client.execute(
                        uri: "/transfers", method: .post, headers: form,
                        body: ByteBuffer(
                            string: "csrf=csrf-token&submission=\(submission)&to=%2B79001234568&amount=50")
                    ) { response in
                        #expect(response.status == .seeOther)
                        locations.append(response.headers[.location] ?? "")
                    }
                }
                #expect(locations.count == 2 && locations[0] == locations[1] && locations[0].contains("done=R-"))
            }
            #expect(try await bed.billing.balance(alice) == "346.00", "one transfer of 50.00 and its fee of 2.00")
            #expect(try await bed.billing.balance(bob) == "150.00")
        }
    }

    /// A delegate with `pay` tops the owner up but moves no money out of the line: transfers, saved-card charges and
    /// auto-payment set-up need `moveMoney`, which the owner grants explicitly, and then a code sent to the owner's
    /// number — the delegate's own step-up does not count.
    @Test(arguments: TestDatabase.available)
    func aDelegateMovesNoMoneyOutWithoutTheScopeAndTheOwnersCode(_ backend: TestDatabase) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let owner = try await bed.line("+79001234567", credit: "500.00")
            let other = try await bed.line("+79001234568")
            try await bed.topUp(owner, "100.00", saveCard: true)
            let card = try #require(try await bed.service.cards(of: owner.id).first).id
            @Sendable func delegate(_ scopes: String, stepUp: String? = nil, key: String) -> HTTPFields {
                var fields = headers(owner, key: key)
                fields[TestSessionModule.scopesHeader] = scopes
                if let stepUp { fields[TestSessionModule.stepUpHeader] = stepUp }
                return fields
            }
            let transfer = ByteBuffer(string: #"{"to": "+79001234568", "amount": "100"}"#)
            let charge = ByteBuffer(string: #"{"amount": "200", "cardId": \#(card)}"#)
            let rule = ByteBuffer(
                string: #"{"kind": "threshold", "threshold": "100", "amount": "300", "monthlyCap": "1000"}"#)
            let ownerID = String(owner.id.rawValue)
            let delegateID = String(TestSessionModule.delegateLine.rawValue)
            try await app(bed).test(.router) { client in
                // `pay` alone: refused for every way out, even with the delegate's own step-up or the owner's code.
                for stepUp in [nil, delegateID, ownerID] {
                    try await client.execute(
                        uri: "/api/v1/me/transfers", method: .post,
                        headers: delegate("viewBalance,pay", stepUp: stepUp, key: "t-\(stepUp ?? "-")"),
                        body: transfer
                    ) { response throws in
                        #expect(response.status == .forbidden)
                        #expect(try json(response)["code"] as? String == "auth.scopeMissing")
                    }
                    try await client.execute(
                        uri: "/api/v1/me/payments", method: .post,
                        headers: delegate("viewBalance,pay", stepUp: stepUp, key: "c-\(stepUp ?? "-")"),
                        body: charge
                    ) { response throws in
                        #expect(response.status == .forbidden)
                        #expect(try json(response)["code"] as? String == "auth.scopeMissing")
                    }
                    try await client.execute(
                        uri: "/api/v1/me/autopay", method: .put,
                        headers: delegate("viewBalance,pay", stepUp: stepUp, key: "a-\(stepUp ?? "-")"),
                        body: rule
                    ) { response throws in
                        #expect(response.status == .forbidden)
                    }
                }
                // `moveMoney` granted: still refused until a code sent to the owner's number is confirmed.
                for stepUp in [nil, delegateID] {
                    try await client.execute(
                        uri: "/api/v1/me/transfers", method: .post,
                        headers: delegate("pay,moveMoney", stepUp: stepUp, key: "m-\(stepUp ?? "-")"),
                        body: transfer
                    ) { response throws in
                        #expect(response.status == .forbidden)
                        #expect(try json(response)["code"] as? String == "auth.stepUpRequired")
                    }
                    try await client.execute(
                        uri: "/api/v1/me/payments", method: .post,
                        headers: delegate("pay,moveMoney", stepUp: stepUp, key: "n-\(stepUp ?? "-")"),
                        body: charge
                    ) { response throws in
                        #expect(try json(response)["code"] as? String == "auth.stepUpRequired")
                    }
                    // A promised payment is debt of the owner's line: the delegate's own code does not vouch for it.
                    try await client.execute(
                        uri: "/api/v1/me/promised-payment", method: .post,
                        headers: delegate("viewBalance,pay", stepUp: stepUp, key: "p-\(stepUp ?? "-")"),
                        body: ByteBuffer(string: #"{"amount": "50.00"}"#)
                    ) { response throws in
                        #expect(try json(response)["code"] as? String == "auth.stepUpRequired")
                    }
                }
                try await client.execute(
                    uri: "/api/v1/me/transfers", method: .post,
                    headers: delegate("pay,moveMoney", stepUp: ownerID, key: "ok-1"), body: transfer
                ) { response in
                    #expect(response.status == .created)
                }
                try await client.execute(
                    uri: "/api/v1/me/payments", method: .post,
                    headers: delegate("pay,moveMoney", stepUp: ownerID, key: "ok-2"), body: charge
                ) { response in
                    #expect(response.status == .created)
                }
                // A top-up from a new card leaves nothing: `pay` is enough.
                try await client.execute(
                    uri: "/api/v1/me/payments", method: .post, headers: delegate("pay", key: "top-1"),
                    body: ByteBuffer(string: #"{"amount": "100", "method": "card"}"#)
                ) { response in
                    #expect(response.status == .created)
                }
            }
            #expect(
                try await bed.billing.balance(other) == "100.00", "exactly the one transfer the owner's code allowed")
        }
    }

    /// A blocked line's session may look (history), take money in from a new card and stop its card being used, but
    /// every action that spends money or changes the line answers `403 line.blocked` with a reason.
    @Test(arguments: TestDatabase.available)
    func aBlockedLineLooksButDoesNotPay(_ backend: TestDatabase) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "50.00")
            _ = try await bed.lines.update(msisdn: line.msisdn, with: LinePatch(status: .blocked))
            try await app(bed).test(.router) { client in
                try await client.execute(uri: "/api/v1/me/payments", method: .get, headers: headers(line)) { response in
                    #expect(response.status == .ok)
                }
                // Money coming in from a new card is welcome; nothing goes out.
                try await client.execute(
                    uri: "/api/v1/me/payments", method: .post, headers: headers(line, key: "b-1"),
                    body: ByteBuffer(string: #"{"amount": "100", "method": "card"}"#)
                ) { response in
                    #expect(response.status == .created)
                }
                var steppedUp = headers(line, key: "b-3")
                steppedUp[TestSessionModule.stepUpHeader] = "1"
                try await client.execute(
                    uri: "/api/v1/me/transfers", method: .post, headers: steppedUp,
                    body: ByteBuffer(string: #"{"to": "+79001234568", "amount": "10"}"#)
                ) { response throws in
                    #expect(response.status == .forbidden)
                    #expect(try json(response)["code"] as? String == "line.blocked")
                }
                try await client.execute(uri: "/api/v1/me/autopay", method: .delete, headers: headers(line)) {
                    response in
                    #expect(response.status == .noContent, "the owner may still switch auto-payment off")
                }
                try await client.execute(
                    uri: "/api/v1/me/promised-payment", method: .post, headers: headers(line, key: "b-2"),
                    body: ByteBuffer(string: #"{"amount": "100"}"#)
                ) { response throws in
                    #expect(try json(response)["code"] as? String == "line.blocked")
                }
            }
            #expect(try await bed.service.history(of: line.id, before: nil, limit: 10).count == 1, "only the top-up")
        }
    }

    @Test(arguments: TestDatabase.available)
    func savedCardsAndAutopayThroughTheAPI(_ backend: TestDatabase) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            try await app(bed).test(.router) { client in
                let rule = ByteBuffer(
                    string: #"{"kind": "threshold", "threshold": "100", "amount": "300", "monthlyCap": "1000"}"#)
                try await client.execute(uri: "/api/v1/me/autopay", method: .put, headers: headers(line), body: rule) {
                    response throws in
                    #expect(response.status == .unprocessableContent)
                    #expect(try json(response)["code"] as? String == "payments.autopay.noCard")
                }
                try await bed.topUp(line, "100.00", saveCard: true)
                var card: Int64 = 0
                try await client.execute(uri: "/api/v1/me/payments/cards", method: .get, headers: headers(line)) {
                    response throws in
                    let items = try #require(try json(response)["items"] as? [[String: Any]])
                    #expect(items.first?["maskedCard"] as? String == "•••• 4242")
                    #expect(items.first?["token"] == nil, "the token stays on the server")
                    card = try #require(items.first?["id"] as? Int).asInt64
                }
                try await client.execute(
                    uri: "/api/v1/me/payments", method: .post, headers: headers(line, key: "c-1"),
                    body: ByteBuffer(string: #"{"amount": "200", "cardId": \#(card)}"#)
                ) { response throws in
                    #expect(response.status == .created)
                    #expect(try json(response)["status"] as? String == "succeeded")
                }
                try await client.execute(
                    uri: "/api/v1/me/autopay", method: .put, headers: headers(line),
                    body: ByteBuffer(string: #"{"kind": "threshold", "amount": "300", "monthlyCap": "1000"}"#)
                ) { response throws in
                    #expect(response.status == .badRequest, "a threshold rule needs its threshold")
                }
                try await client.execute(uri: "/api/v1/me/autopay", method: .put, headers: headers(line), body: rule) {
                    response throws in
                    #expect(response.status == .ok)
                    #expect((try json(response)["threshold"] as? [String: String])?["amount"] == "100.00")
                }
                try await client.execute(uri: "/api/v1/me/autopay", method: .get, headers: headers(line)) {
                    response throws in
                    #expect(try json(response)["enabled"] as? Bool == true)
                }
                try await client.execute(uri: "/autopay", method: .get, headers: headers(line)) { response in
                    #expect(String(buffer: response.body).contains("autopay-on"))
                }
                try await client.execute(uri: "/api/v1/me/autopay", method: .delete, headers: headers(line)) {
                    response in
                    #expect(response.status == .noContent)
                }
                try await client.execute(
                    uri: "/api/v1/me/payments/cards/\(card)", method: .delete, headers: headers(line)
                ) { response in
                    #expect(response.status == .noContent)
                }
                try await client.execute(
                    uri: "/api/v1/me/payments/cards/\(card)", method: .delete, headers: headers(line)
                ) { response in
                    #expect(response.status == .notFound)
                }
            }
            #expect(try await bed.billing.balance(line) == "300.00")
        }
    }
}

extension Int {
    var asInt64: Int64 { Int64(self) }
}
