public import Foundation
import Synchronization

/// Where the sandbox gateway keeps its open checkouts. In memory for one process (tests, an embedding program); in
/// the database for a server (`SQLSandboxCheckouts`), so that a hosted page opened through one node of a
/// deployment is found, paid and closed through any other.
public protocol SandboxCheckoutStore: Sendable {
    /// Stores `checkout` unless one exists for its order; returns the one stored (a retried create finds the first).
    func open(_ checkout: SandboxGateway.Checkout, at now: Date) async throws -> SandboxGateway.Checkout
    func checkout(_ id: String) async throws -> SandboxGateway.Checkout?
    /// Moves a checkout from `expected` to `next`; `false` when its state was no longer `expected` (another node's
    /// submit came first), so each checkout is paid once.
    func transition(_ id: String, from expected: SandboxGateway.State, to next: SandboxGateway.State) async throws
        -> Bool
}

/// Checkouts in this process's memory, the oldest forgotten past `capacity` (their pages then answer "unknown
/// checkout"): nothing it keeps grows without end, whoever starts payments.
public final class InMemorySandboxCheckouts: SandboxCheckoutStore {
    private struct State {
        var checkouts: [String: SandboxGateway.Checkout] = [:]
        var byOrder: [String: String] = [:]
        var opened: [String] = []
    }

    private let state = Mutex(State())
    let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// How many checkouts it remembers now.
    public var count: Int { state.withLock { $0.checkouts.count } }

    public func open(_ checkout: SandboxGateway.Checkout, at now: Date) -> SandboxGateway.Checkout {
        state.withLock { state in
            if let existing = state.byOrder[checkout.order.orderID], let found = state.checkouts[existing] {
                return found
            }
            state.checkouts[checkout.gatewayPaymentID] = checkout
            state.byOrder[checkout.order.orderID] = checkout.gatewayPaymentID
            state.opened.append(checkout.gatewayPaymentID)
            if state.opened.count > capacity {
                let forgotten = state.opened.prefix(state.opened.count - capacity)
                for old in forgotten {
                    if let order = state.checkouts.removeValue(forKey: old)?.order.orderID {
                        state.byOrder.removeValue(forKey: order)
                    }
                }
                state.opened.removeFirst(forgotten.count)
            }
            return checkout
        }
    }

    public func checkout(_ id: String) -> SandboxGateway.Checkout? {
        state.withLock { $0.checkouts[id] }
    }

    public func transition(_ id: String, from expected: SandboxGateway.State, to next: SandboxGateway.State) -> Bool {
        state.withLock { state in
            guard state.checkouts[id]?.state == expected else { return false }
            state.checkouts[id]?.state = next
            return true
        }
    }
}
