import CabinetCore
import CabinetStorage
public import Foundation
public import SQLKit

/// Writes messages into the outbox inside the caller's transaction, and lists them.
///
/// A message written here is sent if and only if the surrounding transaction commits: a one-time code is never
/// texted for a login that was rolled back, and a statement is never lost because the mail server was down.
public enum Outbox {
    /// Adds an SMS. Returns `false` when a message with the same dedupe key exists already.
    @discardableResult
    public static func enqueue(_ sms: OutgoingSMS, on db: any SQLDatabase, now: Date) async throws -> Bool {
        try await insert(
            channel: "sms", recipient: sms.to.e164, subject: nil, body: sms.text, purpose: sms.purpose,
            sensitive: sms.sensitive, dedupeKey: sms.dedupeKey, attachments: [], on: db, now: now)
    }

    /// Adds an e-mail with its attachments. Returns `false` when the dedupe key exists already.
    @discardableResult
    public static func enqueue(_ mail: MailMessage, on db: any SQLDatabase, now: Date) async throws -> Bool {
        try await insert(
            channel: "email", recipient: mail.to, subject: mail.subject, body: mail.textBody, purpose: mail.purpose,
            sensitive: mail.sensitive, dedupeKey: mail.dedupeKey, attachments: mail.attachments, on: db, now: now)
    }

    private static func insert(
        channel: String, recipient: String, subject: String?, body: String, purpose: String, sensitive: Bool,
        dedupeKey: String?, attachments: [MailAttachment], on db: any SQLDatabase, now: Date
    ) async throws -> Bool {
        let at = now.storageMilliseconds
        let row = try await db.raw(
            """
            INSERT INTO messaging_outbox
                (channel, recipient, subject, body, purpose, sensitive, dedupe_key, next_attempt_at, created_at)
            VALUES (\(bind: channel), \(bind: recipient), \(bind: subject), \(bind: body), \(bind: purpose),
                    \(bind: sensitive), \(bind: dedupeKey), \(bind: at), \(bind: at))
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING id
            """
        ).first()
        guard let row else { return false }
        let id = try row.decode(column: "id", as: Int64.self)
        for attachment in attachments {
            try await db.raw(
                """
                INSERT INTO messaging_outbox_attachment (outbox_id, file_name, content_type, data)
                VALUES (\(bind: id), \(bind: attachment.fileName), \(bind: attachment.contentType), \(bind: attachment.data))
                """
            ).run()
        }
        return true
    }

    /// Recent messages, newest first, optionally to one recipient (an E.164 number or an address).
    public static func recent(to recipient: String? = nil, limit: Int = 20, on db: any SQLDatabase) async throws
        -> [OutboxEntry]
    {
        let rows: [any SQLRow]
        if let recipient {
            rows = try await db.raw(
                """
                SELECT id, channel, recipient, subject, body, purpose, status, attempts, created_at, sent_at, last_error
                FROM messaging_outbox WHERE recipient = \(bind: recipient) ORDER BY id DESC LIMIT \(literal: limit)
                """
            ).all()
        } else {
            rows = try await db.raw(
                """
                SELECT id, channel, recipient, subject, body, purpose, status, attempts, created_at, sent_at, last_error
                FROM messaging_outbox ORDER BY id DESC LIMIT \(literal: limit)
                """
            ).all()
        }
        return try rows.map(OutboxEntry.init(row:))
    }
}

/// One message as the outbox holds it.
public struct OutboxEntry: Sendable, Hashable {
    public enum Status: String, Sendable { case pending, sent, failed }

    public var id: Int64
    public var channel: String
    public var recipient: String
    public var subject: String?
    public var body: String
    public var purpose: String
    public var status: Status
    public var attempts: Int
    public var createdAt: Date
    public var sentAt: Date?
    public var lastError: String?

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: Int64.self)
        channel = try row.decode(column: "channel", as: String.self)
        recipient = try row.decode(column: "recipient", as: String.self)
        subject = try row.decode(column: "subject", as: String?.self)
        body = try row.decode(column: "body", as: String.self)
        purpose = try row.decode(column: "purpose", as: String.self)
        status = Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending
        attempts = try row.decode(column: "attempts", as: Int.self)
        createdAt = Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self))
        sentAt = try row.decode(column: "sent_at", as: Int64?.self).map(Date.init(storageMilliseconds:))
        lastError = try row.decode(column: "last_error", as: String?.self)
    }
}
