import Foundation

/// Where the database is: an SQLite file (the embedded default) or a PostgreSQL server.
///
/// Accepted forms: `sqlite:///absolute/path.sqlite`, `sqlite://relative/path.sqlite`, `sqlite::memory:`,
/// `postgres://user:password@host:5432/database?sslmode=disable|prefer|require` (also `postgresql://`).
public enum DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case sqliteInMemory
    case postgres(PostgresLocation)

    public struct PostgresLocation: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
        public var tls: TLSMode
        /// Extra `search_path`, used by tests to give each test its own schema.
        public var searchPath: String?

        public enum TLSMode: String, Sendable, Hashable { case disable, prefer, require }
    }

    /// The embedded default: `./data/cabinet.sqlite`.
    public static let embeddedDefault = DatabaseURL.sqlite(path: "data/cabinet.sqlite")

    public init(parsing text: String) throws(StorageError) {
        if text == "sqlite::memory:" {
            self = .sqliteInMemory
            return
        }
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty, !path.hasSuffix("/") else {
                throw .invalidURL(text, reason: "an SQLite URL names a file: sqlite:///var/lib/cabinet/cabinet.sqlite")
            }
            self = .sqlite(path: path)
            return
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
            throw .invalidURL(
                text, reason: "use sqlite:///path/to/file.sqlite or postgres://user:password@host:5432/db")
        }
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw .invalidURL(DatabaseURL.redacted(text), reason: "malformed PostgreSQL URL")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.isEmpty else {
            throw .invalidURL(
                DatabaseURL.redacted(text), reason: "the URL must name a database: postgres://host/cabinet")
        }
        var tls = PostgresLocation.TLSMode.prefer
        var searchPath: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(PostgresLocation.TLSMode.init(rawValue:)) else {
                    throw .invalidURL(DatabaseURL.redacted(text), reason: "sslmode must be disable, prefer or require")
                }
                tls = mode
            case "search_path":
                searchPath = item.value
            default:
                throw .invalidURL(DatabaseURL.redacted(text), reason: "unknown parameter \(item.name)")
            }
        }
        self = .postgres(
            PostgresLocation(
                host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
                password: components.password, database: database, tls: tls, searchPath: searchPath))
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        case .sqliteInMemory: "sqlite::memory:"
        case .postgres(let p): "postgres://\(p.username)@\(p.host):\(p.port)/\(p.database)"
        }
    }

    /// The URL with its password replaced, for logs and error messages.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "postgres://…"
    }
}
