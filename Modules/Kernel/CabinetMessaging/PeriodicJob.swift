public import Logging
public import ServiceLifecycle

/// Runs a piece of housekeeping every `interval` until graceful shutdown (expired sessions, old rate-limit rows).
public struct PeriodicJob: Service {
    public let name: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    public init(name: String, every interval: Duration, logger: Logger, work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
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
                guard (try? await Task.sleep(for: interval)) != nil else { return }
            }
        }
    }
}
