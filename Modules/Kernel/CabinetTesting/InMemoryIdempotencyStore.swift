public import CabinetCore
public import Foundation

/// ``IdempotencyStore`` in memory, for HTTP tests of modules without a database: the semantics of
/// `SQLIdempotencyStore` (first claim runs, a finished key replays, another body is a mismatch).
public actor InMemoryIdempotencyStore: IdempotencyStore {
    private struct Key: Hashable {
        let scope: String
        let key: String
    }

    private struct Row {
        let fingerprint: String
        var answer: IdempotentAnswer?
        let createdAt: Date
    }

    private var rows: [Key: Row] = [:]

    public init() {}

    public func claim(scope: String, key: String, fingerprint: String, at now: Date) async throws -> IdempotencyClaim {
        let id = Key(scope: scope, key: key)
        guard let row = rows[id] else {
            rows[id] = Row(fingerprint: fingerprint, answer: nil, createdAt: now)
            return .claimed
        }
        guard row.fingerprint == fingerprint else { return .mismatch }
        return row.answer.map { .replay($0) } ?? .inProgress
    }

    public func complete(scope: String, key: String, answer: IdempotentAnswer) async throws {
        rows[Key(scope: scope, key: key)]?.answer = answer
    }

    public func release(scope: String, key: String) async throws {
        let id = Key(scope: scope, key: key)
        if rows[id]?.answer == nil { rows[id] = nil }
    }

    public func purge(before cutoff: Date) async throws -> Int {
        let before = rows.count
        rows = rows.filter { $0.value.createdAt >= cutoff }
        return before - rows.count
    }
}
