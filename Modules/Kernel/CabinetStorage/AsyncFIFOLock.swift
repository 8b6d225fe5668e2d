/// A lock for async code that hands itself to waiters in arrival order.
///
/// SQLite has one writer. Two transactions on one connection fail ("cannot start a transaction within a
/// transaction"), and an `actor` alone does not prevent it because actors re-enter at every `await`. Every write
/// transaction therefore runs inside this lock, and FIFO order keeps a busy writer fair.
final class AsyncFIFOLock: Sendable {
    private let state = LockState()

    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await state.acquire()
        do {
            let result = try await body()
            await state.release()
            return result
        } catch {
            await state.release()
            throw error
        }
    }

    /// Tasks waiting for the lock (for the pool-pressure metric).
    var waiting: Int {
        get async { await state.waiters.count }
    }

    private actor LockState {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []

        func acquire() async {
            guard held else {
                held = true
                return
            }
            await withCheckedContinuation { waiters.append($0) }
        }

        func release() {
            if waiters.isEmpty {
                held = false
            } else {
                // Ownership passes straight to the next waiter; `held` stays true.
                waiters.removeFirst().resume()
            }
        }
    }
}
