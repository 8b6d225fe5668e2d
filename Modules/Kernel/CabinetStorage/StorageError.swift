public import CabinetCore

/// Failures of the storage layer that callers may handle; anything else is a driver error.
public enum StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidURL(String, reason: String)
    case schemaNewer(unknownMigrations: [String])
    case migrationFailed(id: String, reason: String)
    case durabilityNotGuaranteed(String)
    case closed

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): "invalid database URL \(url): \(reason)"
        case .schemaNewer(let ids):
            "the database has migrations this build does not know (\(ids.joined(separator: ", "))); run a newer cabinet"
        case .migrationFailed(let id, let reason): "migration \(id) failed: \(reason)"
        case .durabilityNotGuaranteed(let reason): "refusing to run: \(reason)"
        case .closed: "the database is closed"
        }
    }

    /// The same failure as a ``CabinetError`` (for HTTP and the command line).
    public var cabinetError: CabinetError {
        switch self {
        case .schemaNewer: CabinetError("storage.schemaNewer", kind: .unavailable)
        default: CabinetError("storage.unavailable", kind: .unavailable, arguments: ["reason": description])
        }
    }
}
