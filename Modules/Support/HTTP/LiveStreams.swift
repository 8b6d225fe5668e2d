import CabinetCore
import Synchronization

/// The live streams this server has open per line, so one line cannot hold an unbounded number of them (each reads
/// the database every second). Per process by nature: a stream is a connection to this server.
final class LiveStreams: Sendable {
    private let open = Mutex<[SubscriberID: Int]>([:])
    let maxPerLine: Int

    init(maxPerLine: Int = 4) {
        self.maxPerLine = maxPerLine
    }

    /// Counts a new stream; `false` when the line has its maximum open.
    func open(_ line: SubscriberID) -> Bool {
        open.withLock { counts in
            guard counts[line, default: 0] < maxPerLine else { return false }
            counts[line, default: 0] += 1
            return true
        }
    }

    func close(_ line: SubscriberID) {
        open.withLock { counts in
            let left = counts[line, default: 1] - 1
            counts[line] = left > 0 ? left : nil
        }
    }
}
