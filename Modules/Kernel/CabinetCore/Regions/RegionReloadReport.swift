/// What a reload of the region files did: `reloaded`, `unchanged` (the folder is the one in service), `invalid` (a
/// file has problems) or `refused` (the files are valid, but they would break existing data or need a restart).
/// On anything but `reloaded` nothing changed.
public struct RegionReloadReport: Sendable, Hashable, Codable {
    public enum Result: String, Sendable, Hashable, Codable, CaseIterable {
        case reloaded, unchanged, invalid, refused
    }

    public var result: Result
    /// The version in service after the reload (the old one unless `reloaded`).
    public var version: String
    /// The version before it.
    public var previousVersion: String
    /// The folder's version as read now (differs from ``version`` when the reload was not taken).
    public var candidateVersion: String?
    /// Every problem of the files and of what a start checks, as `file:line:col: error: key: message`.
    public var problems: [String]
    /// Changes the data refuses, with the lines they would strand.
    public var refusals: [RegionChangeRefusal]
    public var regions: [String]

    public init(
        result: Result, version: String, previousVersion: String, candidateVersion: String?, problems: [String] = [],
        refusals: [RegionChangeRefusal] = [], regions: [String] = []
    ) {
        self.result = result
        self.version = version
        self.previousVersion = previousVersion
        self.candidateVersion = candidateVersion
        self.problems = problems
        self.refusals = refusals
        self.regions = regions
    }

    /// Whether the reload succeeded or had nothing to do.
    public var isSuccess: Bool { result == .reloaded || result == .unchanged }
}
