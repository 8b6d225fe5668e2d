public import CabinetCore
public import CabinetStorage
import Foundation
public import Logging
import SQLKit
public import ServiceLifecycle

/// Delivers outbox messages with retries and exponential backoff; a ServiceLifecycle service.
///
/// Each round claims due messages inside a write transaction (pushing their next attempt a lease ahead, with
/// `SKIP LOCKED` on PostgreSQL so several instances share the work), sends them outside it, then records the
/// outcome. A crash between sending and recording sends the message again after the lease: at least once.
public final class OutboxWorker: Service, Sendable {
    public struct Policy: Sendable {
        /// How often the worker looks for due messages when nobody wakes it.
        public var pollInterval: Duration
        /// After this many failed attempts a message is marked failed.
        public var maxAttempts: Int
        /// First retry delay; doubles per attempt up to ``maxBackoff``.
        public var baseBackoff: Duration
        public var maxBackoff: Duration
        /// How long a claimed message is hidden from other workers.
        public var lease: Duration
        public var batchSize: Int
        /// The `From:` of e-mails.
        public var mailFrom: String

        public init(
            pollInterval: Duration = .seconds(1), maxAttempts: Int = 10, baseBackoff: Duration = .seconds(5),
            maxBackoff: Duration = .seconds(3600), lease: Duration = .seconds(60), batchSize: Int = 50,
            mailFrom: String = "Cabinet <no-reply@cabinet.local>"
        ) {
            self.pollInterval = pollInterval
            self.maxAttempts = maxAttempts
            self.baseBackoff = baseBackoff
            self.maxBackoff = maxBackoff
            self.lease = lease
            self.batchSize = batchSize
            self.mailFrom = mailFrom
        }
    }

    private let database: CabinetDatabase
    private let sms: any SMSSender
    private let mail: any MailSender
    private let clock: any WallClock
    private let policy: Policy
    private let logger: Logger
    private let wakeup = Wakeup()

    public init(
        database: CabinetDatabase, sms: any SMSSender, mail: any MailSender, clock: any WallClock,
        policy: Policy = .init(),
        logger: Logger
    ) {
        self.database = database
        self.sms = sms
        self.mail = mail
        self.clock = clock
        self.policy = policy
        self.logger = logger
    }

    /// Asks the worker to look now (after a transaction that enqueued something committed).
    public func nudge() {
        Task { await wakeup.signal() }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    while try await self.deliverDue() == self.policy.batchSize {}
                } catch {
                    self.logger.error("outbox round failed", metadata: ["error": "\(error)"])
                }
                await self.wakeup.wait(timeout: self.policy.pollInterval)
            }
        }
    }

    /// One round: claims and sends what is due. Returns how many messages it handled.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let claimed = try await claim()
        for message in claimed {
            await deliver(message)
        }
        return claimed.count
    }

    private struct Claimed: Sendable {
        var id: Int64
        var channel: String
        var recipient: String
        var subject: String?
        var body: String
        var purpose: String
        var sensitive: Bool
        var attempts: Int
    }

    private func claim() async throws -> [Claimed] {
        let now = clock.now
        let leaseUntil = now.addingTimeInterval(policy.lease.seconds).storageMilliseconds
        let nowMs = now.storageMilliseconds
        let limit = policy.batchSize
        let backend = database.backend
        return try await database.write { db in
            let lock: SQLQueryString = backend == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let rows = try await db.raw(
                """
                SELECT id, channel, recipient, subject, body, purpose, sensitive, attempts FROM messaging_outbox
                WHERE status = 'pending' AND next_attempt_at <= \(bind: nowMs)
                ORDER BY next_attempt_at, id LIMIT \(literal: limit)\(lock)
                """
            ).all()
            var claimed: [Claimed] = []
            for row in rows {
                let message = Claimed(
                    id: try row.decode(column: "id", as: Int64.self),
                    channel: try row.decode(column: "channel", as: String.self),
                    recipient: try row.decode(column: "recipient", as: String.self),
                    subject: try row.decode(column: "subject", as: String?.self),
                    body: try row.decode(column: "body", as: String.self),
                    purpose: try row.decode(column: "purpose", as: String.self),
                    sensitive: try row.decode(column: "sensitive", as: Bool.self),
                    attempts: try row.decode(column: "attempts", as: Int.self) + 1)
                try await db.raw(
                    """
                    UPDATE messaging_outbox SET attempts = \(bind: message.attempts), next_attempt_at = \(bind: leaseUntil)
                    WHERE id = \(bind: message.id)
                    """
                ).run()
                claimed.append(message)
            }
            return claimed
        }
    }

    private func deliver(_ message: Claimed) async {
        do {
            var gatewayID: String?
            switch message.channel {
            case "sms":
                guard let to = MSISDN(e164: message.recipient) else {
                    throw CabinetError.internal("outbox recipient \(message.recipient) is not a mobile number")
                }
                gatewayID = try await sms.send(
                    OutgoingSMS(
                        to: to, text: message.body, purpose: message.purpose,
                        sensitive: message.sensitive))
            default:
                let attachments = try await loadAttachments(of: message.id)
                try await mail.send(
                    MailMessage(
                        to: message.recipient, subject: message.subject ?? "", textBody: message.body,
                        attachments: attachments, purpose: message.purpose),
                    from: policy.mailFrom)
            }
            try await markSent(message, gatewayID: gatewayID)
        } catch {
            logger.warning(
                "message delivery failed",
                metadata: [
                    "cabinet.outbox.id": "\(message.id)", "cabinet.outbox.attempt": "\(message.attempts)",
                    "error": "\(error)",
                ])
            do {
                try await markFailedAttempt(message, error: error)
            } catch {
                logger.error("recording a failed delivery failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func loadAttachments(of id: Int64) async throws -> [MailAttachment] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT file_name, content_type, data FROM messaging_outbox_attachment WHERE outbox_id = \(bind: id) ORDER BY id
                """
            ).all().map { row in
                MailAttachment(
                    fileName: try row.decode(column: "file_name", as: String.self),
                    contentType: try row.decode(column: "content_type", as: String.self),
                    data: try row.decode(column: "data", as: Data.self))
            }
        }
    }

    private func markSent(_ message: Claimed, gatewayID: String?) async throws {
        let now = clock.now.storageMilliseconds
        // A one-time code must not stay readable in the database once a real gateway or mail server has it.
        let redact = message.sensitive && !(message.channel == "sms" ? sms.keepsSensitiveText : mail.keepsSensitiveText)
        try await database.write { db in
            if redact {
                try await db.raw(
                    """
                    UPDATE messaging_outbox SET status = 'sent', sent_at = \(bind: now), gateway_id = \(bind: gatewayID),
                        body = '[redacted]', last_error = NULL WHERE id = \(bind: message.id)
                    """
                ).run()
            } else {
                try await db.raw(
                    """
                    UPDATE messaging_outbox SET status = 'sent', sent_at = \(bind: now), gateway_id = \(bind: gatewayID),
                        last_error = NULL WHERE id = \(bind: message.id)
                    """
                ).run()
            }
        }
    }

    private func markFailedAttempt(_ message: Claimed, error: any Error) async throws {
        let now = clock.now
        let giveUp = message.attempts >= policy.maxAttempts
        let backoff = min(policy.baseBackoff.seconds * pow(2, Double(message.attempts - 1)), policy.maxBackoff.seconds)
        let next = now.addingTimeInterval(backoff * Double.random(in: 0.8...1.2)).storageMilliseconds
        let status = giveUp ? "failed" : "pending"
        let text = String("\(error)".prefix(500))
        try await database.write { db in
            try await db.raw(
                """
                UPDATE messaging_outbox SET status = \(bind: status), next_attempt_at = \(bind: next),
                    last_error = \(bind: text) WHERE id = \(bind: message.id)
                """
            ).run()
        }
        if giveUp {
            logger.error("message given up", metadata: ["cabinet.outbox.id": "\(message.id)", "error": "\(text)"])
        }
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number (for `Date` arithmetic only, never for money).
    var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Lets a sleeping loop be woken early.
actor Wakeup {
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?

    func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    func wait(timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self.signal()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { waiter = $0 }
        } onCancel: {
            Task { await self.signal() }
        }
        pending = false
        timer.cancel()
    }
}
