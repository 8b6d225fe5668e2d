import Foundation
public import Logging

/// One JSON object per log line (`CABINET_LOG_FORMAT=json`) for log collectors: time, level, label, message,
/// source and every metadata key (request ids, routes, statuses).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: String] = [
            "time": Date().formatted(.iso8601.time(includingFractionalSeconds: true).year().month().day()),
            "level": event.level.rawValue, "label": label, "message": "\(event.message)", "source": event.source,
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = "\(value)"
        }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else {
            return
        }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}
