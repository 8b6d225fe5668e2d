import Synchronization

/// At most so many password and PUK checks at once in this process. Each is a bcrypt that takes a core for tens of
/// milliseconds: a burst of guesses must be refused before hashing, not queue up and starve every other request.
final class HashGate: Sendable {
    private let running = Mutex(0)
    let limit: Int

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Runs `body` when a place is free; otherwise refuses at once with `auth.password.busy` (429, retry in a second).
    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let entered = running.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard entered else { throw AuthError.tooMany(AuthError.passwordBusy, retryAfter: 1) }
        defer { running.withLock { $0 -= 1 } }
        return try await body()
    }
}
