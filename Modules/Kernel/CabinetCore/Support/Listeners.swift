import Synchronization

/// Listeners a module assembled later registers with a module assembled earlier, so that a module can tell others
/// about its events without knowing them: Subscribers tells about new lines (Billing opens their accounts), Billing
/// about changed balances (Payments checks auto-payment thresholds).
///
/// Registration happens while the composition root assembles the modules, before any request is served; the list
/// is read on every event.
public final class Listeners<Listener: Sendable>: Sendable {
    private let list: Mutex<[Listener]>

    public init(_ initial: [Listener] = []) {
        list = Mutex(initial)
    }

    public func add(_ listener: Listener) {
        list.withLock { $0.append(listener) }
    }

    /// The listeners registered so far, in the order they were added.
    public var all: [Listener] {
        list.withLock { $0 }
    }
}
