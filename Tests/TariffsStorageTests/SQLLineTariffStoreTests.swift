import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit
import Tariffs
import TariffsStorage
import Testing

@Suite struct SQLLineTariffStoreTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)
    let line = SubscriberID(7)
    let msk = RegionID(rawValue: "msk")!

    @Test(arguments: TestDatabase.available)
    func spansFollowChangesNowAndPlanned(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: TariffsSchema.migrations) { database throws in
            let repository = SQLLineTariffStore(database: database)
            try await repository.assignInitial(TariffID(rawValue: "monthly")!, to: line, region: msk, at: start)
            await #expect(throws: CabinetError.self, "a second initial tariff") {
                try await repository.assignInitial(TariffID(rawValue: "daily")!, to: line, region: msk, at: start)
            }
            let change = start.addingTimeInterval(3600)
            let later = start.addingTimeInterval(86_400)
            try await database.write { db in
                try await repository.switchTariff(
                    of: line, region: msk, to: TariffID(rawValue: "daily")!, from: change,
                    requestID: 1, in: SQLWriteTransaction(db))
                try await repository.switchTariff(
                    of: line, region: msk, to: TariffID(rawValue: "premium")!, from: later,
                    requestID: 2, in: SQLWriteTransaction(db))
            }
            #expect(
                try await repository.tariff(of: line, at: start.addingTimeInterval(60))?.tariffID.rawValue == "monthly")
            #expect(try await repository.tariff(of: line, at: change)?.tariffID.rawValue == "daily")
            #expect(
                try await repository.tariff(of: line, at: later.addingTimeInterval(1))?.tariffID.rawValue == "premium")
            let planned = try await database.read { db in
                try await repository.planned(of: line, after: change, in: SQLWriteTransaction(db))
            }
            #expect(planned?.tariffID.rawValue == "premium" && planned?.requestID == 2)
            // Replanning from the same instant replaces the plan instead of stacking another.
            try await database.write { db in
                try await repository.switchTariff(
                    of: line, region: msk, to: TariffID(rawValue: "payg")!, from: later,
                    requestID: 3, in: SQLWriteTransaction(db))
            }
            let history = try await repository.history(of: line)
            #expect(history.map(\.tariffID.rawValue) == ["payg", "daily", "monthly"])
            #expect(history[1].until == later && history[2].until == change)
        }
    }

    /// What a reload that removes a tariff asks: lines on it now, and lines with a change to it planned, per region.
    @Test(arguments: TestDatabase.available)
    func linesOnEachTariffCountNowAndPlanned(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: TariffsSchema.migrations) { database throws in
            let repository = SQLLineTariffStore(database: database)
            let spb = RegionID(rawValue: "spb")!
            let monthly = TariffID(rawValue: "monthly")!
            let daily = TariffID(rawValue: "daily")!
            for id in 1...3 {
                try await repository.assignInitial(monthly, to: SubscriberID(Int64(id)), region: msk, at: start)
            }
            try await repository.assignInitial(monthly, to: SubscriberID(9), region: spb, at: start)
            // Line 1 leaves monthly for daily now, line 2 plans daily for tomorrow.
            try await database.write { db in
                try await repository.switchTariff(
                    of: SubscriberID(1), region: msk, to: daily, from: start.addingTimeInterval(60), requestID: 1,
                    in: SQLWriteTransaction(db))
                try await repository.switchTariff(
                    of: SubscriberID(2), region: msk, to: daily, from: start.addingTimeInterval(86_400), requestID: 2,
                    in: SQLWriteTransaction(db))
            }
            let now = start.addingTimeInterval(3600)
            #expect(try await repository.lineCounts(region: msk, from: now) == [monthly: 2, daily: 2])
            #expect(try await repository.lineCounts(region: spb, from: now) == [monthly: 1])
            #expect(try await repository.lineCounts(region: RegionID(rawValue: "nsk")!, from: now).isEmpty)
        }
    }
}
