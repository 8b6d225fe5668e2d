import CabinetCore
import CabinetMessaging
import CabinetStorage
import CabinetTesting
import Foundation
import Payments
import PaymentsTesting
import SQLKit
import Subscribers
import Testing

/// `SQLPaymentsStore` on its tables, on each SQL backend: the constraints that back the store's rules refuse rows
/// written past the store, and request records and SMS are rows of the store's own transaction (the kernel's
/// `cabinet_request` and the outbox). What every store promises is in `PaymentsStoreContractTests`.
@Suite struct SQLPaymentsStoreTests {
    /// Runs `sql` in a write transaction: `true` when a unique or check constraint refused it.
    func refused(_ sql: SQLQueryString, on database: CabinetDatabase) async throws -> Bool {
        do {
            try await database.write { db in try await db.raw(sql).run() }
            return false
        } catch  where StorageErrors.isUniqueViolation(error) || StorageErrors.isCheckViolation(error) {
            return true
        }
    }

    @Test(arguments: TestDatabase.available)
    func theTablesRefuseWhatTheStoreRefuses(_ backend: TestDatabase) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let database = try #require(bed.database)
            let line = try await bed.line("+79001234567").id.rawValue
            let at = bed.clock.now.storageMilliseconds
            func promised(_ status: String, closed: Int64?) -> SQLQueryString {
                """
                INSERT INTO payments_promised (subscriber_id, amount, fee, currency, status, taken_at, due_at, closed_at)
                VALUES (\(bind: line), 5000, 500, 'RUB', \(bind: status), \(bind: at), \(bind: at + 1000), \(bind: closed))
                """
            }
            #expect(try await !refused(promised("active", closed: nil), on: database))
            #expect(
                try await refused(promised("active", closed: nil), on: database), "one active promised payment per line"
            )
            #expect(try await !refused(promised("repaid", closed: at), on: database))
            #expect(try await refused(promised("repaid", closed: nil), on: database), "closed means a closing time")

            func trigger(_ key: String, _ status: String) -> SQLQueryString {
                """
                INSERT INTO payments_autopay_trigger (key, subscriber_id, amount, currency, status, next_attempt_at, created_at, updated_at)
                VALUES (\(bind: key), \(bind: line), 30000, 'RUB', \(bind: status), \(bind: at), \(bind: at), \(bind: at))
                """
            }
            #expect(try await !refused(trigger("k1", "open"), on: database))
            #expect(try await refused(trigger("k2", "open"), on: database), "one open occasion per line")
            #expect(try await refused(trigger("k1", "paid"), on: database), "one row per occasion key")
            #expect(try await !refused(trigger("k2", "paid"), on: database))

            func card(_ token: String, isDefault: Int) -> SQLQueryString {
                """
                INSERT INTO payments_card (subscriber_id, gateway, token, masked_card, is_default, created_at)
                VALUES (\(bind: line), 'sandbox', \(bind: token), '•••• 4242', \(bind: isDefault), \(bind: at))
                """
            }
            #expect(try await !refused(card("t1", isDefault: 1), on: database))
            #expect(try await refused(card("t2", isDefault: 1), on: database), "one default card per line")
            #expect(try await refused(card("t1", isDefault: 0), on: database), "one row per token")

            func payment(_ id: String, gatewayID: String, status: String = "pending", credited: Int64? = nil)
                -> SQLQueryString
            {
                """
                INSERT INTO payments_payment (id, subscriber_id, msisdn, amount, currency, method, status, gateway, gateway_payment_id,
                    credited_at, created_at, updated_at)
                VALUES (\(bind: id), \(bind: line), '+79001234567', 10000, 'RUB', 'card', \(bind: status), 'sandbox', \(bind: gatewayID),
                    \(bind: credited), \(bind: at), \(bind: at))
                """
            }
            #expect(try await !refused(payment("pay_1", gatewayID: "g1"), on: database))
            #expect(
                try await refused(payment("pay_2", gatewayID: "g1"), on: database),
                "one of our payments per gateway payment")
            #expect(
                try await refused(payment("pay_3", gatewayID: "g3", credited: at), on: database),
                "only a succeeded payment is credited")
            #expect(
                try await !refused(payment("pay_4", gatewayID: "g4", status: "succeeded", credited: at), on: database))
        }
    }

    @Test(arguments: TestDatabase.available)
    func requestRecordsAndSMSAreRowsOfTheStoresTransaction(_ backend: TestDatabase) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let database = try #require(bed.database)
            let line = try await bed.line("+79001234567")
            let now = bed.clock.now
            let payment = Payment(
                id: "pay_1", line: line.id, msisdn: line.msisdn, amount: Money(minorUnits: 10_000, currency: .rub),
                method: .card, status: .created, gateway: "sandbox", createdAt: now, updatedAt: now)
            let stored = try await bed.store.insert(payment)
            let registry = SQLRequestRegistry(database: database)
            let requestID = try #require(stored.requestID)
            let request = try #require(try await registry.request(requestID))
            #expect(request.kind == "payments.topUp")
            #expect(request.status == .pending)
            #expect(request.detail == "100.00 RUB")
            await #expect(throws: CabinetError.self, "one payment per id") { try await bed.store.insert(payment) }
            #expect(
                try await registry.requests(of: line.id, before: nil, limit: 10).count == 1,
                "the refused payment's request rolled back")

            _ = try await bed.store.openTrigger(
                key: "k1", line: line.id, amount: Money(minorUnits: 30_000, currency: .rub), at: now)
            try await bed.store.closeTrigger(
                "k1", status: .failed, attempts: 3, retryAt: nil, sms: (line.msisdn, "Автоплатёж не прошёл"),
                at: now)
            let outbox = try await database.read { db in try await Outbox.recent(to: "+79001234567", limit: 10, on: db)
            }
            #expect(outbox.map(\.body) == ["Автоплатёж не прошёл"])
            #expect(outbox.map(\.purpose) == ["payments.autopay"])
            let key = try await database.read { db in
                try await db.raw("SELECT dedupe_key FROM messaging_outbox WHERE purpose = 'payments.autopay'").first()?
                    .decode(column: "dedupe_key", as: String.self)
            }
            #expect(key == "autopay:k1")
        }
    }
}
