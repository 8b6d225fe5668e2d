import CabinetCore
public import CabinetStorage
import SQLKit

/// Support's tables. A ticket's id is its request record's id (`cabinet_request`), so its number is the one the
/// request history shows. Attachments are stored in the database, so every server of a deployment serves them.
public enum SupportSchema: SchemaOwner {
    public static let migrations: [Migration] = [
        Migration(
            "support-001-tickets",
            sql: [
                """
                CREATE TABLE support_ticket (
                    id BIGINT PRIMARY KEY,
                    subscriber_id BIGINT NOT NULL,
                    msisdn TEXT NOT NULL,
                    region TEXT NOT NULL,
                    category TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('question', 'compensation')),
                    subject TEXT NOT NULL,
                    status TEXT NOT NULL
                        CHECK (status IN ('new', 'inProgress', 'waitingForCustomer', 'resolved', 'closed')),
                    notify TEXT NOT NULL CHECK (notify IN ('sms', 'email', 'none')),
                    language TEXT NOT NULL,
                    assigned_agent BIGINT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    first_response_due BIGINT NOT NULL,
                    first_responded_at BIGINT,
                    resolved_at BIGINT,
                    closed_at BIGINT,
                    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
                    rating_comment TEXT,
                    movement_entry_id BIGINT,
                    disputed_amount BIGINT,
                    currency TEXT,
                    decision TEXT CHECK (decision IN ('approved', 'rejected')),
                    decided_amount BIGINT,
                    decision_reason TEXT,
                    decided_by BIGINT
                )
                """,
                "CREATE INDEX support_ticket_subscriber ON support_ticket (subscriber_id, id)",
                "CREATE INDEX support_ticket_queue ON support_ticket (region, status, first_response_due)",
                // One dispute per movement that is open or was approved, however many times it is sent: a movement is
                // compensated once; a refused dispute frees it for another.
                """
                CREATE UNIQUE INDEX support_ticket_dispute ON support_ticket (movement_entry_id)
                WHERE movement_entry_id IS NOT NULL AND (decision IS NULL OR decision = 'approved')
                """,
                """
                CREATE TABLE support_message (
                    id {{pk}},
                    ticket_id BIGINT NOT NULL,
                    author TEXT NOT NULL CHECK (author IN ('subscriber', 'agent', 'system')),
                    agent_id BIGINT,
                    agent_name TEXT,
                    internal INTEGER NOT NULL,
                    body TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX support_message_ticket ON support_message (ticket_id, id)",
                """
                CREATE TABLE support_attachment (
                    id {{pk}},
                    ticket_id BIGINT NOT NULL,
                    message_id BIGINT NOT NULL,
                    file_name TEXT NOT NULL,
                    type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    data {{blob}} NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX support_attachment_ticket ON support_attachment (ticket_id, message_id)",
            ]),
        Migration(
            "support-002-agents",
            sql: [
                """
                CREATE TABLE support_agent (
                    id {{pk}},
                    login TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor')),
                    regions TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    totp_secret TEXT NOT NULL,
                    enrolled INTEGER NOT NULL DEFAULT 0,
                    password_set INTEGER NOT NULL DEFAULT 0,
                    disabled INTEGER NOT NULL DEFAULT 0,
                    failures INTEGER NOT NULL DEFAULT 0,
                    locked_until BIGINT,
                    last_step BIGINT NOT NULL DEFAULT 0,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE support_agent_session (
                    token_hash TEXT PRIMARY KEY,
                    agent_id BIGINT NOT NULL,
                    csrf TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX support_agent_session_agent ON support_agent_session (agent_id)",
                """
                CREATE TABLE support_agent_journal (
                    id {{pk}},
                    agent_id BIGINT NOT NULL,
                    at BIGINT NOT NULL,
                    action TEXT NOT NULL,
                    ticket_id BIGINT,
                    subscriber_id BIGINT,
                    detail TEXT
                )
                """,
                "CREATE INDEX support_agent_journal_ticket ON support_agent_journal (ticket_id, id)",
                "CREATE INDEX support_agent_journal_agent ON support_agent_journal (agent_id, id)",
            ]),
        // The FAQ index: FTS5 on SQLite; on PostgreSQL a tsvector per article in its language's configuration
        // (russian, english) with a GIN index. Rebuilt from the FAQ files at every start.
        Migration("support-003-faq") { db, backend in
            switch backend {
            case .sqlite:
                try await db.raw(
                    """
                    CREATE VIRTUAL TABLE support_faq USING fts5(
                        article_id UNINDEXED, region UNINDEXED, language UNINDEXED, title, body,
                        tokenize = 'unicode61 remove_diacritics 2')
                    """
                ).run()
            case .postgres:
                try await db.raw(
                    """
                    CREATE TABLE support_faq (
                        article_id TEXT NOT NULL,
                        region TEXT NOT NULL,
                        language TEXT NOT NULL,
                        title TEXT NOT NULL,
                        body TEXT NOT NULL,
                        document tsvector NOT NULL,
                        PRIMARY KEY (article_id, region, language)
                    )
                    """
                ).run()
                try await db.raw("CREATE INDEX support_faq_document ON support_faq USING GIN (document)").run()
            }
        },
    ]
}
