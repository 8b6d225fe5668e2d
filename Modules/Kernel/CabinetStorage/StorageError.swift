public import CabinetCore

/// Failures of the storage layer that callers may handle; anything else is a driver error.
public enum StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidURL(String, reason: String)
    case schemaNewer(unknownMigrations: [String])
    case migrationFailed(id: String, reason: String)
    case durabilityNotGuaranteed(String)
    case closed
    /// A server (or a writing command) uses this SQLite file; a second server must not start on it.
    case inUse(String)
    /// A server owns this SQLite file: a command beside it may read but not write.
    case serverRunning(String)
    /// A statement's result has no column of this name.
    case missingColumn(String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason): "invalid database URL \(url): \(reason)"
        case .schemaNewer(let ids):
            "the database has migrations this build does not know (\(ids.joined(separator: ", "))); run a newer cabinet"
        case .migrationFailed(let id, let reason): "migration \(id) failed: \(reason)"
        case .durabilityNotGuaranteed(let reason): "refusing to run: \(reason)"
        case .closed: "the database is closed"
        case .inUse(let path):
            "\(path) is in use by another cabinet server or a cabinet command that writes; stop it first"
        case .serverRunning(let path):
            "a cabinet server is running on \(path): stop it first, or do this through its operator API"
        case .missingColumn(let name): "the result has no column \(name)"
        }
    }

    /// The same failure as a ``CabinetError`` (for HTTP and the command line).
    public var cabinetError: CabinetError {
        switch self {
        case .schemaNewer: CabinetError(KernelError.storageSchemaNewer)
        case .serverRunning, .inUse: CabinetError(KernelError.storageInUse, arguments: ["reason": description])
        default: CabinetError(KernelError.storageUnavailable, arguments: ["reason": description])
        }
    }
}
