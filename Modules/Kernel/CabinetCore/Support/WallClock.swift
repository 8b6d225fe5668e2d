public import Foundation

/// Where "now" comes from. Inject it; never call `Date()` in business code, so tests can move time.
public protocol WallClock: Sendable {
    /// The current instant.
    var now: Date { get }
}

/// The real clock of the machine.
public struct SystemClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}
