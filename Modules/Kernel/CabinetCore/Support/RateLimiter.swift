public import Foundation

/// A limit on how often one key (an address, a number) may do something: at most `limit` events per `window`.
public struct RateLimit: Sendable, Hashable {
    public var limit: Int
    public var window: TimeInterval

    public init(limit: Int, window: TimeInterval) {
        self.limit = max(1, limit)
        self.window = max(1, window)
    }

    public static func perHour(_ limit: Int) -> RateLimit { RateLimit(limit: limit, window: 3600) }
}

/// What counting one event found.
public enum RateDecision: Sendable, Hashable {
    case allowed
    /// Over the limit: come back after so many seconds (the end of the key's window).
    case refused(retryAfter: Int)
}

/// Counters of events per key in fixed windows, shared by every node of a deployment (they live in the database):
/// a limit kept in one process's memory would let a client that is balanced across nodes try N times as often.
public protocol RateLimiter: Sendable {
    /// Counts one event for `key` and says whether it is within `limit`. A refused event is counted too, so a client
    /// that keeps knocking stays refused until the window ends.
    func hit(_ key: String, limit: RateLimit, at now: Date) async throws -> RateDecision
    /// Forgets windows that ended before `cutoff`.
    func purge(before cutoff: Date) async throws -> Int
}

extension RateDecision {
    /// Throws ``KernelError/rateLimited``-style errors with `Retry-After` when refused.
    public func orThrow(_ code: ErrorCode) throws {
        if case .refused(let seconds) = self {
            throw CabinetError(code, arguments: ["seconds": String(seconds)], retryAfterSeconds: seconds)
        }
    }
}
