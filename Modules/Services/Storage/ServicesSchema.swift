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
    ]
}
