public import CabinetCore

/// A text message to send to a subscriber's phone.
public struct OutgoingSMS: Sendable, Hashable {
    public var to: MSISDN
    public var text: String
    /// Why it is sent (`auth.otp`, `billing.lowBalance`): for logs, metrics and the outbox listing.
    public var purpose: String
    /// Carries a secret (a one-time code). After a real gateway accepts it, the outbox keeps `[redacted]`.
    public var sensitive: Bool
    /// Notifications sent "once per period" carry a key; a second message with the same key is dropped.
    public var dedupeKey: String?

    public init(to: MSISDN, text: String, purpose: String, sensitive: Bool = false, dedupeKey: String? = nil) {
        self.to = to
        self.text = text
        self.purpose = purpose
        self.sensitive = sensitive
        self.dedupeKey = dedupeKey
    }
}

/// Delivers text messages: the dev sink writes them to the log, the SMPP adapter to an SMS centre.
public protocol SMSSender: Sendable {
    /// Sends one message; returns the gateway's message id when it gives one. Throwing schedules a retry.
    func send(_ sms: OutgoingSMS) async throws -> String?
    /// `true` when the text must stay readable in the outbox after sending (the dev sink: people and scripts
    /// read one-time codes with `cabinet outbox`).
    var keepsSensitiveText: Bool { get }
}

extension SMSSender {
    public var keepsSensitiveText: Bool { false }
}
