public import CabinetCore
import Synchronization

/// A node-local cache of one line's rows on a database other nodes write too (PostgreSQL): an entry answers a request
/// only when it was read with the line stamp the request saw with its session (``LineStamps``). Every committed write to
/// the rows gives the line a new random stamp (``LineStampSchema``), so an equal stamp means equal rows; no write needs
/// to tell the cache anything, whichever node made it.
///
/// A read without a request's stamp for the line (a request that wrote, a line its session does not name) goes to the
/// database, and what it read is kept for the next request; a read outside any request (a job, a command) keeps
/// nothing, so jobs that walk every line do not push out the lines people are looking at.
public final class LineStampedCache<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var stamp: Int64
    }

    private let entries = Mutex<[SubscriberID: Entry]>([:])
    private let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The cached rows when their stamp is the one the request saw, otherwise what `load` reads with the line's stamp
    /// in the same statement (``LineStampSchema/column(_:)``).
    public func read(_ line: SubscriberID, load: () async throws -> (value: Value, stamp: Int64)?) async throws
        -> Value?
    {
        let request = LineStamps.current
        if let seen = request?.stamp(of: line),
            let entry = entries.withLock({ $0[line] }), entry.stamp == seen
        {
            return entry.value
        }
        guard let (value, stamp) = try await load() else { return nil }
        guard request != nil else { return value }
        entries.withLock { entries in
            // Of two reads racing the later one stays: either pair of rows and stamp is true to its stamp.
            if entries.count >= capacity, entries[line] == nil {
                // Dropping an arbitrary tenth keeps the cost bounded; hot lines come back on their next read.
                for key in Array(entries.keys.prefix(max(1, capacity / 10))) { entries.removeValue(forKey: key) }
            }
            entries[line] = Entry(value: value, stamp: stamp)
        }
        return value
    }

    public var count: Int { entries.withLock { $0.count } }
}
