public import CabinetMessaging
public import Foundation

/// A message a module queued for sending, as a test reads it: from the outbox table under an SQL store, or from the
/// module's in-memory store, which keeps the messages it would have written to the outbox.
public struct QueuedMessage: Sendable, Hashable {
    /// Numbers messages in the order they were queued.
    public var id: Int64
    /// `sms` or `email`, as the outbox names channels.
    public var channel: String
    /// An E.164 number or an e-mail address.
    public var recipient: String
    /// The e-mail subject (empty when none was given); `nil` for an SMS.
    public var subject: String?
    public var body: String
    /// Why it was sent (`auth.otp`, `billing.lowBalance`, …).
    public var purpose: String
    public var createdAt: Date

    public init(
        id: Int64, channel: String, recipient: String, subject: String?, body: String, purpose: String, createdAt: Date
    ) {
        self.id = id
        self.channel = channel
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.purpose = purpose
        self.createdAt = createdAt
    }
}

extension QueuedMessage {
    /// A message as the outbox table holds it.
    public init(_ entry: OutboxEntry) {
        self.init(
            id: entry.id, channel: entry.channel, recipient: entry.recipient, subject: entry.subject, body: entry.body,
            purpose: entry.purpose, createdAt: entry.createdAt)
    }
}
