/// One writer at a time, first come first served: the in-memory stores' stand-in for a database's write lock. A
/// transaction holds it from its first statement to its commit, so a write that comes meanwhile waits, as it would on
/// SQLite's single writer.
actor TransactionGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Waits until the gate is free and takes it.
    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Hands the gate to the next writer waiting, or frees it.
    func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
