public import Logging
import Synchronization

/// Keeps every log line written through it, for tests that check what the logs show (and what they must not).
public final class LogRecording: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// The messages logged so far, each followed by its metadata as `key=value`.
    public var messages: [String] { lines.withLock { $0 } }

    /// A logger that writes here.
    public func logger(label: String = "cabinet.test") -> Logger {
        var logger = Logger(label: label) { _ in RecordingLogHandler(recording: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }
}

struct RecordingLogHandler: LogHandler {
    let recording: LogRecording
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        recording.append("\(event.message) \(rendered)")
    }
}
