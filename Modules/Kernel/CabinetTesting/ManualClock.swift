public import CabinetCore
public import Foundation
import Synchronization

/// A clock tests move by hand: OTP expiry, idle timeouts and monthly fees without waiting.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {
        current = Mutex(start)
    }

    /// Starts at an ISO 8601 instant such as `2026-11-22T09:00:00Z`.
    public convenience init(iso8601 text: String) {
        self.init(ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 1_795_000_000))
    }

    public var now: Date { current.withLock { $0 } }

    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        current.withLock { $0 = $0.addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18) }
    }

    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
