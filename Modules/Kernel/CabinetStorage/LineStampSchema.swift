public import SQLKit

/// Line stamps on PostgreSQL: `cabinet_line_stamp` keeps a number per line that a trigger on every table a
/// ``LineStampedCache`` reads replaces in the writing transaction, whatever code or node writes. A statement that reads
/// a line's rows reads its stamp beside them (``column(_:)``), so the pair is one snapshot.
///
/// The triggers are deferred to the commit: a transaction locks a line's stamp row only while it commits, after every
/// lock its own statements take, so a transaction that changes a line's status and then its account does not wait,
/// holding the stamp, for one that holds the account. Two committing transactions that wrote rows of the same lines in
/// other orders can still wait for each other there; PostgreSQL breaks that and `CabinetDatabase.write` retries.
///
/// Statements that fire no row triggers change rows without new stamps: `TRUNCATE`, and writes of a session with
/// `session_replication_role = replica`. Restart the nodes after such maintenance (or a restore).
///
/// SQLite has no stamps: one process writes it and its stores keep ``ReadCache``s they invalidate themselves.
public enum LineStampSchema {
    /// A migration that installs the stamp table (if missing) and stamps writes to `tables`, each given with the column
    /// that holds its line's id. A module adds one for the tables its stamped caches read; a module that only reads
    /// stamps (the session's) adds one with no tables. Nothing happens on SQLite.
    public static func migration(_ id: String, stamping tables: [(table: String, line: String)]) -> Migration {
        Migration(id) { db, backend in
            guard backend == .postgres else { return }
            try await install(stamping: tables, on: db)
        }
    }

    /// What ``migration(_:stamping:)`` does on PostgreSQL, for a migration that does more.
    public static func install(stamping tables: [(table: String, line: String)], on db: any SQLDatabase) async throws {
        try await db.raw(
            "CREATE TABLE IF NOT EXISTS cabinet_line_stamp (subscriber_id BIGINT PRIMARY KEY, stamp BIGINT NOT NULL)"
        ).run()
        for column in Set(tables.map(\.line)).sorted() {
            try await db.raw(SQLQueryString(function(column: column))).run()
        }
        for (table, column) in tables {
            try await db.raw(
                """
                CREATE CONSTRAINT TRIGGER \(unsafeRaw: table)_line_stamp
                AFTER INSERT OR UPDATE OR DELETE ON \(unsafeRaw: table) DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION cabinet_line_touched_\(unsafeRaw: column)()
                """
            ).run()
        }
    }

    /// The line stamp of `line` (an SQL expression for a line id: a literal or a column **qualified by its table**, as
    /// an unqualified `subscriber_id` would name the stamp table's own) as a column `line_stamp`, `0` for a line never
    /// written since stamps exist. PostgreSQL only.
    /// An SQL expression for a new stamp: random in 1…9·10¹⁸ (0 is a line never written).
    public static let newStamp = "(1 + floor(random() * 9.0e18))::BIGINT"

    public static func column(_ line: String, as name: String = "line_stamp") -> SQLQueryString {
        """
        COALESCE((SELECT stamp FROM cabinet_line_stamp WHERE subscriber_id = \(unsafeRaw: line)), 0) AS \(unsafeRaw: name)
        """
    }

    /// The trigger function for tables whose line id is in `column`: the old row's line and, if it differs, the new
    /// row's get new stamps (a row with no line, such as a system account, changes none). A stamp is a random number,
    /// not a count: a count could come back to a value a node keeps after the database lost its last transactions (a
    /// failover to an asynchronous replica, a restore), naming other rows than the ones kept. The function finds the
    /// stamp table on the search path it was created with, whatever the writing session's.
    private static func function(column: String) -> String {
        let raise = { (row: String) in
            """
            IF \(row).\(column) IS NOT NULL THEN
                    INSERT INTO cabinet_line_stamp (subscriber_id, stamp) VALUES (\(row).\(column), \(newStamp))
                    ON CONFLICT (subscriber_id) DO UPDATE SET stamp = \(newStamp);
                END IF;
            """
        }
        return """
            CREATE OR REPLACE FUNCTION cabinet_line_touched_\(column)() RETURNS trigger LANGUAGE plpgsql
            SET search_path FROM CURRENT AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    \(raise("NEW"))
                ELSIF TG_OP = 'DELETE' THEN
                    \(raise("OLD"))
                ELSE
                    \(raise("OLD"))
                    IF NEW.\(column) IS DISTINCT FROM OLD.\(column) THEN
                        \(raise("NEW"))
                    END IF;
                END IF;
                RETURN NULL;
            END
            $$
            """
    }
}
