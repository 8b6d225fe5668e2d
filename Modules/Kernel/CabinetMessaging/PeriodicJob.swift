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
/// sooner when its ``JobSignal`` fires.
public struct PeriodicJob: Service {
    public let name: String
    let interval: Duration
    let logger: Logger
    let signal: JobSignal
    let work: @Sendable () async throws -> Void

    public init(
        name: String, every interval: Duration, signal: JobSignal = JobSignal(), logger: Logger,
        work: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.signal = signal
        self.logger = logger
        self.work = work
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await work()
                } catch {
                    logger.error("periodic job failed", metadata: ["cabinet.job": "\(name)", "error": "\(error)"])
                }
                await signal.wakeup.wait(timeout: interval)
            }
        }
    }
}
