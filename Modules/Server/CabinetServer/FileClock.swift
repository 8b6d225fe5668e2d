import CabinetCore
import Foundation
import Synchronization

/// A clock several processes share for tests of a deployment (`CABINET_CLOCK_FILE`, only with the sandbox or demo
/// mode): the file holds an ISO 8601 instant, and the time is that instant plus the real time since the file last
/// changed. Rewriting the file moves every node's clock at once (a month of fee days in a minute); between
/// rewrites time flows, so sessions, leases and timeouts behave. Read again at most every 50 ms.
final class FileClock: WallClock {
    private struct Reading {
        var base: Date
        var since: Date
        var checked: Date
        var modified: Date?
    }

    let path: String
    private let state: Mutex<Reading>

    init(path: String) {
        self.path = path
        let now = Date()
        state = Mutex(Reading(base: now, since: now, checked: .distantPast, modified: nil))
    }

    var now: Date {
        let real = Date()
        return state.withLock { reading in
            if real.timeIntervalSince(reading.checked) >= 0.05 {
                reading.checked = real
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                let modified = attributes?[.modificationDate] as? Date
                if let modified, modified != reading.modified,
                    let text = try? String(contentsOfFile: path, encoding: .utf8),
                    let base = ISO8601DateFormatter().date(from: text.trimmingCharacters(in: .whitespacesAndNewlines))
                {
                    reading.modified = modified
                    reading.base = base
                    reading.since = modified
                }
            }
            return reading.base.addingTimeInterval(max(0, real.timeIntervalSince(reading.since)))
        }
    }
}
