public import CabinetStorage

/// Services' tables: the options connected to lines.
public enum ServicesSchema {
    public static let migrations: [Migration] = [
        Migration(
            "services-001-line-options",
            sql: [
                """
                CREATE TABLE services_line_option (
                    subscriber_id BIGINT NOT NULL,
                    option_id TEXT NOT NULL,
                    connected_at BIGINT NOT NULL,
                    request_id BIGINT,
                    PRIMARY KEY (subscriber_id, option_id)
                )
                """
            ]),
        Migration(
            "services-002-black-list",
            sql: [
                """
                CREATE TABLE services_blacklist (
                    subscriber_id BIGINT PRIMARY KEY,
                    active INTEGER NOT NULL CHECK (active IN (0, 1)),
                    changed_at BIGINT NOT NULL,
                    keep_until BIGINT
                )
                """,
                """
                CREATE TABLE services_blacklist_entry (
                    subscriber_id BIGINT NOT NULL,
                    number TEXT NOT NULL,
                    label TEXT,
                    added_at BIGINT NOT NULL,
                    PRIMARY KEY (subscriber_id, number)
                )
                """,
                """
                CREATE TABLE services_blocked_call (
                    event_id TEXT PRIMARY KEY,
                    subscriber_id BIGINT NOT NULL,
                    caller TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX services_blocked_call_line ON services_blocked_call (subscriber_id, at)",
            ]),
        // Holiday suspensions: planned, running, ended or cancelled. At most one planned or running per line (a partial
        // unique index); the job moves each from one state to the next with a conditional update, so two servers
        // start or end it once.
        Migration(
            "services-003-suspension",
            sql: [
                """
                CREATE TABLE services_suspension (
                    id {{pk}},
                    subscriber_id BIGINT NOT NULL,
                    region TEXT NOT NULL,
                    starts_at BIGINT NOT NULL,
                    ends_at BIGINT NOT NULL,
                    first_day TEXT NOT NULL,
                    resume_day TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('scheduled', 'active', 'ended', 'cancelled')),
                    request_id BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    ended_at BIGINT
                )
                """,
                "CREATE INDEX services_suspension_line ON services_suspension (subscriber_id, id)",
                "CREATE INDEX services_suspension_due ON services_suspension (status, starts_at)",
                """
                CREATE UNIQUE INDEX services_suspension_open ON services_suspension (subscriber_id)
                WHERE status IN ('scheduled', 'active')
                """,
            ]),
    ]
}
