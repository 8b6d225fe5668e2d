import Logging
import NIOPosix
import Synchronization

/// Copies SQLite's WAL into the database file on a thread of its own.
///
/// Left to itself, SQLite checkpoints inside whichever commit took the WAL past 1000 pages: the writer then copies
/// pages and syncs the database file while every write waiting for it waits too (a sixth of the writer's time when
/// rating). The writer reports the WAL's size after each commit instead; past ``threshold`` frames this connection
/// checkpoints `PASSIVE` (never blocking the writer or readers), and past ten times that, when readers kept it from
/// finishing, `RESTART` (waiting for them, so that the WAL starts over instead of growing).
final class SQLiteCheckpointer: Sendable {
    static let threshold = 1_000
    private let connection: SQLiteDirectConnection
    private let thread: NIOThreadPool
    private let scheduled = Atomic(false)
    private let logger: Logger

    init(path: String, logger: Logger) throws {
        connection = try SQLiteDirectConnection(path: path)
        connection.busyTimeout(milliseconds: 5_000)
        // A connection finds the file in WAL mode (and can checkpoint it) only once it has read it.
        try connection.execute("SELECT COUNT(*) AS tables FROM sqlite_master", binds: []) { _ in }
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        self.logger = logger
    }

    /// Called on the writer's thread after each commit: schedules one checkpoint at a time.
    func walGrew(frames: Int) {
        guard frames >= Self.threshold, !scheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let restart = frames >= Self.threshold * 10
        thread.submit { [self] state in
            defer { scheduled.store(false, ordering: .releasing) }
            guard case .active = state else { return }
            do {
                _ = try connection.checkpoint(restart: restart)
            } catch {
                logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)", "cabinet.frames": "\(frames)"])
            }
        }
    }

    /// Waits for a running checkpoint, then closes the connection. Close the writer first: its hook points here.
    func close() async {
        try? await thread.shutdownGracefully()
        connection.close()
    }
}
