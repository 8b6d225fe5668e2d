public import CabinetStorage

/// Tables of Payments. Money is minor units with the currency beside it; instants are milliseconds since 1970.
public enum PaymentsSchema: SchemaOwner {
    public static let migrations: [Migration] = [
        Migration(
            "payments-001-payments-promised",
            sql: [
                """
                CREATE TABLE payments_payment (
                    id TEXT PRIMARY KEY,
                    subscriber_id BIGINT NOT NULL,
                    msisdn TEXT NOT NULL,
                    amount BIGINT NOT NULL CHECK (amount > 0),
                    currency TEXT NOT NULL,
                    method TEXT NOT NULL CHECK (method IN ('card', 'wallet')),
                    status TEXT NOT NULL CHECK (status IN ('created', 'pending', 'succeeded', 'declined', 'failed')),
                    gateway TEXT NOT NULL,
                    gateway_payment_id TEXT,
                    masked_card TEXT,
                    failure TEXT,
                    request_id BIGINT,
                    anonymous BIGINT NOT NULL DEFAULT 0,
                    save_card BIGINT NOT NULL DEFAULT 0,
                    card_id BIGINT,
                    autopay_trigger TEXT,
                    credited_at BIGINT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    CHECK (credited_at IS NULL OR status = 'succeeded')
                )
                """,
                // One of our payments per gateway payment: a webhook can never be matched to two.
                "CREATE UNIQUE INDEX payments_payment_gateway ON payments_payment (gateway, gateway_payment_id)",
                "CREATE INDEX payments_payment_line ON payments_payment (subscriber_id, created_at)",
                "CREATE INDEX payments_payment_uncredited ON payments_payment (status) WHERE credited_at IS NULL",
                """
                CREATE TABLE payments_promised (
                    id {{pk}},
                    subscriber_id BIGINT NOT NULL,
                    amount BIGINT NOT NULL CHECK (amount > 0),
                    fee BIGINT NOT NULL CHECK (fee >= 0),
                    currency TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('active', 'repaid', 'writtenOff')),
                    taken_at BIGINT NOT NULL,
                    due_at BIGINT NOT NULL CHECK (due_at > taken_at),
                    closed_at BIGINT,
                    credited_at BIGINT,
                    settled_at BIGINT,
                    request_id BIGINT,
                    CHECK ((status = 'active') = (closed_at IS NULL))
                )
                """,
                // «At most one active per line» is the database's rule, not only the code's.
                "CREATE UNIQUE INDEX payments_promised_one_active ON payments_promised (subscriber_id) WHERE status = 'active'",
                "CREATE INDEX payments_promised_due ON payments_promised (due_at) WHERE status = 'active'",
                "CREATE INDEX payments_promised_line ON payments_promised (subscriber_id, id)",
            ]),
        Migration(
            "payments-002-transfers",
            sql: [
                """
                CREATE TABLE payments_transfer (
                    id {{pk}},
                    sender_id BIGINT NOT NULL,
                    sender_msisdn TEXT NOT NULL,
                    recipient_id BIGINT NOT NULL,
                    recipient_msisdn TEXT NOT NULL,
                    amount BIGINT NOT NULL CHECK (amount > 0),
                    fee BIGINT NOT NULL CHECK (fee >= 0),
                    currency TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'done', 'refused')),
                    day TEXT NOT NULL,
                    request_id BIGINT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    CHECK (sender_id <> recipient_id)
                )
                """,
                "CREATE INDEX payments_transfer_sender_day ON payments_transfer (sender_id, day)",
                "CREATE INDEX payments_transfer_recipient ON payments_transfer (recipient_id, id)",
                "CREATE INDEX payments_transfer_unfinished ON payments_transfer (created_at) WHERE status IN ('pending', 'sent')",
            ]),
        Migration(
            "payments-003-cards-autopay",
            sql: [
                """
                CREATE TABLE payments_card (
                    id {{pk}},
                    subscriber_id BIGINT NOT NULL,
                    gateway TEXT NOT NULL,
                    token TEXT NOT NULL,
                    masked_card TEXT NOT NULL,
                    is_default BIGINT NOT NULL DEFAULT 0,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX payments_card_token ON payments_card (subscriber_id, gateway, token)",
                "CREATE UNIQUE INDEX payments_card_one_default ON payments_card (subscriber_id) WHERE is_default = 1",
                """
                CREATE TABLE payments_autopay (
                    subscriber_id BIGINT PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('threshold', 'schedule')),
                    threshold BIGINT,
                    day_of_month BIGINT CHECK (day_of_month IS NULL OR day_of_month BETWEEN 1 AND 28),
                    amount BIGINT NOT NULL CHECK (amount > 0),
                    monthly_cap BIGINT NOT NULL CHECK (monthly_cap >= amount),
                    currency TEXT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    CHECK ((kind = 'threshold') = (threshold IS NOT NULL)),
                    CHECK ((kind = 'schedule') = (day_of_month IS NOT NULL))
                )
                """,
                "CREATE INDEX payments_autopay_kind ON payments_autopay (kind, subscriber_id)",
                """
                CREATE TABLE payments_autopay_trigger (
                    key TEXT PRIMARY KEY,
                    subscriber_id BIGINT NOT NULL,
                    amount BIGINT NOT NULL CHECK (amount > 0),
                    currency TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('open', 'paid', 'failed', 'skipped')),
                    attempts BIGINT NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                // One open occasion per line: a threshold crossed twice before the first charge is one charge.
                "CREATE UNIQUE INDEX payments_autopay_one_open ON payments_autopay_trigger (subscriber_id) WHERE status = 'open'",
                "CREATE INDEX payments_autopay_due ON payments_autopay_trigger (next_attempt_at) WHERE status = 'open'",
                "CREATE INDEX payments_autopay_line ON payments_autopay_trigger (subscriber_id, created_at)",
                "CREATE INDEX payments_payment_autopay ON payments_payment (subscriber_id, created_at) WHERE autopay_trigger IS NOT NULL",
            ]),
        // A top-up of a company's account (Corporate) paid by card by one of its admins: the admin's line is the
        // payer, the company's ledger account is credited.
        Migration("payments-005-company-top-ups", sql: ["ALTER TABLE payments_payment ADD COLUMN company_id TEXT"]),
        // The sandbox gateway's open checkouts, shared by every node (its hosted page may be opened through any).
        Migration(
            "payments-006-sandbox-checkouts",
            sql: [
                """
                CREATE TABLE payments_sandbox_checkout (
                    id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL UNIQUE,
                    amount BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    method TEXT NOT NULL,
                    description TEXT NOT NULL,
                    return_url TEXT NOT NULL,
                    save_card BIGINT NOT NULL,
                    state TEXT NOT NULL,
                    masked_card TEXT,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX payments_sandbox_checkout_created ON payments_sandbox_checkout (created_at)",
            ]),
    ]
}
