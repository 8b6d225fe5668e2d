import CabinetCore
public import Logging

/// The development SMS sink: every message becomes a log line, and the outbox keeps its text so
/// `cabinet outbox` shows one-time codes.
public struct LogSMSSender: SMSSender {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public var keepsSensitiveText: Bool { true }

    public func send(_ sms: OutgoingSMS) async throws -> String? {
        logger.notice(
            "SMS to \(sms.to.e164): \(sms.text)",
            metadata: ["cabinet.sms.to": "\(sms.to.e164)", "cabinet.sms.purpose": "\(sms.purpose)"])
        return nil
    }
}
