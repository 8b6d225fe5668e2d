import CabinetCore
import Logging
import NIOCore
import NIOPosix
import SQLKit
import Synchronization

/// SQLite's one writer: a loop on a thread of its own that takes every write waiting and commits them together.
///
/// Group commit: writes that arrive while a batch is committing wait in a queue; the loop runs all of them in one
/// SQLite transaction, each inside its own savepoint (one failing undoes only itself), and commits once — one fsync
/// for the lot. Every caller still returns only after that commit is on disk.
///
/// The loop runs with the writer's thread as its task executor, and ``SQLiteWriterDatabase`` never suspends, so a
/// transaction body's statements run back to back on that thread: a write costs two thread hand-offs (there and back),
/// whatever its number of statements. A body that awaits something else still works; it just waits on that thread.
final class SQLiteWriter: Sendable {
    private let connection: SQLiteDirectConnection
    private let thread: WriterThread
    private let state = Mutex(State())
    private let logger: Logger
    /// The loop's task; set once in `init` (a task capturing `self` can only start after every other property).
    private let loop = Mutex<Task<Void, Never>?>(nil)

    private struct State {
        var pending: [any WriterJob] = []
        var idle: CheckedContinuation<Void, Never>?
        var closed = false
        var waiting: Int { pending.count }
    }

    init(connection: SQLiteDirectConnection, logger: Logger) {
        self.connection = connection
        self.thread = WriterThread()
        self.logger = logger
        let task = Task(executorPreference: thread) { [self] in await run() }
        loop.withLock { $0 = task }
    }

    /// The connection as SQLKit sees it; used by the loop only, on the writer's thread.
    private var database: any SQLDatabase {
        SQLiteWriterDatabase(connection: connection, logger: logger, eventLoop: thread.eventLoop)
    }

    /// Runs `body` in a write transaction (grouped with whatever else is waiting) and returns after the commit.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await submit(WriterJobBox(body, kind: .write))
    }

    /// Runs `body` alone, outside any transaction (reads of an in-memory database, which has only this connection).
    func alone<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await submit(WriterJobBox(body, kind: .alone))
    }

    var waiting: Int { state.withLock { $0.waiting } }

    private func submit<T: Sendable>(_ job: WriterJobBox<T>) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            job.continuation = continuation
            let (accepted, wake) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard !state.closed else { return (false, nil) }
                state.pending.append(job)
                defer { state.idle = nil }
                return (true, state.idle)
            }
            guard accepted else { return continuation.resume(throwing: StorageError.closed) }
            wake?.resume()
        }
    }

    /// Finishes what is queued, stops the loop and closes the connection.
    func close() async {
        let wake = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.idle = nil }
            return state.idle
        }
        wake?.resume()
        await loop.withLock { $0 }?.value
        connection.close()
        await thread.shutdown()
    }

    private func run() async {
        while true {
            let jobs = await next()
            if jobs.isEmpty { return }
            var writes: [any WriterJob] = []
            for job in jobs {
                if job.kind == .write {
                    writes.append(job)
                    continue
                }
                if !writes.isEmpty { await commit(writes) }
                writes.removeAll()
                _ = await job.run(on: database)
                job.finish()
            }
            if !writes.isEmpty { await commit(writes) }
        }
    }

    /// Everything queued, waiting while nothing is; empty once closed and drained.
    private func next() async -> [any WriterJob] {
        while true {
            let (jobs, closed) = state.withLock { state in
                defer { state.pending.removeAll(keepingCapacity: true) }
                return (state.pending, state.closed)
            }
            if !jobs.isEmpty || closed { return jobs }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    guard state.pending.isEmpty, !state.closed else { return true }
                    state.idle = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Runs `batch` in one transaction, each write in a savepoint, and commits once; then answers every caller.
    private func commit(_ batch: [any WriterJob]) async {
        let db = database
        defer { for job in batch { job.finish() } }
        do {
            // IMMEDIATE takes the write lock up front: a read-then-write transaction cannot fail with
            // SQLITE_BUSY halfway through (which a busy timeout cannot fix).
            try await db.raw("BEGIN IMMEDIATE").run()
        } catch {
            for job in batch { job.fail(error) }
            return
        }
        // Alone, a write needs no savepoint: it commits or rolls back.
        if batch.count == 1, let job = batch.first {
            let succeeded = await job.run(on: db)
            do {
                try await db.raw(SQLQueryString(succeeded ? "COMMIT" : "ROLLBACK")).run()
            } catch {
                if succeeded {
                    try? await db.raw("ROLLBACK").run()
                    job.fail(error)
                } else {
                    logger.error("rollback failed", metadata: ["error": "\(error)"])
                }
            }
            return
        }
        do {
            for job in batch {
                try await db.raw("SAVEPOINT cabinet_write").run()
                if await job.run(on: db) {
                    try await db.raw("RELEASE cabinet_write").run()
                } else {
                    try await db.raw("ROLLBACK TO cabinet_write").run()
                    try await db.raw("RELEASE cabinet_write").run()
                }
            }
            try await db.raw("COMMIT").run()
        } catch {
            // The transaction itself failed (not one write): nothing of the batch is on disk.
            do {
                try await db.raw("ROLLBACK").run()
            } catch {
                logger.error("rollback failed", metadata: ["error": "\(error)"])
            }
            for job in batch { job.fail(error) }
        }
    }
}

/// The thread the writer's loop runs on: a one-thread event loop, as a task executor.
final class WriterThread: TaskExecutor {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let eventLoop: any EventLoop

    init() {
        eventLoop = group.next()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    func shutdown() async {
        try? await group.shutdownGracefully()
    }
}

/// A job waiting for the writer.
private protocol WriterJob: AnyObject, Sendable {
    var kind: WriterJobKind { get }
    /// Runs the body; `false` when it threw (its savepoint is then rolled back).
    func run(on db: any SQLDatabase) async -> Bool
    /// The whole transaction failed: the write did not happen.
    func fail(_ error: any Error)
    /// Answers the caller with what `run` or `fail` recorded.
    func finish()
}

private enum WriterJobKind: Sendable { case write, alone }

private final class WriterJobBox<T: Sendable>: WriterJob, @unchecked Sendable {
    // Set once before the job is queued, read once by the loop: the queue's lock orders the two.
    var continuation: CheckedContinuation<T, any Error>?
    let kind: WriterJobKind
    private let body: @Sendable (any SQLDatabase) async throws -> T
    private var result: Result<T, any Error>?
    /// The region files' version the caller's request runs on: the body runs on the writer's task, and must see the
    /// same regions the caller saw before it (a reload meanwhile must not change them halfway).
    private let regions: RegionSnapshot?

    init(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T, kind: WriterJobKind) {
        self.body = body
        self.kind = kind
        self.regions = RegionCatalog.pinnedSnapshot
    }

    func run(on db: any SQLDatabase) async -> Bool {
        do {
            result = .success(try await RegionCatalog.withPinned(regions) { try await body(db) })
            return true
        } catch {
            result = .failure(error)
            return false
        }
    }

    func fail(_ error: any Error) {
        result = .failure(error)
    }

    func finish() {
        let outcome = result ?? .failure(StorageError.closed)
        continuation?.resume(with: outcome)
        continuation = nil
    }
}
