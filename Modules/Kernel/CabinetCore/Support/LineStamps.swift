import Synchronization

/// What one request has seen of its lines' stamps: the version of a line's rows that every write to them raises, in
/// the writing transaction (on PostgreSQL, by triggers the storage layer installs).
///
/// Node-local caches of a line's rows keep the stamp they were read with. A request learns its session's lines' stamps
/// in the statement that reads its session; a cached row with the same stamp is the row as the database had it then,
/// whatever another node wrote before, so the request needs no further round trip for it. The authentication
/// middleware makes one per request (``current``); code outside a request has none and reads the database.
///
/// A request that writes (``forgetAll()``, called by the storage layer around every write transaction) stops
/// trusting the stamps it had seen, so it reads its own writes.
public final class LineStamps: Sendable {
    /// The stamps the running request has seen, if it runs under one.
    @TaskLocal public static var current: LineStamps?

    private struct State {
        var stamps: [SubscriberID: Int64] = [:]
        var spoiled = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Records a line's stamp as read in the same statement as the request's session.
    public func record(_ stamp: Int64, of line: SubscriberID) {
        state.withLock { state in
            guard !state.spoiled else { return }
            state.stamps[line] = stamp
        }
    }

    /// The line's stamp as the request saw it; `nil` when it did not, or wrote since.
    public func stamp(of line: SubscriberID) -> Int64? {
        state.withLock { $0.spoiled ? nil : $0.stamps[line] }
    }

    /// Called around the request's writes: from then on its reads go to the database.
    public func forgetAll() {
        state.withLock { state in
            state.spoiled = true
            state.stamps.removeAll()
        }
    }
}
