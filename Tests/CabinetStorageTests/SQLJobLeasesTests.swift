import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import Testing

/// Background jobs' leases on SQLite and PostgreSQL: one holder at a time, renewed by the holder, taken over when it
/// lapses or is given up; of many nodes racing for a free lease exactly one gets it.
@Suite struct SQLJobLeasesTests {
    @Test(arguments: TestDatabase.available)
    func oneHolderAtATime(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: SQLJobLeases.migrations) { database throws in
            let clock = ManualClock(ISO8601DateFormatter().date(from: "2026-11-30T09:00:00Z")!)
            let a = SQLJobLeases(database: database, clock: clock, holder: "node-a")
            let b = SQLJobLeases(database: database, clock: clock, holder: "node-b")
            #expect(try await a.acquire("billing.fees", for: .seconds(60)))
            #expect(try await !b.acquire("billing.fees", for: .seconds(60)))
            // Another job is free for anyone.
            #expect(try await b.acquire("support.close", for: .seconds(60)))
            // The holder renews; the other waits for the lapse.
            clock.advance(by: .seconds(50))
            #expect(try await a.acquire("billing.fees", for: .seconds(60)))
            clock.advance(by: .seconds(50))
            #expect(try await !b.acquire("billing.fees", for: .seconds(60)))
            #expect(try await b.holder(of: "billing.fees") == "node-a")
            // node-a stops renewing (it died): once the lease lapses, node-b takes the job over.
            clock.advance(by: .seconds(11))
            #expect(try await b.holder(of: "billing.fees") == nil)
            #expect(try await b.acquire("billing.fees", for: .seconds(60)))
            #expect(try await !a.acquire("billing.fees", for: .seconds(60)))
            // A graceful stop gives it up at once; a release by a node that does not hold it changes nothing.
            try await a.release("billing.fees")
            #expect(try await b.holder(of: "billing.fees") == "node-b")
            try await b.release("billing.fees")
            #expect(try await a.acquire("billing.fees", for: .seconds(60)))
        }
    }

    @Test(arguments: TestDatabase.available)
    func ofManyNodesRacingOneGetsTheLease(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: SQLJobLeases.migrations) { database throws in
            let clock = ManualClock(ISO8601DateFormatter().date(from: "2026-11-30T09:00:00Z")!)
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for node in 0..<10 {
                    group.addTask {
                        try await SQLJobLeases(database: database, clock: clock, holder: "node-\(node)")
                            .acquire("billing.statements", for: .seconds(60))
                    }
                }
                var count = 0
                for try await won in group where won { count += 1 }
                return count
            }
            #expect(winners == 1)
        }
    }
}
