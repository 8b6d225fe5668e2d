public import CabinetStorage

/// Tables of Tariffs: which tariff each line has had, and since when.
public enum TariffsSchema: SchemaOwner {
    public static let migrations: [Migration] = [
        Migration(
            "tariffs-001-line-tariff",
            sql: [
                """
                CREATE TABLE tariffs_line_tariff (
                    id {{pk}},
                    subscriber_id BIGINT NOT NULL,
                    region TEXT NOT NULL,
                    tariff_id TEXT NOT NULL,
                    since_at BIGINT NOT NULL,
                    until_at BIGINT,
                    request_id BIGINT,
                    CHECK (until_at IS NULL OR until_at > since_at)
                )
                """,
                "CREATE UNIQUE INDEX tariffs_line_tariff_since ON tariffs_line_tariff (subscriber_id, since_at)",
            ])
    ]
}
