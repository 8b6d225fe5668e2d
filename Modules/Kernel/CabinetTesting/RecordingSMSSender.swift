public import CabinetMessaging
import Synchronization

/// An SMS sender that keeps what it was asked to send; can be told to fail.
public final class RecordingSMSSender: SMSSender {
    private let state = Mutex<(sent: [OutgoingSMS], failuresLeft: Int)>(([], 0))

    public init() {}

    public var sent: [OutgoingSMS] { state.withLock { $0.sent } }

    /// The next `count` sends throw.
    public func failNext(_ count: Int) {
        state.withLock { $0.failuresLeft = count }
    }

    public var keepsSensitiveText: Bool { false }

    public func send(_ sms: OutgoingSMS) async throws -> String? {
        try state.withLock { state in
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw RecordingSenderError.injectedFailure
            }
            state.sent.append(sms)
            return "test-\(state.sent.count)"
        }
    }
}

/// A mail sender that keeps what it was asked to send.
public final class RecordingMailSender: MailSender {
    private let state = Mutex<[MailMessage]>([])

    public init() {}

    public var sent: [MailMessage] { state.withLock { $0 } }

    public func send(_ mail: MailMessage, from sender: String) async throws {
        state.withLock { $0.append(mail) }
    }
}

public enum RecordingSenderError: Error { case injectedFailure }
