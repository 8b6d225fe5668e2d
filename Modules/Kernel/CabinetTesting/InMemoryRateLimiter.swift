public import CabinetCore
public import Foundation
import Synchronization

/// ``RateLimiter`` in memory, for domain tests on the in-memory stores: the same fixed windows as `SQLRateLimiter`.
public final class InMemoryRateLimiter: RateLimiter {
    private struct Window {
        var end: Date
        var count: Int
    }

    private let windows = Mutex<[String: Window]>([:])

    public init() {}

    public func hit(_ key: String, limit: RateLimit, at now: Date) async throws -> RateDecision {
        let window = windows.withLock { windows -> Window in
            var window = windows[key] ?? Window(end: now.addingTimeInterval(limit.window), count: 0)
            if window.end <= now { window = Window(end: now.addingTimeInterval(limit.window), count: 0) }
            window.count += 1
            windows[key] = window
            return window
        }
        guard window.count > limit.limit else { return .allowed }
        return .refused(retryAfter: max(1, Int(window.end.timeIntervalSince(now).rounded(.up))))
    }

    public func purge(before cutoff: Date) async throws -> Int {
        windows.withLock { windows in
            let before = windows.count
            windows = windows.filter { $0.value.end >= cutoff }
            return before - windows.count
        }
    }
}
