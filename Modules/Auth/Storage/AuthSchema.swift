public import CabinetStorage
import SQLKit

/// Tables of Auth. Secrets are stored only as hashes: codes (HMAC), passwords and PUKs (bcrypt over an HMAC
/// pre-hash), session tokens (SHA-256).
public enum AuthSchema: SchemaOwner {
    public static let migrations: [Migration] = [
        Migration(
            "auth-001-codes-and-limits",
            sql: [
                """
                CREATE TABLE auth_code (
                    id {{pk}},
                    purpose TEXT NOT NULL,
                    key TEXT NOT NULL,
                    subscriber_id BIGINT,
                    session_id TEXT,
                    target TEXT,
                    code_hash TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'used', 'superseded', 'exhausted'))
                )
                """,
                "CREATE INDEX auth_code_lookup ON auth_code (purpose, key, status)",
                "CREATE INDEX auth_code_expiry ON auth_code (expires_at)",
                "CREATE TABLE auth_rate_event (id {{pk}}, scope TEXT NOT NULL, key TEXT NOT NULL, at BIGINT NOT NULL)",
                "CREATE INDEX auth_rate_event_window ON auth_rate_event (scope, key, at)",
                "CREATE INDEX auth_rate_event_age ON auth_rate_event (at)",
                // One row per limited key, locked FOR UPDATE on PostgreSQL so concurrent requests for one number queue up.
                "CREATE TABLE auth_key_lock (key TEXT PRIMARY KEY)",
                """
                CREATE TABLE auth_failure (
                    factor TEXT NOT NULL,
                    key TEXT NOT NULL,
                    consecutive INTEGER NOT NULL DEFAULT 0,
                    last_failure_at BIGINT,
                    locked_until BIGINT,
                    PRIMARY KEY (factor, key)
                )
                """,
            ]),
        Migration(
            "auth-002-secrets-sessions-journal",
            sql: [
                "CREATE TABLE auth_password (subscriber_id BIGINT PRIMARY KEY, hash TEXT NOT NULL, set_at BIGINT NOT NULL)",
                "CREATE TABLE auth_password_change (id {{pk}}, subscriber_id BIGINT NOT NULL, at BIGINT NOT NULL)",
                "CREATE INDEX auth_password_change_window ON auth_password_change (subscriber_id, at)",
                "CREATE TABLE auth_puk (subscriber_id BIGINT PRIMARY KEY, hash TEXT NOT NULL, set_at BIGINT NOT NULL)",
                """
                CREATE TABLE auth_session (
                    id TEXT PRIMARY KEY,
                    token_hash TEXT NOT NULL UNIQUE,
                    subscriber_id BIGINT NOT NULL,
                    msisdn TEXT NOT NULL,
                    acting_subscriber_id BIGINT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('web', 'api')),
                    method TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    last_seen_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    idle_timeout_ms BIGINT NOT NULL,
                    client_address TEXT,
                    user_agent TEXT,
                    device_id TEXT,
                    stepped_up_at BIGINT,
                    password_required BOOLEAN NOT NULL DEFAULT FALSE,
                    csrf_token TEXT NOT NULL
                )
                """,
                "CREATE INDEX auth_session_subscriber ON auth_session (subscriber_id)",
                "CREATE INDEX auth_session_expiry ON auth_session (expires_at)",
                """
                CREATE TABLE auth_journal (
                    id {{pk}},
                    subscriber_id BIGINT,
                    msisdn TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    event TEXT NOT NULL,
                    method TEXT,
                    client_address TEXT,
                    user_agent TEXT,
                    detail TEXT
                )
                """,
                "CREATE INDEX auth_journal_subscriber ON auth_journal (subscriber_id, id)",
                """
                CREATE TABLE auth_device (
                    subscriber_id BIGINT NOT NULL,
                    device_hash TEXT NOT NULL,
                    first_seen_at BIGINT NOT NULL,
                    PRIMARY KEY (subscriber_id, device_hash)
                )
                """,
            ]),
        Migration(
            "auth-003-access",
            sql: [
                // A member belongs to one group; the root is the first line of the person.
                "CREATE TABLE auth_link (member_id BIGINT PRIMARY KEY, root_id BIGINT NOT NULL, created_at BIGINT NOT NULL)",
                "CREATE INDEX auth_link_root ON auth_link (root_id)",
                """
                CREATE TABLE auth_delegation (
                    id {{pk}},
                    owner_id BIGINT NOT NULL,
                    owner_msisdn TEXT NOT NULL,
                    grantee TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    revoked_at BIGINT
                )
                """,
                "CREATE INDEX auth_delegation_grantee ON auth_delegation (grantee, owner_id)",
                "CREATE INDEX auth_delegation_owner ON auth_delegation (owner_id)",
                """
                CREATE TABLE auth_identity (
                    provider TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    subscriber_id BIGINT NOT NULL,
                    display_name TEXT,
                    linked_at BIGINT NOT NULL,
                    PRIMARY KEY (provider, subject)
                )
                """,
                "CREATE UNIQUE INDEX auth_identity_line ON auth_identity (provider, subscriber_id)",
                """
                CREATE TABLE auth_social_state (
                    state TEXT PRIMARY KEY,
                    provider TEXT NOT NULL,
                    verifier TEXT NOT NULL,
                    intent TEXT NOT NULL,
                    session_id TEXT,
                    expires_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE auth_push (
                    id TEXT PRIMARY KEY,
                    subscriber_id BIGINT,
                    msisdn TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'declined', 'used')),
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """,
                "CREATE TABLE auth_email (subscriber_id BIGINT PRIMARY KEY, email TEXT NOT NULL, confirmed_at BIGINT NOT NULL)",
            ]),
        // A step-up vouches for the line whose number received the code, not for every line the session may act on.
        Migration(
            "auth-004-step-up-line",
            sql: [
                "ALTER TABLE auth_session ADD COLUMN stepped_up_for BIGINT",
                "UPDATE auth_session SET stepped_up_for = subscriber_id WHERE stepped_up_at IS NOT NULL",
            ]),
        // Links become directed: the holder may act on the line whose number confirmed the code, not the reverse.
        // Existing groups gave every member rights on every other; they carry over as links both ways, which each
        // side may now end.
        Migration(
            "auth-005-directed-links",
            sql: [
                """
                CREATE TABLE auth_line_link (
                    holder_id BIGINT NOT NULL,
                    line_id BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (holder_id, line_id)
                )
                """,
                "CREATE INDEX auth_line_link_line ON auth_line_link (line_id)",
                """
                INSERT INTO auth_line_link (holder_id, line_id, created_at)
                SELECT a.id, b.id, b.created_at FROM
                    (SELECT member_id AS id, root_id AS root, created_at FROM auth_link
                     UNION SELECT DISTINCT root_id, root_id, MIN(created_at) FROM auth_link GROUP BY root_id) a
                JOIN (SELECT member_id AS id, root_id AS root, created_at FROM auth_link
                      UNION SELECT DISTINCT root_id, root_id, MIN(created_at) FROM auth_link GROUP BY root_id) b
                    ON a.root = b.root AND a.id <> b.id
                """,
                "DROP TABLE auth_link",
            ]),
        // A social login's state is bound to the browser that started it (a cookie's hash), so nobody can finish a
        // flow they started in somebody else's browser (login CSRF). Flows in progress at the upgrade start again.
        Migration(
            "auth-006-social-browser",
            sql: [
                "DELETE FROM auth_social_state",
                "ALTER TABLE auth_social_state ADD COLUMN browser_hash TEXT NOT NULL DEFAULT ''",
            ]),
        // On PostgreSQL a session's read brings its lines' stamps along (the modules whose rows they stamp install the
        // triggers), so the line's cached rows answer the rest of the request; and its row's version, raised by every
        // update, so a node decodes an unchanged session once.
        Migration("auth-007-line-stamps") { db, backend in
            guard backend == .postgres else { return }
            try await LineStampSchema.install(stamping: [], on: db)
            try await db.raw("ALTER TABLE auth_session ADD COLUMN row_version BIGINT NOT NULL DEFAULT 0").run()
            try await db.raw(
                """
                CREATE OR REPLACE FUNCTION auth_session_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.row_version := \(unsafeRaw: LineStampSchema.newStamp);
                    RETURN NEW;
                END
                $$
                """
            ).run()
            try await db.raw(
                """
                CREATE TRIGGER auth_session_row_version BEFORE UPDATE ON auth_session
                FOR EACH ROW EXECUTE FUNCTION auth_session_row_version()
                """
            ).run()
        },
    ]
}
