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
}
