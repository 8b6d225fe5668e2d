public import CabinetCore
import Foundation

/// Refuses a reload of the region files that removes a region while lines are in it (their fees, tariffs and
/// numbering rules would be gone), or changes the currency or the time zone of a region with lines (their balances
/// are in the old currency; their periods and business dates were cut in the old zone).
public struct RegionLinesCheck: RegionChangeCheck {
    let store: any SubscriberStore

    public init(store: any SubscriberStore) {
        self.store = store
    }

    public func refusals(from current: RegionSnapshot, to proposed: RegionSnapshot) async throws
        -> [RegionChangeRefusal]
    {
        var refusals: [RegionChangeRefusal] = []
        for region in current.regions {
            let next = proposed.region(region.id)
            let message: String
            let path: String
            if next == nil {
                (path, message) = ("", "the region's file is gone while lines are in it; move or terminate them first")
            } else if let next, next.currency != region.currency {
                (path, message) = (
                    "currency",
                    "the currency changes from \(region.currency.code) to \(next.currency.code) while lines hold balances in it"
                )
            } else if let next, next.timeZone.identifier != region.timeZone.identifier {
                (path, message) = (
                    "timeZone",
                    "the time zone changes from \(region.timeZone.identifier) to \(next.timeZone.identifier) while lines' "
                        + "periods run in it"
                )
            } else {
                continue
            }
            let lines = try await store.count(region: region.id)
            guard lines > 0 else { continue }
            refusals.append(
                RegionChangeRefusal(region: region.id.rawValue, path: path, message: message, affectedLines: lines))
        }
        return refusals
    }
}
