import CabinetCore
import CabinetServer
import CabinetStorage
import CabinetTesting
import Foundation
import Subscribers
import Testing

/// Subscribers' SQL directory reads a line's status inside another module's write transaction (Payments' transfer
/// debit), not from its cache: a status changed after the cache was filled is what the transaction sees.
@Suite struct LineStatusInTransactionTests {
    @Test(arguments: TestDatabase.available)
    func theStatusIsReadInTheTransactionNotTheCache(_ backend: TestDatabase) async throws {
        try await withRuntime(backend) { runtime in
            let subscribers = runtime.services.subscribers
            let msisdn = try #require(MSISDN(e164: "+79001230001"))
            let region = try #require(RegionID(rawValue: "msk"))
            let line = try await subscribers.service.provision(NewLine(msisdn: msisdn, region: region, status: .active))
            _ = try await subscribers.directory.line(id: line.id)
            _ = try await subscribers.service.update(msisdn: line.msisdn, with: LinePatch(status: .blocked))
            let directory = subscribers.directory
            let seen = try await runtime.database.write { db in
                try await directory.status(of: line.id, in: SQLWriteTransaction(db))
            }
            #expect(seen == .blocked)
            let missing = try await runtime.database.write { db in
                try await directory.status(of: SubscriberID(987_654), in: SQLWriteTransaction(db))
            }
            #expect(missing == nil)
            // A batch of numbers in one read: the lines that exist, keyed by number.
            let found = try await directory.lines(msisdns: [msisdn, try #require(MSISDN(e164: "+79001239999"))])
            #expect(found.keys.map(\.e164) == ["+79001230001"])
            #expect(found[msisdn]?.status == .blocked)
        }
    }
}
