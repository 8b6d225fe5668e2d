public import CabinetStorage

/// Tables of the outbox: messages written in the same transaction as the change that causes them.
public enum MessagingSchema: SchemaOwner {
    public static let migrations: [Migration] = [
        Migration(
            "messaging-001-outbox",
            sql: [
                """
                CREATE TABLE messaging_outbox (
                    id {{pk}},
                    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
                    recipient TEXT NOT NULL,
                    subject TEXT,
                    body TEXT NOT NULL,
                    purpose TEXT NOT NULL,
                    sensitive BOOLEAN NOT NULL DEFAULT FALSE,
                    dedupe_key TEXT UNIQUE,
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    sent_at BIGINT,
                    gateway_id TEXT,
                    last_error TEXT
                )
                """,
                "CREATE INDEX messaging_outbox_due ON messaging_outbox (status, next_attempt_at)",
                "CREATE INDEX messaging_outbox_recipient ON messaging_outbox (recipient, created_at)",
                """
                CREATE TABLE messaging_outbox_attachment (
                    id {{pk}},
                    outbox_id BIGINT NOT NULL REFERENCES messaging_outbox (id),
                    file_name TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    data {{blob}} NOT NULL
                )
                """,
                "CREATE INDEX messaging_outbox_attachment_message ON messaging_outbox_attachment (outbox_id)",
            ])
    ]
}
