import Synchronization

/// A read-through cache of rows a store alone writes, that cannot serve data older than the last write it knows of.
///
/// Used only when ``CabinetDatabase/cachesAllowed`` (an SQLite file this server process owns: every write goes through
/// this process's stores). A writer calls ``beginWrite()`` before its transaction and ``invalidate(_:)`` with the keys
/// it touched after it: a read that started before the write cannot put its older rows back (the version moved), and
/// no key the write changed outlives its commit. The caller of the write sees fresh data afterwards, always.
public final class ReadCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var values: [Key: Value] = [:]
        var version: UInt64 = 0
    }

    private let state = Mutex(State())
    private let capacity: Int

    public init(capacity: Int = 200_000) {
        self.capacity = capacity
    }

    /// The cached value, or the one `load` reads (stored unless a write began meanwhile).
    public func read(_ key: Key, load: () async throws -> Value?) async throws -> Value? {
        let (hit, version) = state.withLock { ($0.values[key], $0.version) }
        if let hit { return hit }
        guard let loaded = try await load() else { return nil }
        state.withLock { state in
            guard state.version == version else { return }
            if state.values.count >= capacity {
                // Dropping an arbitrary tenth keeps the cost bounded; hot keys come back on their next read.
                // (The keys are copied first: removing while iterating the dictionary's own view copies it whole.)
                for key in Array(state.values.keys.prefix(max(1, capacity / 10))) {
                    state.values.removeValue(forKey: key)
                }
            }
            state.values[key] = loaded
        }
        return loaded
    }

    /// Call before a write transaction: reads in flight will not store what they read.
    public func beginWrite() {
        state.withLock { $0.version &+= 1 }
    }

    /// Call after a write transaction (committed or not) with every key it may have changed.
    public func invalidate(_ keys: some Sequence<Key>) {
        state.withLock { state in
            state.version &+= 1
            for key in keys { state.values.removeValue(forKey: key) }
        }
    }

    public func invalidateAll() {
        state.withLock { state in
            state.version &+= 1
            state.values.removeAll(keepingCapacity: true)
        }
    }

    public var count: Int { state.withLock { $0.values.count } }
}

/// Keys a write transaction touched, collected inside its body (which may run more than once).
public final class TouchedKeys<Key: Hashable & Sendable>: Sendable {
    private let keys = Mutex<Set<Key>>([])
    public init() {}
    public func insert(_ key: Key) { keys.withLock { _ = $0.insert(key) } }
    public func insert(contentsOf more: some Sequence<Key>) { keys.withLock { $0.formUnion(more) } }
    public var all: Set<Key> { keys.withLock { $0 } }
}
