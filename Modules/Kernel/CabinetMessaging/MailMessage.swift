public import Foundation

/// An e-mail with optional attachments (call-detail statements as PDF and CSV).
public struct MailMessage: Sendable, Hashable {
    public var to: String
    public var subject: String
    public var textBody: String
    public var attachments: [MailAttachment]
    public var purpose: String
    public var dedupeKey: String?
    /// The body holds a one-time code: once a real mail server has it, the outbox keeps no readable copy.
    public var sensitive: Bool

    public init(
        to: String, subject: String, textBody: String, attachments: [MailAttachment] = [], purpose: String,
        dedupeKey: String? = nil, sensitive: Bool = false
    ) {
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.attachments = attachments
        self.purpose = purpose
        self.dedupeKey = dedupeKey
        self.sensitive = sensitive
    }
}

public struct MailAttachment: Sendable, Hashable {
    public var fileName: String
    public var contentType: String
    public var data: Data

    public init(fileName: String, contentType: String, data: Data) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
    }
}

/// Delivers e-mail: the dev sink writes `.eml` files, the SMTP adapter talks to a mail server.
public protocol MailSender: Sendable {
    /// Sends one message. Throwing schedules a retry.
    func send(_ mail: MailMessage, from sender: String) async throws
    /// `true` when a code's text must stay readable in the outbox after sending (the development sink).
    var keepsSensitiveText: Bool { get }
}

extension MailSender {
    public var keepsSensitiveText: Bool { false }
}
