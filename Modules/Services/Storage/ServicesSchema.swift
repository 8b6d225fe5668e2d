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
            ])
    ]
}
