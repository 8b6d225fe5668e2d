public import CabinetCore

/// Refuses a reload of the region files that removes a region while lines are in it: their fees, tariffs and
/// numbering rules would be gone.
public struct RegionLinesCheck: RegionChangeCheck {
    let store: any SubscriberStore

    public init(store: any SubscriberStore) {
        self.store = store
    }

    public func refusals(from current: RegionSnapshot, to proposed: RegionSnapshot) async throws
        -> [RegionChangeRefusal]
    {
        var refusals: [RegionChangeRefusal] = []
        for region in current.regions where proposed.region(region.id) == nil {
            let lines = try await store.count(region: region.id)
            guard lines > 0 else { continue }
            refusals.append(
                RegionChangeRefusal(
                    region: region.id.rawValue, path: "",
                    message: "the region's file is gone while lines are in it; move or terminate them first",
                    affectedLines: lines))
        }
        return refusals
    }
}
