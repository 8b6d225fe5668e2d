public import CabinetStorage
import SQLKit

/// Billing's tables. Ledger rows are append-only (triggers refuse UPDATE and DELETE on both engines); on PostgreSQL a
/// deferred constraint trigger also refuses, at commit, a ledger transaction whose entries do not sum to zero, and
/// entries may join only a ledger transaction of the same commit.
public enum BillingSchema: SchemaOwner {
    public static let migrations: [Migration] = [
        Migration(
            "billing-001-ledger",
            sql: [
                """
                CREATE TABLE billing_account (
                    id {{pk}},
                    code TEXT NOT NULL UNIQUE,
                    subscriber_id BIGINT UNIQUE,
                    msisdn TEXT UNIQUE,
                    region TEXT,
                    currency TEXT NOT NULL,
                    balance BIGINT NOT NULL DEFAULT 0,
                    restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
                    tariff_id TEXT,
                    next_tariff_id TEXT,
                    period_start_at BIGINT,
                    period_end_at BIGINT,
                    created_at BIGINT NOT NULL,
                    CHECK ((subscriber_id IS NULL) = (msisdn IS NULL)),
                    CHECK (subscriber_id IS NULL OR (tariff_id IS NOT NULL AND period_end_at > period_start_at))
                )
                """,
                "CREATE INDEX billing_account_due ON billing_account (period_end_at)",
                """
                CREATE TABLE billing_transaction (
                    id {{pk}},
                    external_id TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    explanation TEXT NOT NULL,
                    arguments TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE billing_entry (
                    id {{pk}},
                    transaction_id BIGINT NOT NULL REFERENCES billing_transaction (id),
                    account_id BIGINT NOT NULL REFERENCES billing_account (id),
                    amount BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    balance_after BIGINT,
                    at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX billing_entry_account ON billing_entry (account_id, id)",
                "CREATE INDEX billing_entry_transaction ON billing_entry (transaction_id)",
            ]),
        Migration("billing-002-ledger-guards") { db, backend in
            switch backend {
            case .sqlite:
                for table in ["billing_transaction", "billing_entry"] {
                    for action in ["UPDATE", "DELETE"] {
                        try await db.raw(
                            SQLQueryString(
                                """
                                CREATE TRIGGER \(unsafeRaw: table)_no_\(unsafeRaw: action.lowercased()) BEFORE \(unsafeRaw: action) ON \(unsafeRaw: table)
                                BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END
                                """)
                        ).run()
                    }
                }
            case .postgres:
                try await db.raw(
                    """
                    CREATE FUNCTION billing_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'ledger rows are append-only' USING ERRCODE = '23514'; END $$
                    """
                ).run()
                for table in ["billing_transaction", "billing_entry"] {
                    try await db.raw(
                        SQLQueryString(
                            """
                            CREATE TRIGGER \(unsafeRaw: table)_append_only BEFORE UPDATE OR DELETE ON \(unsafeRaw: table)
                            FOR EACH ROW EXECUTE FUNCTION billing_append_only()
                            """)
                    ).run()
                }
                // Checked once per ledger transaction, at commit (a trigger per entry would sum the whole transaction
                // for each of its entries: quadratic for a rating batch with a thousand of them).
                try await db.raw(
                    """
                    CREATE FUNCTION billing_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF (SELECT COALESCE(SUM(amount), 0) FROM billing_entry WHERE transaction_id = NEW.id) <> 0
                           OR (SELECT COUNT(*) FROM billing_entry WHERE transaction_id = NEW.id) < 2 THEN
                            RAISE EXCEPTION 'ledger transaction % does not sum to zero', NEW.id USING ERRCODE = '23514';
                        END IF;
                        RETURN NULL;
                    END $$
                    """
                ).run()
                try await db.raw(
                    """
                    CREATE CONSTRAINT TRIGGER billing_transaction_balanced AFTER INSERT ON billing_transaction
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION billing_balanced()
                    """
                ).run()
                // An entry joins only a transaction created by the same database transaction, so the check above has
                // seen every entry a ledger transaction will ever have.
                try await db.raw(
                    """
                    CREATE FUNCTION billing_entry_same_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NOT EXISTS (SELECT 1 FROM billing_transaction
                                       WHERE id = NEW.transaction_id AND xmin = pg_current_xact_id()::xid) THEN
                            RAISE EXCEPTION 'entries join only a ledger transaction written in the same commit'
                                USING ERRCODE = '23514';
                        END IF;
                        RETURN NEW;
                    END $$
                    """
                ).run()
                try await db.raw(
                    """
                    CREATE TRIGGER billing_entry_same_transaction BEFORE INSERT ON billing_entry
                    FOR EACH ROW EXECUTE FUNCTION billing_entry_same_transaction()
                    """
                ).run()
            }
        },
        Migration(
            "billing-003-periods-usage",
            sql: [
                """
                CREATE TABLE billing_period (
                    id {{pk}},
                    subscriber_id BIGINT NOT NULL,
                    tariff_id TEXT NOT NULL,
                    start_at BIGINT NOT NULL,
                    end_at BIGINT NOT NULL,
                    fee BIGINT NOT NULL,
                    transaction_id BIGINT REFERENCES billing_transaction (id),
                    CHECK (end_at > start_at),
                    UNIQUE (subscriber_id, start_at)
                )
                """,
                """
                CREATE TABLE billing_bucket (
                    id {{pk}},
                    subscriber_id BIGINT NOT NULL,
                    period_id BIGINT NOT NULL REFERENCES billing_period (id),
                    unit TEXT NOT NULL CHECK (unit IN ('seconds', 'sms', 'kilobytes')),
                    source TEXT NOT NULL CHECK (source IN ('package', 'rollover')),
                    total BIGINT NOT NULL CHECK (total >= 0),
                    remaining BIGINT NOT NULL CHECK (remaining >= 0 AND remaining <= total),
                    valid_from BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    carried_from_start BIGINT,
                    carried_from_end BIGINT,
                    CHECK (expires_at >= valid_from)
                )
                """,
                "CREATE INDEX billing_bucket_line ON billing_bucket (subscriber_id, expires_at)",
                """
                CREATE TABLE billing_usage (
                    event_id TEXT NOT NULL PRIMARY KEY,
                    subscriber_id BIGINT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('call', 'sms', 'data')),
                    call_kind TEXT,
                    occurred_at BIGINT NOT NULL,
                    quantity BIGINT NOT NULL CHECK (quantity >= 0),
                    units BIGINT NOT NULL,
                    from_package BIGINT NOT NULL,
                    charged BIGINT NOT NULL CHECK (charged >= 0),
                    currency TEXT NOT NULL,
                    other_party TEXT,
                    transaction_id BIGINT,
                    rated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX billing_usage_line ON billing_usage (subscriber_id, occurred_at, event_id)",
                """
                CREATE TABLE billing_notice (
                    subscriber_id BIGINT NOT NULL,
                    period_start BIGINT NOT NULL,
                    kind TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    PRIMARY KEY (subscriber_id, period_start, kind)
                )
                """,
            ]),
        Migration(
            "billing-004-statements",
            sql: [
                """
                CREATE TABLE billing_statement (
                    id {{pk}},
                    request_id BIGINT NOT NULL,
                    subscriber_id BIGINT NOT NULL,
                    from_date TEXT NOT NULL,
                    to_date TEXT NOT NULL,
                    email TEXT NOT NULL,
                    language TEXT NOT NULL,
                    price BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    lease_until BIGINT NOT NULL DEFAULT 0,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    failure TEXT
                )
                """,
                "CREATE INDEX billing_statement_pending ON billing_statement (status, lease_until)",
            ]),
        // Fees other modules charge every period (connected options), charged by the fee run at each period's start.
        Migration(
            "billing-005-recurring",
            sql: [
                """
                CREATE TABLE billing_recurring (
                    key TEXT PRIMARY KEY,
                    subscriber_id BIGINT NOT NULL,
                    region TEXT NOT NULL,
                    amount BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    period TEXT NOT NULL CHECK (period IN ('day', 'month')),
                    kind TEXT NOT NULL,
                    explanation TEXT NOT NULL,
                    arguments TEXT NOT NULL,
                    next_at BIGINT NOT NULL,
                    started_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX billing_recurring_due ON billing_recurring (next_at)",
                "CREATE INDEX billing_recurring_line ON billing_recurring (subscriber_id)",
            ]),
        // A fee charged while the line is blocked or suspended (a lost SIM's block after its free days, a holiday
        // suspension); every other recurring fee waits while the line is so. A charge may end by itself (a suspension
        // charges up to its last day, however late the job that resumes the line comes).
        Migration(
            "billing-006-recurring-while-inactive",
            sql: [
                "ALTER TABLE billing_recurring ADD COLUMN while_inactive INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE billing_recurring ADD COLUMN ends_at BIGINT",
            ]),
        // Gigabytes given to another line: the recipient's bucket remembers the giver (it never rolls over), and each
        // share is a row the limits count.
        Migration(
            "billing-007-data-shares",
            sql: [
                "ALTER TABLE billing_bucket ADD COLUMN shared_from BIGINT",
                """
                CREATE TABLE billing_share (
                    id {{pk}},
                    from_subscriber BIGINT NOT NULL,
                    from_msisdn TEXT NOT NULL,
                    to_subscriber BIGINT NOT NULL,
                    to_msisdn TEXT NOT NULL,
                    kilobytes BIGINT NOT NULL CHECK (kilobytes > 0),
                    fee BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    request_id BIGINT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX billing_share_from ON billing_share (from_subscriber, created_at)",
                "CREATE INDEX billing_share_to ON billing_share (to_subscriber, created_at)",
            ]),
        // Spending of many lines over a month (a company's «Абоненты», expense report and quotas) read from indexes
        // alone: usage charged by line and day (19 → 7 ms for a page of 50 lines with 300 events each), and a line's
        // entries by time rather than its whole history.
        Migration(
            "billing-008-spending-indexes",
            sql: [
                "CREATE INDEX billing_usage_spending ON billing_usage (subscriber_id, occurred_at, kind, charged)",
                "CREATE INDEX billing_entry_account_at ON billing_entry (account_id, at)",
            ]),
        // Companies that pay for their lines: the company's account is a billing_account without a line (code
        // `company:<id>`, its name in `holder`); a line's monthly cover limit and what the company covered so far this
        // month (reset lazily when the month changes).
        Migration(
            "billing-009-company-accounts",
            sql: [
                "ALTER TABLE billing_account ADD COLUMN holder TEXT",
                """
                CREATE TABLE billing_cover (
                    subscriber_id BIGINT PRIMARY KEY,
                    cover_limit BIGINT NOT NULL CHECK (cover_limit >= 0),
                    month_start BIGINT NOT NULL,
                    covered BIGINT NOT NULL CHECK (covered >= 0)
                )
                """,
            ]),
        // What each line spent each calendar month (its region's), kept with every charge, so a company's «Абоненты»
        // and its quotas read one row per line instead of summing the month's rated events. It counts from the month
        // the table was made in a database that had no money yet, otherwise from the first month that began after:
        // `spending_since` says from when, and older months are summed from the rows as before.
        Migration("billing-010-month-spending") { db, backend in
            try await db.raw(
                """
                CREATE TABLE billing_month_spending (
                    subscriber_id BIGINT NOT NULL,
                    month_start BIGINT NOT NULL,
                    amount BIGINT NOT NULL,
                    PRIMARY KEY (subscriber_id, month_start)
                )
                """
            ).run()
            try await db.raw("CREATE TABLE billing_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)").run()
            let now: SQLQueryString =
                backend == .postgres
                ? "CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)" : "CAST(strftime('%s', 'now') AS INTEGER) * 1000"
            try await db.raw(
                """
                INSERT INTO billing_meta (key, value)
                SELECT 'spending_since', CASE WHEN EXISTS (SELECT 1 FROM billing_usage) OR EXISTS (SELECT 1 FROM billing_entry)
                                              THEN \(now) ELSE 0 END
                """
            ).run()
        },
        // Every write to a line's account, buckets or recurring charges raises its stamp (PostgreSQL), so nodes may
        // keep the dashboard's rows they read (LineStampedCache).
        LineStampSchema.migration(
            "billing-011-line-stamps",
            stamping: [
                ("billing_account", "subscriber_id"), ("billing_bucket", "subscriber_id"),
                ("billing_recurring", "subscriber_id"),
            ]),
    ]
}
