import CabinetCore
import CabinetTesting
import Foundation
import Tariffs
import TariffsTesting
import Testing

/// A reload of the region files may drop a tariff only when no line is on it or has a change to it planned.
@Suite struct TariffRemovalCheckTests {
    static func region(_ tariffs: [String]) throws -> Region {
        let yaml =
            "changeFee: \"0.00\"\ndefaultTariff: \(tariffs[0])\ncatalog:\n"
            + tariffs.map { TariffsSettingsTests.tariff($0) }.joined(separator: "\n")
        let settings = try #require(SettingsProbe.read(TariffsSettings.self, yaml: yaml).settings)
        return .fixture(modules: ["subscribers", "tariffs"], settings: [TariffsModule.id: settings])
    }

    static func snapshot(_ tariffs: [String]) throws -> RegionSnapshot {
        RegionCatalog(regions: [try region(tariffs)]).snapshot
    }

    @Test func aTariffWithLinesOnItStaysAndAnEmptyOneGoes() async throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_790_000_000))
        let store = InMemoryLineTariffStore()
        let msk = try #require(RegionID(rawValue: "msk"))
        try await store.assignInitial(TariffID(rawValue: "a")!, to: SubscriberID(1), region: msk, at: clock.now)
        try await store.assignInitial(TariffID(rawValue: "a")!, to: SubscriberID(2), region: msk, at: clock.now)
        let check = TariffRemovalCheck(store: store, clock: clock)
        let current = try Self.snapshot(["a", "b", "c"])

        let refused = try await check.refusals(from: current, to: try Self.snapshot(["b", "c"]))
        #expect(refused.count == 1)
        #expect(refused.first?.affectedLines == 2)
        #expect(refused.first?.path == "tariffs.catalog: a")
        #expect(refused.first?.description.hasPrefix("msk.yaml: error: tariffs.catalog: a: ") == true)

        // Nobody is on b or c: dropping them is fine.
        #expect(try await check.refusals(from: current, to: try Self.snapshot(["a"])).isEmpty)
        // Nothing removed, nothing to say.
        #expect(try await check.refusals(from: current, to: current).isEmpty)
    }

    @Test func onlyTheRegionsOwnLinesCount() async throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_790_000_000))
        let store = InMemoryLineTariffStore()
        let msk = try #require(RegionID(rawValue: "msk"))
        try await store.assignInitial(TariffID(rawValue: "a")!, to: SubscriberID(1), region: msk, at: clock.now)
        let check = TariffRemovalCheck(store: store, clock: clock)
        #expect(
            try await check.refusals(from: try Self.snapshot(["a", "b"]), to: try Self.snapshot(["b"])).count == 1)
        // A line of another region on a tariff of the same id does not count.
        let other = InMemoryLineTariffStore()
        try await other.assignInitial(
            TariffID(rawValue: "a")!, to: SubscriberID(1), region: RegionID(rawValue: "spb")!, at: clock.now)
        #expect(
            try await TariffRemovalCheck(store: other, clock: clock).refusals(
                from: try Self.snapshot(["a", "b"]), to: try Self.snapshot(["b"])
            ).isEmpty)
    }
}
