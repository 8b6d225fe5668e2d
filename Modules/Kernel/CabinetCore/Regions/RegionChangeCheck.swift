import Foundation

/// A module's say on a reload of the region files: what the new folder would break in the data it keeps (a region
/// or a tariff removed while lines are on it). Asked after the new folder validated and before it replaces the old
/// one; any refusal leaves the old regions in place.
public protocol RegionChangeCheck: Sendable {
    func refusals(from current: RegionSnapshot, to proposed: RegionSnapshot) async throws -> [RegionChangeRefusal]
}

/// Why a reload would break existing data, with how many lines it would strand.
public struct RegionChangeRefusal: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The region file the problem is in.
    public var region: String
    /// The key path of what was removed (`tariffs.catalog: classic`, or empty for the whole region).
    public var path: String
    public var message: String
    /// Lines that depend on what the change removes.
    public var affectedLines: Int

    public init(region: String, path: String, message: String, affectedLines: Int) {
        self.region = region
        self.path = path
        self.message = message
        self.affectedLines = affectedLines
    }

    public var description: String {
        "\(region).yaml: error: \(path.isEmpty ? "" : path + ": ")\(message) (\(affectedLines) line(s))"
    }
}

extension RegionSnapshot {
    /// The region with `id` in this snapshot.
    public func region(_ id: RegionID) -> Region? { byID[id] }
}
