public import CabinetCore
public import Logging
public import ServiceLifecycle

/// Wakes a ``PeriodicJob`` before its interval is up (something it watches changed). Made before the job, so that
/// whoever reports changes can be built first.
public final class JobSignal: Sendable {
    let wakeup = Wakeup()

    public init() {}

    public func fire() {
        Task { await wakeup.signal() }
    }
}

/// Runs a piece of housekeeping every `interval` until graceful shutdown (expired sessions, old rate-limit rows), and
/// sooner when its ``JobSignal`` fires. With a ``JobLeasing``, only the node holding the job's lease runs it: of several
/// servers on one database one does the work at a time, and another takes over within the lease's lapse if it stops.
public struct PeriodicJob: Service {
    public let name: String
    let interval: Duration
    let logger: Logger
    let signal: JobSignal
    let lease: (any JobLeasing)?
    let work: @Sendable () async throws -> Void

    public init(
        name: String, every interval: Duration, signal: JobSignal = JobSignal(), lease: (any JobLeasing)? = nil,
        logger: Logger, work: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.signal = signal
        self.lease = lease
        self.logger = logger
        self.work = work
    }

    /// Three intervals, at least 30 s and at most 5 minutes: it outlasts the wait between runs of a frequent job, and a
    /// node that restarts after a crash (a new holder) or another node takes an hourly job over within minutes.
    var leaseDuration: Duration { min(max(interval * 3, .seconds(30)), .seconds(300)) }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    if try await holdsLease() { try await work() }
                } catch {
                    logger.error("periodic job failed", metadata: ["cabinet.job": "\(name)", "error": "\(error)"])
                }
                await signal.wakeup.wait(timeout: interval)
            }
        }
        // A graceful stop hands the job over at once. The stop cancelled this task, and PostgreSQL's pool refuses a
        // cancelled task a connection: the release runs in a task of its own, or the lease would wait to lapse.
        if let lease {
            let name = name
            await Task { try? await lease.release(name) }.value
        }
    }

    func holdsLease() async throws -> Bool {
        guard let lease else { return true }
        let held = try await lease.acquire(name, for: leaseDuration)
        if !held { logger.debug("another node runs this job", metadata: ["cabinet.job": "\(name)"]) }
        return held
    }
}
