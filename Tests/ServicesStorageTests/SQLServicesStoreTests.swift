import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetTesting
import Foundation
import Services
import ServicesStorage
import ServicesTesting
import Subscribers
import Testing

/// `SQLServicesStore` on SQLite and PostgreSQL: one row per connected option, a change and its request in one
/// transaction, a refused change leaving nothing behind.
@Suite struct SQLServicesStoreTests {
    @Test(arguments: TestDatabase.available)
    func aRefusedChangeLeavesNoRowNoRequestAndNoMoney(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "10.00")
            let settings = try #require(
                bed.billing.rules.regions.region(line.region)?.settings(for: ServicesModule.self))
            let boost = try #require(settings.option(try bed.option("internet-boost")))
            let order = ConnectOrder(
                line: line.id, option: boost, replacing: [], connectionFee: boost.connectionFee,
                requestKind: "services.connect", detail: "internet-boost", at: bed.billing.clock.now)
            let refused = await #expect(throws: CabinetError.self) { try await bed.store.connect(order) }
            #expect(refused?.code == ServicesError.insufficientFunds)
            #expect(refused?.arguments["shortfall"] == Money(minorUnits: 14_000, currency: .rub).displayString)
            #expect(try await bed.store.connectedOptions(of: line.id).isEmpty)
            #expect(try await bed.billing.requests.requests(of: line.id, before: nil, limit: 10).isEmpty)
            #expect(try await bed.billing.balance(line) == "10.00")

            // Replacing an option that is not connected rolls the whole change back.
            let gudok = try #require(settings.option(try bed.option("gudok")))
            let bad = ConnectOrder(
                line: line.id, option: gudok, replacing: [try bed.option("roaming-ban")],
                connectionFee: Money.zero(.rub),
                requestKind: "services.connect", detail: "gudok", at: bed.billing.clock.now)
            await #expect(throws: CabinetError.self) { try await bed.store.connect(bad) }
            #expect(try await bed.store.connectedOptions(of: line.id).isEmpty)
            #expect(try await bed.billing.requests.requests(of: line.id, before: nil, limit: 10).isEmpty)
        }
    }
}
