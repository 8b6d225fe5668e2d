/// Runs a body whose reads, through several modules' stores, share what one read costs: on SQLite one reader's thread
/// and connection, where each read alone pays two thread hand-offs. The network's call check makes six reads of four
/// modules for every call; grouped, they cost one hand-off there and one back.
///
/// Only a grouping; the reads still each see their own committed state, as separate reads do.
public protocol ReadGrouping: Sendable {
    func groupingReads<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T
}

/// No grouping: stores kept in memory, and where a grouping would buy nothing.
public struct UngroupedReads: ReadGrouping {
    public init() {}
    public func groupingReads<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await body()
    }
}
