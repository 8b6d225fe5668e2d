public import CabinetCore
import Synchronization

/// ``ConfirmedEmails`` for module tests without Auth: every address counts as confirmed unless the test says which
/// ones do (``only(_:)``).
public final class TestConfirmedEmails: ConfirmedEmails {
    private let confirmed = Mutex<[SubscriberID: String]?>(nil)

    public init() {}

    /// From now on only these addresses are confirmed (nil: none of that line).
    public func only(_ addresses: [SubscriberID: String]) {
        confirmed.withLock { $0 = addresses }
    }

    public func isConfirmed(email: String, of line: SubscriberID) async throws -> Bool {
        confirmed.withLock { list in
            guard let list else { return true }
            return list[line]?.lowercased() == email.lowercased()
        }
    }
}
