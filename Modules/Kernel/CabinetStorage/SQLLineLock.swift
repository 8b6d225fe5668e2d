public import CabinetCore
public import SQLKit

/// A lock on one line for one kind of work, held until the surrounding transaction ends, for checks that count rows
/// before adding one (a daily limit, one open suspension): two requests at once then count one after the other.
/// PostgreSQL takes a transaction-scoped advisory lock (`space`, the line id folded into 32 bits: two lines that share
/// it only wait for each other); SQLite needs none, its one writer runs transactions one at a time.
public enum SQLLineLock {
    public static func lock(_ line: SubscriberID, space: Int32, on db: any SQLDatabase) async throws {
        guard db.dialect.name == "postgresql" else { return }
        try await db.raw(
            """
            SELECT pg_advisory_xact_lock(\(literal: Int(space)), CAST(\(literal: line.rawValue % Int64(Int32.max)) AS INTEGER))
            """
        ).run()
    }
}
