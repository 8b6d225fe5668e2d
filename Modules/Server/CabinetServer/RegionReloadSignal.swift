public import ServiceLifecycle
import UnixSignals

/// Reloads the region files on `SIGHUP`, the Unix way of telling a daemon its configuration changed.
public struct RegionReloadSignal: Service {
    let reloader: RegionReloader

    public init(reloader: RegionReloader) {
        self.reloader = reloader
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                await reloader.reload(trigger: "SIGHUP")
            }
        }
    }
}
