public import CabinetStorage

/// Tables of the line registry.
public enum SubscribersSchema: SchemaOwner {
    public static let migrations: [Migration] = [
        Migration(
            "subscribers-001-lines",
            sql: [
                """
                CREATE TABLE subscribers_line (
                    id {{pk}},
                    msisdn TEXT NOT NULL UNIQUE,
                    region TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('active', 'blocked', 'suspended', 'terminated')),
                    activated_on TEXT NOT NULL,
                    full_name TEXT,
                    email TEXT,
                    contact_number TEXT,
                    postal_address TEXT,
                    company_id TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX subscribers_line_region ON subscribers_line (region, msisdn)",
                "CREATE INDEX subscribers_line_company ON subscribers_line (company_id)",
            ]),
        // A company's admins page through its lines by number (Corporate's «Абоненты»).
        Migration(
            "subscribers-002-company-lines",
            sql: [
                "CREATE INDEX subscribers_line_company_msisdn ON subscribers_line (company_id, msisdn)",
                "DROP INDEX subscribers_line_company",
            ]),
        // Since when a line is its company's, so a company's report leaves out what it spent before; lines linked
        // before this was kept count from their creation, the best there is.
        Migration(
            "subscribers-003-company-since",
            sql: [
                "ALTER TABLE subscribers_line ADD COLUMN company_since BIGINT",
                "UPDATE subscribers_line SET company_since = created_at WHERE company_id IS NOT NULL",
            ]),
        // Every write to a line raises its stamp (PostgreSQL), so nodes may keep lines they read (LineStampedCache).
        LineStampSchema.migration("subscribers-004-line-stamps", stamping: [("subscribers_line", "id")]),
    ]
}
