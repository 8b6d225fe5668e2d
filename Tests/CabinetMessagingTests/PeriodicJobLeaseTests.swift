import CabinetCore
import CabinetMessaging
import CabinetStorage
import CabinetTesting
import Foundation
import Logging
import Synchronization
import Testing

/// The same job on two nodes of one database: only the lease's holder runs it; when the holder stops, the other takes
/// the job over at its next tick.
@Suite struct PeriodicJobLeaseTests {
    final class Counter: Sendable {
        let value = Mutex(0)
        func bump() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    @Test(arguments: TestDatabase.available)
    func oneNodeRunsAJobAndAnotherTakesOverWhenItStops(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: SQLJobLeases.migrations) { database throws in
            let first = Counter()
            let second = Counter()
            func job(_ node: String, _ counter: Counter) -> PeriodicJob {
                PeriodicJob(
                    name: "billing.fees", every: .milliseconds(40),
                    lease: SQLJobLeases(database: database, clock: SystemClock(), holder: node), logger: .test
                ) { counter.bump() }
            }
            /// Polls (the machine may be busy with other suites): true as soon as `condition` holds, false after 20 s.
            func eventually(_ condition: () -> Bool) async throws -> Bool {
                for _ in 0..<1000 {
                    if condition() { return true }
                    try await Task.sleep(for: .milliseconds(20))
                }
                return condition()
            }
            let a = Task { try await job("node-a", first).run() }
            #expect(try await eventually { first.count >= 3 })
            let b = Task { try await job("node-b", second).run() }
            // While node-a keeps running the job (three more runs, so node-b has tried too), node-b never does.
            let before = first.count
            #expect(try await eventually { first.count >= before + 3 })
            #expect(second.count == 0, "node-b ran the job node-a holds")
            // node-a stops: it gives the lease up, and node-b runs the job from its next tick.
            a.cancel()
            _ = await a.result
            let stoppedAt = first.count
            #expect(try await eventually { second.count >= 3 })
            #expect(first.count == stoppedAt)
            b.cancel()
            _ = await b.result
        }
    }
}
