import CabinetCore
public import CabinetStorage

/// Corporate's tables. A company's lines are Subscribers' (their company link); Corporate keeps who manages them,
/// their groups and quotas. A quota request's id is its request record's id (`cabinet_request`).
public enum CorporateSchema: SchemaOwner {
    public static let migrations: [Migration] = [
        Migration(
            "corporate-001-companies",
            sql: [
                """
                CREATE TABLE corporate_application (
                    id {{pk}},
                    region TEXT NOT NULL,
                    city TEXT NOT NULL,
                    company_name TEXT NOT NULL,
                    inn TEXT NOT NULL,
                    contact_name TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
                    reason TEXT,
                    company_id TEXT,
                    created_at BIGINT NOT NULL,
                    decided_at BIGINT
                )
                """,
                "CREATE INDEX corporate_application_status ON corporate_application (status, id)",
                """
                CREATE TABLE corporate_company (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    inn TEXT NOT NULL UNIQUE,
                    kpp TEXT NOT NULL,
                    legal_address TEXT NOT NULL,
                    region TEXT NOT NULL,
                    contract_number TEXT NOT NULL,
                    application_id BIGINT,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE corporate_admin (
                    id {{pk}},
                    company_id TEXT NOT NULL,
                    msisdn TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    group_ids TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX corporate_admin_company ON corporate_admin (company_id)",
                """
                CREATE TABLE corporate_group (
                    id {{pk}},
                    company_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    UNIQUE (company_id, name)
                )
                """,
                // A line is in at most one group; kept by number so a group's lines page like «Абоненты».
                """
                CREATE TABLE corporate_line_group (
                    subscriber_id BIGINT PRIMARY KEY,
                    company_id TEXT NOT NULL,
                    msisdn TEXT NOT NULL,
                    group_id BIGINT NOT NULL
                )
                """,
                "CREATE INDEX corporate_line_group_group ON corporate_line_group (company_id, group_id, msisdn)",
                """
                CREATE TABLE corporate_quota (
                    subscriber_id BIGINT PRIMARY KEY,
                    company_id TEXT NOT NULL,
                    money BIGINT,
                    currency TEXT,
                    minutes INTEGER,
                    sms INTEGER,
                    megabytes INTEGER,
                    policy TEXT NOT NULL CHECK (policy IN ('block', 'personal')),
                    request_id BIGINT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE corporate_quota_request (
                    id BIGINT PRIMARY KEY,
                    company_id TEXT NOT NULL,
                    subscriber_id BIGINT NOT NULL,
                    msisdn TEXT NOT NULL,
                    admin_id BIGINT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('set', 'delete')),
                    money BIGINT,
                    currency TEXT,
                    minutes INTEGER,
                    sms INTEGER,
                    megabytes INTEGER,
                    policy TEXT,
                    status TEXT NOT NULL,
                    reason TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX corporate_quota_request_line ON corporate_quota_request (subscriber_id, id)",
                "CREATE INDEX corporate_quota_request_status ON corporate_quota_request (status, id)",
                """
                CREATE TABLE corporate_journal (
                    id {{pk}},
                    company_id TEXT NOT NULL,
                    admin_id BIGINT NOT NULL,
                    admin_name TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    request_id BIGINT NOT NULL,
                    at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX corporate_journal_company ON corporate_journal (company_id, id)",
            ]),
        // Bulk operations: the dry run's plan per line, then each line's outcome; a line is claimed by a conditional
        // update before it is changed, so several servers (or a restarted one) never change it twice.
        Migration(
            "corporate-002-bulk",
            sql: [
                """
                CREATE TABLE corporate_bulk (
                    id {{pk}},
                    company_id TEXT NOT NULL,
                    admin_id BIGINT NOT NULL,
                    admin_name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    argument TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('planned', 'running', 'done')),
                    request_id BIGINT NOT NULL,
                    total INTEGER NOT NULL,
                    refused_in_plan INTEGER NOT NULL,
                    created_at BIGINT NOT NULL,
                    started_at BIGINT,
                    finished_at BIGINT
                )
                """,
                "CREATE INDEX corporate_bulk_company ON corporate_bulk (company_id, id)",
                "CREATE INDEX corporate_bulk_status ON corporate_bulk (status, id)",
                """
                CREATE TABLE corporate_bulk_item (
                    operation_id BIGINT NOT NULL,
                    position INTEGER NOT NULL,
                    subscriber_id BIGINT NOT NULL,
                    msisdn TEXT NOT NULL,
                    plan_refusal TEXT,
                    plan_note TEXT,
                    outcome TEXT NOT NULL
                        CHECK (outcome IN ('pending', 'processing', 'done', 'refused', 'failed')),
                    request_id BIGINT,
                    reason TEXT,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (operation_id, position)
                )
                """,
                "CREATE INDEX corporate_bulk_item_outcome ON corporate_bulk_item (operation_id, outcome, position)",
            ]),
        // Invoices and acts: numbered per company, kind and year by a counter row updated in the document's own
        // transaction (a rolled-back document gives its number back, so numbers have no gaps); one act per month.
        Migration(
            "corporate-003-documents",
            sql: [
                """
                CREATE TABLE corporate_document (
                    id {{pk}},
                    company_id TEXT NOT NULL REFERENCES corporate_company (id),
                    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'act')),
                    year INTEGER NOT NULL,
                    number INTEGER NOT NULL CHECK (number > 0),
                    month TEXT,
                    amount BIGINT NOT NULL CHECK (amount >= 0),
                    currency TEXT NOT NULL,
                    vat_percent INTEGER NOT NULL,
                    issued_on TEXT NOT NULL,
                    seller TEXT NOT NULL,
                    buyer TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    mailed_at BIGINT,
                    UNIQUE (company_id, kind, year, number),
                    CHECK ((kind = 'act') = (month IS NOT NULL))
                )
                """,
                "CREATE UNIQUE INDEX corporate_document_act ON corporate_document (company_id, month) WHERE kind = 'act'",
                "CREATE INDEX corporate_document_company ON corporate_document (company_id, id)",
                "CREATE INDEX corporate_document_unmailed ON corporate_document (id) WHERE mailed_at IS NULL",
                """
                CREATE TABLE corporate_document_counter (
                    company_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    year INTEGER NOT NULL,
                    last INTEGER NOT NULL,
                    PRIMARY KEY (company_id, kind, year)
                )
                """,
            ]),
    ]
}
