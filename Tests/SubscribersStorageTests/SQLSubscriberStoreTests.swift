import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit
import Subscribers
import SubscribersStorage
import Testing

@Suite struct SQLSubscriberStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000.123)

    func new(_ number: String, region: String = "msk") -> NewLine {
        NewLine(
            msisdn: MSISDN(e164: number)!, region: RegionID(rawValue: region)!, status: .active,
            owner: OwnerProfile(
                fullName: "Иванов Иван", email: "ivan@example.com",
                contactNumber: MSISDN(e164: "+79019999999"), postalAddress: "Москва"),
            companyID: CompanyID(rawValue: "7701234567"))
    }

    @Test(arguments: TestDatabase.available)
    func insertsReadsAndUpdatesALine(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: SubscribersSchema.migrations) { database throws in
            let repository = SQLSubscriberStore(database: database)
            let inserted = try await repository.insert(
                new("+79001234567"), activatedOn: LocalDate("2024-05-06")!, at: now)
            #expect(inserted.msisdn.e164 == "+79001234567")
            #expect(inserted.activatedOn.description == "2024-05-06")
            #expect(inserted.owner.contactNumber?.e164 == "+79019999999")
            #expect(inserted.companyID?.rawValue == "7701234567")
            #expect(inserted.createdAt.storageMilliseconds == now.storageMilliseconds)
            #expect(try await repository.line(msisdn: inserted.msisdn) == inserted)
            #expect(try await repository.line(id: inserted.id) == inserted)

            var changed = inserted
            changed.status = .suspended
            changed.owner.email = nil
            changed.companyID = nil
            let updated = try await repository.update(changed, ifStatus: .active)
            #expect(updated == changed)
            #expect(try await repository.line(id: inserted.id)?.status == .suspended)
            // A write decided on the status before that change stores nothing: the status it read is gone.
            var stale = inserted
            stale.owner.fullName = "Кто-то другой"
            #expect(try await repository.update(stale, ifStatus: .active) == nil)
            #expect(try await repository.line(id: inserted.id)?.status == .suspended)
            #expect(try await repository.line(id: inserted.id)?.owner.fullName == changed.owner.fullName)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aNumberIsUnique(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: SubscribersSchema.migrations) { database throws in
            let repository = SQLSubscriberStore(database: database)
            _ = try await repository.insert(new("+79001234567"), activatedOn: LocalDate("2024-05-06")!, at: now)
            do {
                _ = try await repository.insert(new("+79001234567"), activatedOn: LocalDate("2024-05-06")!, at: now)
                Issue.record("duplicate accepted")
            } catch let error as CabinetError {
                #expect(error.code == SubscribersError.alreadyExists)
                #expect(error.kind == .conflict)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func concurrentInsertsOfOneNumberCreateOneLine(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: SubscribersSchema.migrations) { database throws in
            let repository = SQLSubscriberStore(database: database)
            let results = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        (try? await repository.insert(
                            new("+79001234567"), activatedOn: LocalDate("2024-05-06")!, at: now)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let count = try await repository.count()
            #expect(results.filter { $0 }.count == 1)
            #expect(count == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func pagesByNumberWithinARegion(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: SubscribersSchema.migrations) { database throws in
            let repository = SQLSubscriberStore(database: database)
            for n in 1...5 {
                _ = try await repository.insert(new("+7900000000\(n)"), activatedOn: LocalDate("2024-05-06")!, at: now)
            }
            _ = try await repository.insert(
                new("+77010000001", region: "almaty"), activatedOn: LocalDate("2024-05-06")!, at: now)
            let first = try await repository.lines(region: RegionID(rawValue: "msk"), after: nil, limit: 2)
            #expect(first.map(\.msisdn.e164) == ["+79000000001", "+79000000002"])
            let next = try await repository.lines(
                region: RegionID(rawValue: "msk"), after: first.last?.msisdn, limit: 10)
            #expect(next.map(\.msisdn.e164) == ["+79000000003", "+79000000004", "+79000000005"])
            #expect(try await repository.lines(region: nil, after: nil, limit: 100).count == 6)
            #expect(try await repository.count() == 6)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theStatusColumnRefusesUnknownValues(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: SubscribersSchema.migrations) { database throws in
            let repository = SQLSubscriberStore(database: database)
            let line = try await repository.insert(new("+79001234567"), activatedOn: LocalDate("2024-05-06")!, at: now)
            do {
                try await database.write { db in
                    try await db.raw(
                        "UPDATE subscribers_line SET status = 'zombie' WHERE id = \(bind: line.id.rawValue)"
                    ).run()
                }
                Issue.record("CHECK constraint missing")
            } catch {
                #expect(StorageErrors.isCheckViolation(error))
            }
        }
    }

    /// Two nodes on one PostgreSQL: a line one node keeps answers a request that saw the same stamp with its session,
    /// and any write to the line, by another node or any statement, makes the next request read it again.
    @Test(.enabled(if: TestDatabase.available.contains(.postgres)))
    func aNodeSeesAnotherNodesChangeOfALine() async throws {
        try await TestDatabase.postgres.withDatabase(migrations: SubscribersSchema.migrations) { database throws in
            let a = SQLSubscriberStore(database: database)
            let nodeB = try await CabinetDatabase.open(database.url, logger: .test, connections: 2)
            let b = SQLSubscriberStore(database: nodeB)
            let line = try await a.insert(new("+79001234567"), activatedOn: LocalDate("2024-05-06")!, at: now)
            func request() async throws -> Line? {
                let stamp = try await database.read { db in
                    try await db.raw("SELECT \(LineStampSchema.column(String(line.id.rawValue)))").first()?
                        .decode(column: "line_stamp", as: Int64.self)
                }
                let seen = LineStamps()
                seen.record(try #require(stamp), of: line.id)
                return try await LineStamps.$current.withValue(seen) { try await a.line(id: line.id) }
            }
            #expect(try await request()?.status == .active)
            // A change that raises no stamp is not seen: node A answers from what it keeps.
            try await nodeB.write { db in
                try await db.raw("ALTER TABLE subscribers_line DISABLE TRIGGER subscribers_line_line_stamp").run()
                try await db.raw("UPDATE subscribers_line SET full_name = 'X' WHERE id = \(bind: line.id.rawValue)")
                    .run()
                try await db.raw("ALTER TABLE subscribers_line ENABLE TRIGGER subscribers_line_line_stamp").run()
            }
            #expect(try await request()?.owner.fullName == "Иванов Иван")
            // Node B blocks the line: node A's next request sees it.
            var blocked = line
            blocked.status = .blocked
            #expect(try await b.update(blocked, ifStatus: .active)?.status == .blocked)
            #expect(try await request()?.status == .blocked)
            await nodeB.close()
        }
    }
}
