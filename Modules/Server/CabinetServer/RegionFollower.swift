import ServiceLifecycle

/// Every few seconds, looks whether another node of the deployment reloaded the region files, and reloads this
/// node's folder when it did (``RegionReloader/follow()``). Runs on every node of a PostgreSQL deployment.
struct RegionFollower: Service {
    let reloader: RegionReloader
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                await reloader.follow()
            }
        }
    }
}
