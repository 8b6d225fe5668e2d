import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Who else may use an SQLite file: a server holds it alone (and may cache what it writes); a command run beside a
/// server may read but not write. An advisory `flock` on `<file>-lock` decides, so a crash releases it.
///
/// PostgreSQL is shared by design (several app nodes): no lock, no caches.
public enum DatabaseRole: Sendable, Hashable {
    /// `cabinet serve`: the only writer; refuses to start when another server or a writing command holds the file.
    case server
    /// Any other command: writes unless a server owns the file, reads always.
    case tool
}

/// The lock itself.
final class OwnershipLock: Sendable {
    private let descriptor: Int32
    /// A tool that found a server owning the file: its writes are refused.
    let serverRunning: Bool
    private let released = Mutex(false)

    /// Takes the lock for `role`; throws when a server may not start.
    init(path: String, role: DatabaseRole) throws {
        descriptor = open(path + "-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StorageError.durabilityNotGuaranteed("cannot create the lock file \(path)-lock (errno \(errno))")
        }
        switch role {
        case .server:
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                close(descriptor)
                throw StorageError.inUse(path)
            }
            serverRunning = false
        case .tool:
            serverRunning = flock(descriptor, LOCK_SH | LOCK_NB) != 0
        }
    }

    func release() {
        guard
            released.withLock({ done in
                defer { done = true }
                return !done
            })
        else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
