import Auth
import Synchronization

/// Sessions this PostgreSQL node has decoded, by token hash, with their row's version (`auth_session.row_version`, a
/// new random number at every update, set by a trigger: random for the reason line stamps are, `LineStampSchema`). Every request still reads its session's row, so a session ended or changed
/// by another node is seen at once; only the decoding of an unchanged row is saved (about 20 µs of PostgresKit's
/// column decoding per request).
final class DecodedSessions: Sendable {
    private struct Entry {
        var id: String
        var version: Int64
        var session: AuthSession
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The session decoded before from the same row: same id (a new session never reuses a token) and same version.
    func session(_ tokenHash: String, id: String, version: Int64) -> AuthSession? {
        entries.withLock { entries in
            guard let entry = entries[tokenHash], entry.id == id, entry.version == version else { return nil }
            return entry.session
        }
    }

    func keep(_ session: AuthSession, version: Int64) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[session.tokenHash] == nil {
                // Dropping an arbitrary tenth keeps the cost bounded; live sessions come back on their next request.
                for key in Array(entries.keys.prefix(max(1, capacity / 10))) { entries.removeValue(forKey: key) }
            }
            entries[session.tokenHash] = Entry(id: session.id, version: version, session: session)
        }
    }
}
