import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import Payments
import PaymentsStorage
import Testing

/// Two nodes of a deployment, each with its own sandbox gateway over one database: a checkout opened through one is
/// found, paid and closed through the other, and two submits racing on both close it once.
@Suite struct SQLSandboxCheckoutsTests {
    let now = Date(timeIntervalSince1970: 1_794_000_000)

    func order(_ id: String, saveCard: Bool = false) -> GatewayOrder {
        GatewayOrder(
            orderID: id, amount: Money(minorUnits: 123_45, currency: .kzt), method: .card, description: "Пополнение",
            returnURL: "/payments/\(id)", saveCard: saveCard)
    }

    func nodes(_ database: CabinetDatabase) -> (SandboxGateway, SandboxGateway) {
        func node() -> SandboxGateway {
            SandboxGateway(
                secret: Data("s".utf8), pageBaseURL: "http://lb",
                checkouts: SQLSandboxCheckouts(database: database), clock: ManualClock(now))
        }
        return (node(), node())
    }

    @Test(arguments: TestDatabase.available)
    func aCheckoutOpenedOnOneNodeIsPaidOnAnother(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: PaymentsSchema.migrations) { database in
            let (a, b) = nodes(database)
            let opened = try await a.create(order("pay_1", saveCard: true))
            #expect(try await b.create(order("pay_1", saveCard: true)) == opened, "a retried create finds the first")
            let found = try #require(try await b.checkout(opened.gatewayPaymentID))
            #expect(found.order == order("pay_1", saveCard: true))
            #expect(found.state == .open)

            // 3-D Secure asked on one node, answered on the other.
            #expect(
                try await b.pay(
                    opened.gatewayPaymentID, card: "4000 0000 0000 3220", expiry: "12/30", cvc: "123", now: now)
                    == .needs3DS)
            #expect(try await a.checkout(opened.gatewayPaymentID)?.state == .awaiting3DS(maskedCard: "•••• 3220"))
            guard case .finished(_, let hooks) = try await a.confirm3DS(opened.gatewayPaymentID, code: "1234") else {
                Issue.record("finished expected")
                return
            }
            let last = try b.verify(webhook: try #require(hooks.last).body, signature: hooks.last?.signature)
            #expect(last.outcome == .succeeded)
            #expect(last.maskedCard == "•••• 3220")
            #expect(last.cardToken?.hasPrefix("tok_3220_") == true)
            #expect(try await b.checkout(opened.gatewayPaymentID)?.state == .closed(.succeeded))
            await #expect(throws: CabinetError.self) {
                _ = try await b.pay(
                    opened.gatewayPaymentID, card: "4242424242424242", expiry: "12/30", cvc: "123", now: now)
            }
            #expect(try await a.checkout("sbx_unknown") == nil)
        }
    }

    @Test(arguments: TestDatabase.available)
    func twoSubmitsRacingOnTwoNodesCloseTheCheckoutOnce(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: PaymentsSchema.migrations) { database in
            let (a, b) = nodes(database)
            for round in 1...5 {
                let opened = try await a.create(order("pay_race_\(round)"))
                let outcomes = await withTaskGroup(of: Bool.self) { group in
                    for node in [a, b, a, b] {
                        group.addTask {
                            let step = try? await node.pay(
                                opened.gatewayPaymentID, card: "4242 4242 4242 4242", expiry: "12/30", cvc: "123",
                                now: now)
                            return step != nil
                        }
                    }
                    return await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 }.count == 1, "round \(round): one submit delivers webhooks")
            }
        }
    }
}
