import Foundation
import Synchronization

/// The loaded regions, by id, and the version of the folder they came from.
///
/// Every copy of a catalog shares one current ``RegionSnapshot``, so ``replace(with:)`` (a reload of the region
/// folder) reaches every module that was handed the catalog at startup, atomically: a reader sees either the old
/// snapshot or the new one, never a mix. Work that must not see a reload halfway — an HTTP request — runs in
/// ``pinned(_:)``: inside it, this catalog answers the snapshot that was current when it began, in child tasks too.
public struct RegionCatalog: Sendable {
    private let source: Source

    /// Regions loaded in code (tests, embedding programs) get a version from their ids; the loader's come from the
    /// files' bytes.
    public init(regions: [Region], version: String? = nil) {
        source = Source(regions: regions, version: version ?? Self.version(of: regions))
    }

    /// The snapshot this code sees: the pinned one inside ``pinned(_:)``, the current one elsewhere.
    public var snapshot: RegionSnapshot {
        if let pinned = Self.pinned, pinned.sourceID == source.id { return pinned }
        return source.current
    }

    /// The regions, sorted by id.
    public var regions: [Region] { snapshot.regions }

    /// The version id of the regions this code sees (a digest of the region files; the same folder gives the same
    /// id on every node).
    public var version: String { snapshot.version }

    public func region(_ id: RegionID) -> Region? {
        snapshot.byID[id]
    }

    /// Modules enabled in at least one region.
    public var enabledModules: Set<ModuleID> {
        snapshot.enabledModules
    }

    /// The region whose numbering rules admit `msisdn`, when exactly one does.
    public func regions(admitting msisdn: MSISDN) -> [Region] {
        regions.filter { $0.msisdnRules.allows(msisdn) }
    }

    /// Makes `catalog`'s regions current for every copy of this catalog. Work already pinned keeps its snapshot.
    /// Returns the snapshot it replaced.
    @discardableResult
    public func replace(with catalog: RegionCatalog) -> RegionSnapshot {
        let next = catalog.snapshot
        return source.swap(regions: next.regions, version: next.version)
    }

    /// Runs `body` with the current snapshot pinned: a reload meanwhile does not change what it sees.
    public func pinned<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        try await Self.$pinned.withValue(source.current, operation: body)
    }

    /// The snapshot in service now, whatever this task pinned (the reloader compares against it).
    public var current: RegionSnapshot { source.current }

    @TaskLocal private static var pinned: RegionSnapshot?

    /// What this task pinned, to carry into work another task does on its behalf (the SQLite writer's loop runs
    /// every write body in its own task): ``withPinned(_:_:)`` there pins it again.
    public static var pinnedSnapshot: RegionSnapshot? { pinned }

    /// Runs `body` with `snapshot` pinned (nothing changes when it is `nil`).
    public static func withPinned<T: Sendable>(_ snapshot: RegionSnapshot?, _ body: () async throws -> T)
        async rethrows -> T
    {
        guard let snapshot else { return try await body() }
        return try await $pinned.withValue(snapshot, operation: body)
    }

    /// A short digest of the regions' ids, for catalogs built in code.
    static func version(of regions: [Region]) -> String {
        var digest = RegionDigest()
        for region in regions.sorted(by: { $0.id < $1.id }) { digest.add(region.id.rawValue) }
        return digest.hex
    }

    private final class Source: Sendable {
        private static let counter = Atomic<UInt64>(0)
        let id: UInt64
        private let state: Mutex<RegionSnapshot>

        init(regions: [Region], version: String) {
            id = Self.counter.add(1, ordering: .relaxed).newValue
            state = Mutex(RegionSnapshot(regions: regions, version: version, sourceID: id))
        }

        var current: RegionSnapshot { state.withLock { $0 } }

        func swap(regions: [Region], version: String) -> RegionSnapshot {
            let next = RegionSnapshot(regions: regions, version: version, sourceID: id)
            return state.withLock { state in
                let previous = state
                state = next
                return previous
            }
        }
    }
}

/// One immutable set of regions with the version it was loaded as.
public final class RegionSnapshot: Sendable {
    public let regions: [Region]
    public let version: String
    let byID: [RegionID: Region]
    let enabledModules: Set<ModuleID>
    let sourceID: UInt64

    init(regions: [Region], version: String, sourceID: UInt64) {
        self.regions = regions.sorted { $0.id < $1.id }
        self.version = version
        self.byID = Dictionary(regions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.enabledModules = regions.reduce(into: Set<ModuleID>()) { $0.formUnion($1.modules) }
        self.sourceID = sourceID
    }
}

/// FNV-1a (64 bits) over the region files' names and bytes: a version id, not a security measure.
struct RegionDigest {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        add(Data(text.utf8))
        add(Data([0]))
    }

    mutating func add(_ bytes: Data) {
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
    }

    var hex: String {
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
