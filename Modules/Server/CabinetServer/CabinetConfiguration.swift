public import CabinetStorage
public import Foundation
public import Logging

/// The process's own settings: where to listen, which database, which regions folder, secrets.
///
/// Layered as defaults < environment (`CABINET_*`) < command-line flags. Every value is checked when loaded:
/// a malformed value or an unknown `CABINET_*` variable (a typo that would otherwise be silently ignored) is an
/// error at startup. `CABINET_TEST_*` variables belong to the test suite and are ignored here.
public struct CabinetConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var regionsDirectory: URL = URL(fileURLWithPath: "Regions")
    public var database: DatabaseURL = .embeddedDefault
    /// Provision the demo lines of every region at start.
    public var demo: Bool = false
    /// The operator API key; without one the operator API is off.
    public var operatorKey: String?
    public var logLevel: Logger.Level = .info
    public var logFormat: LogFormat = .text
    /// Where the development mail sink writes `.eml` files.
    public var mailDirectory: URL = URL(fileURLWithPath: "data/mail")
    /// How often the outbox worker looks for messages to send.
    public var outboxPollInterval: Duration = .seconds(1)
    /// Served over HTTPS (behind a TLS-terminating proxy): secure cookies and HSTS.
    public var https: Bool = false

    public enum LogFormat: String, Sendable, CaseIterable { case text, json }

    public init() {}

    /// Environment variables Cabinet reads, with what each sets.
    public static let environmentKeys: [(name: String, help: String)] = [
        ("CABINET_HOST", "address to listen on (127.0.0.1)"),
        ("CABINET_PORT", "port to listen on (8080)"),
        ("CABINET_REGIONS", "folder of region files (Regions)"),
        ("CABINET_DATABASE_URL", "sqlite:///path/file.sqlite or postgres://user:password@host:5432/db (sqlite://data/cabinet.sqlite)"),
        ("CABINET_DEMO", "true: provision demo lines at start (false)"),
        ("CABINET_OPERATOR_KEY", "operator API key, at least 16 characters; no key = operator API off"),
        ("CABINET_LOG_LEVEL", "trace, debug, info, notice, warning, error, critical (info)"),
        ("CABINET_LOG_FORMAT", "text or json (text)"),
        ("CABINET_MAIL_DIR", "folder of the development mail sink (data/mail)"),
        ("CABINET_OUTBOX_POLL", "outbox poll interval, e.g. 1s, 500ms (1s)"),
        ("CABINET_HTTPS", "true when served over HTTPS: secure cookies, HSTS (false)"),
    ]

    /// Values given on the command line; `nil` leaves the lower layers' value.
    public struct Overrides: Sendable {
        public var host: String?
        public var port: Int?
        public var regions: String?
        public var database: String?
        public var demo: Bool?
        public var operatorKey: String?
        public var logLevel: String?

        public init(host: String? = nil, port: Int? = nil, regions: String? = nil, database: String? = nil,
                    demo: Bool? = nil, operatorKey: String? = nil, logLevel: String? = nil) {
            self.host = host
            self.port = port
            self.regions = regions
            self.database = database
            self.demo = demo
            self.operatorKey = operatorKey
            self.logLevel = logLevel
        }
    }

    /// Builds the configuration from `environment` and `overrides`, collecting every problem.
    public static func load(environment: [String: String], overrides: Overrides = .init()) throws(ConfigurationError)
        -> CabinetConfiguration
    {
        var configuration = CabinetConfiguration()
        var problems: [String] = []
        let known = Set(environmentKeys.map(\.name))
        for name in environment.keys.sorted() where name.hasPrefix("CABINET_") && !name.hasPrefix("CABINET_TEST_") {
            if !known.contains(name) { problems.append("unknown setting \(name)") }
        }
        func value(_ env: String, _ flag: String?) -> (String, String)? {
            if let flag { return (flag, "flag for \(env)") }
            if let text = environment[env] { return (text, env) }
            return nil
        }
        if let (text, source) = value("CABINET_HOST", overrides.host) {
            if text.isEmpty || text.contains(where: \.isWhitespace) { problems.append("\(source): invalid host \"\(text)\"") }
            else { configuration.host = text }
        }
        if let port = overrides.port {
            if (0...65535).contains(port) { configuration.port = port } else { problems.append("--port: \(port) is not a port") }
        } else if let text = environment["CABINET_PORT"] {
            if let port = Int(text), (0...65535).contains(port) { configuration.port = port }
            else { problems.append("CABINET_PORT: \"\(text)\" is not a port (0–65535)") }
        }
        if let (text, _) = value("CABINET_REGIONS", overrides.regions) {
            configuration.regionsDirectory = URL(fileURLWithPath: text)
        }
        if let (text, source) = value("CABINET_DATABASE_URL", overrides.database) {
            do {
                configuration.database = try DatabaseURL(parsing: text)
            } catch {
                problems.append("\(source): \(error)")
            }
        }
        if let demo = overrides.demo {
            configuration.demo = demo
        } else if let text = environment["CABINET_DEMO"] {
            if let flag = parseBool(text) { configuration.demo = flag }
            else { problems.append("CABINET_DEMO: \"\(text)\" is not true or false") }
        }
        if let (text, source) = value("CABINET_OPERATOR_KEY", overrides.operatorKey) {
            if text.count < 16 { problems.append("\(source): the operator key must have at least 16 characters") }
            else { configuration.operatorKey = text }
        }
        if let (text, source) = value("CABINET_LOG_LEVEL", overrides.logLevel) {
            if let level = Logger.Level(rawValue: text.lowercased()) { configuration.logLevel = level }
            else { problems.append("\(source): unknown log level \"\(text)\"") }
        }
        if let text = environment["CABINET_LOG_FORMAT"] {
            if let format = LogFormat(rawValue: text.lowercased()) { configuration.logFormat = format }
            else { problems.append("CABINET_LOG_FORMAT: \"\(text)\" is not text or json") }
        }
        if let text = environment["CABINET_MAIL_DIR"] {
            if text.isEmpty { problems.append("CABINET_MAIL_DIR: empty") } else { configuration.mailDirectory = URL(fileURLWithPath: text) }
        }
        if let text = environment["CABINET_OUTBOX_POLL"] {
            if let duration = parseDuration(text), duration > .zero { configuration.outboxPollInterval = duration }
            else { problems.append("CABINET_OUTBOX_POLL: \"\(text)\" is not a duration such as 1s or 250ms") }
        }
        if let text = environment["CABINET_HTTPS"] {
            if let flag = parseBool(text) { configuration.https = flag }
            else { problems.append("CABINET_HTTPS: \"\(text)\" is not true or false") }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return configuration
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }

    static func parseDuration(_ text: String) -> Duration? {
        if text.hasSuffix("ms"), let value = Int64(text.dropLast(2)) { return .milliseconds(value) }
        if text.hasSuffix("s"), let value = Int64(text.dropLast()) { return .seconds(value) }
        return nil
    }
}

/// Every problem with the process settings, reported together.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}
