import Logging
import NIOCore
import SQLKit
import Synchronization

/// A read-only connection to the SQLite file with a thread of its own, on which a read's whole body runs.
///
/// sqlite-nio runs each statement as a job on its thread pool and answers on an event loop, so a read of three
/// statements pays a dozen thread hand-offs; here the body runs with the reader's thread as its task executor and
/// ``SQLiteWriterDatabase`` never suspends, so a read costs two hand-offs (there and back) whatever its number of
/// statements. Several bodies may take turns on one thread (a body that awaits something else lets the next run); each
/// statement runs alone on the connection.
final class SQLiteReader: Sendable {
    private let connection: SQLiteDirectConnection
    private let thread: WriterThread
    private let logger: Logger
    /// Bodies running or waiting here, so that a long read (a statement's export) sends the next ones elsewhere.
    private let busy = Atomic(0)

    init(path: String, logger: Logger) throws {
        connection = try SQLiteDirectConnection(path: path, readOnly: true)
        connection.busyTimeout(milliseconds: 5_000)
        for pragma in ["PRAGMA query_only=1", "PRAGMA cache_size=-16384", "PRAGMA mmap_size=1073741824"] {
            try connection.execute(pragma, binds: []) { _ in }
        }
        thread = WriterThread()
        self.logger = logger
    }

    var load: Int { busy.load(ordering: .relaxed) }

    /// The reader of the grouping (``SQLiteEngine/groupingReads(_:)``) the current task runs in.
    @TaskLocal static var grouping: SQLiteReader?

    /// Runs `body` on this reader's thread: the reads it makes through ``read(_:)`` then start where they are.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        busy.add(1, ordering: .relaxed)
        defer { busy.subtract(1, ordering: .relaxed) }
        return try await withTaskExecutorPreference(thread) { try await body() }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        busy.add(1, ordering: .relaxed)
        defer { busy.subtract(1, ordering: .relaxed) }
        let database = SQLiteWriterDatabase(connection: connection, logger: logger, eventLoop: thread.eventLoop)
        return try await withTaskExecutorPreference(thread) { try await body(database) }
    }

    func close() async {
        connection.close()
        await thread.shutdown()
    }
}
