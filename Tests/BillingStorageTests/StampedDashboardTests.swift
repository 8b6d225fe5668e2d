import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit
import Subscribers
import Testing

/// Two nodes on one PostgreSQL: the dashboard's rows (account, buckets, recurring charges) that one node keeps answer
/// its requests until a write raises the line's stamp, whichever node or statement made it.
@Suite struct StampedDashboardTests {
    /// What a request learns with its session (Auth reads it in the session's statement): the line's stamp now.
    static func request(_ line: SubscriberID, on database: CabinetDatabase) async throws -> LineStamps {
        let stamp = try await database.read { db in
            try await db.raw("SELECT \(LineStampSchema.column(String(line.rawValue)))").first()?
                .decode(column: "line_stamp", as: Int64.self)
        }
        let seen = LineStamps()
        seen.record(stamp ?? 0, of: line)
        return seen
    }

    @Test(.enabled(if: TestDatabase.available.contains(.postgres)))
    func aNodeSeesWhatAnyOtherNodeWritesToTheDashboardsRows() async throws {
        try await BillingTestBed.with(TestDatabase.postgres) { a in
            let line = try await a.line("+79001234567", tariff: "monthly", credit: "100.00")
            let nodeB = try await CabinetDatabase.open(a.database.url, logger: .test, connections: 2)
            let b = try await BillingTestBed(database: nodeB, start: BillingTestBed.defaultStart)
            func dashboard() async throws -> (account: AccountSnapshot?, charges: [ScheduledCharge]) {
                let seen = try await Self.request(line.id, on: a.database)
                return try await LineStamps.$current.withValue(seen) {
                    (
                        try await a.store.snapshot(of: line.id, at: a.clock.now),
                        try await a.store.scheduledCharges(of: line.id)
                    )
                }
            }
            let first = try await dashboard()
            let balance = try #require(first.account?.account.balance.minorUnits)
            #expect(first.charges.isEmpty)
            let bucket = try #require(first.account?.buckets.first)

            // A change that raises no stamp is not seen: proof that node A answers from what it keeps.
            try await nodeB.write { db in
                try await db.raw("ALTER TABLE billing_account DISABLE TRIGGER billing_account_line_stamp").run()
                try await db.raw(
                    "UPDATE billing_account SET balance = balance + 1 WHERE subscriber_id = \(bind: line.id.rawValue)"
                ).run()
                try await db.raw("ALTER TABLE billing_account ENABLE TRIGGER billing_account_line_stamp").run()
            }
            #expect(try await dashboard().account?.account.balance.minorUnits == balance)

            // Node B tops the line up through its store: node A's next request has the new balance.
            let topUp = LedgerPosting(
                externalID: "top-b", kind: .topUp, line: line.id, amount: Money(minorUnits: 5_000, currency: .rub),
                counterparty: .gateway, explanation: "billing.explain.adjustment", allowsNegativeBalance: false,
                at: b.clock.now)
            guard case .posted = try await b.store.post(topUp) else {
                Issue.record("not posted")
                return
            }
            #expect(try await dashboard().account?.account.balance.minorUnits == balance + 1 + 5_000)

            // A bucket spent by any statement at all (the trigger, not the store, raises the stamp).
            try await nodeB.write { db in
                try await db.raw("UPDATE billing_bucket SET remaining = remaining - 1 WHERE id = \(bind: bucket.id)")
                    .run()
            }
            let spent = try await dashboard().account?.buckets.first { $0.id == bucket.id }
            #expect(spent?.left == bucket.left - 1)

            // A recurring charge another node starts is among the next request's option fees.
            try await nodeB.write { db in
                try await db.raw(
                    """
                    INSERT INTO billing_recurring (key, subscriber_id, region, amount, currency, period, kind, explanation,
                        arguments, next_at, started_at, while_inactive, ends_at)
                    VALUES ('option:test', \(bind: line.id.rawValue), 'msk', 1000, 'RUB', 'month',
                        \(bind: MovementKind.optionFee.rawValue), 'x', '{}', \(bind: b.clock.now.storageMilliseconds + 86_400_000),
                        \(bind: b.clock.now.storageMilliseconds), 0, NULL)
                    """
                ).run()
            }
            #expect(try await dashboard().charges.map(\.charge.key) == ["option:test"])
            await nodeB.close()
        }
    }

    /// A request that writes to its line reads the result, not what its node kept from before.
    @Test(.enabled(if: TestDatabase.available.contains(.postgres)))
    func aRequestReadsItsOwnWrite() async throws {
        try await BillingTestBed.with(TestDatabase.postgres) { bed in
            let line = try await bed.line("+79001234567", tariff: "monthly", credit: "100.00")
            let seen = try await Self.request(line.id, on: bed.database)
            try await LineStamps.$current.withValue(seen) {
                let before = try #require(try await bed.store.snapshot(of: line.id, at: bed.clock.now)?.account.balance)
                let topUp = LedgerPosting(
                    externalID: "top", kind: .topUp, line: line.id, amount: Money(minorUnits: 5_000, currency: .rub),
                    counterparty: .gateway, explanation: "billing.explain.adjustment", allowsNegativeBalance: false,
                    at: bed.clock.now)
                _ = try await bed.store.post(topUp)
                #expect(
                    try await bed.store.snapshot(of: line.id, at: bed.clock.now)?.account.balance.minorUnits
                        == before.minorUnits + 5_000)
            }
        }
    }
}
