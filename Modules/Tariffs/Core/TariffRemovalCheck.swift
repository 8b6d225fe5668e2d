public import CabinetCore
import Foundation

/// Refuses a reload of the region files that removes a tariff from a region's catalogue while lines are on it (or
/// have a change to it planned): their fees and packages would have nothing to come from. Closing a tariff
/// (`status: closed`) is the way to stop selling it.
public struct TariffRemovalCheck: RegionChangeCheck {
    let store: any LineTariffStore
    let clock: any WallClock

    public init(store: any LineTariffStore, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    public func refusals(from current: RegionSnapshot, to proposed: RegionSnapshot) async throws
        -> [RegionChangeRefusal]
    {
        var refusals: [RegionChangeRefusal] = []
        for region in current.regions {
            // A region removed as a whole is Subscribers' to judge; tariffs switched off in a region are all removed.
            guard let old = region.settings(for: TariffsModule.self), let next = proposed.region(region.id) else {
                continue
            }
            let kept = Set(next.settings(for: TariffsModule.self)?.catalog.map(\.id) ?? [])
            let removed = old.catalog.map(\.id).filter { !kept.contains($0) }
            guard !removed.isEmpty else { continue }
            let counts = try await store.lineCounts(region: region.id, from: clock.now)
            for tariff in removed {
                guard let lines = counts[tariff], lines > 0 else { continue }
                refusals.append(
                    RegionChangeRefusal(
                        region: region.id.rawValue, path: "tariffs.catalog: \(tariff.rawValue)",
                        message: "the tariff is removed while lines are on it; close it (status: closed) instead",
                        affectedLines: lines))
            }
        }
        return refusals
    }
}
