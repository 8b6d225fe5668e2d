public import CabinetCore
public import CabinetMessaging
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
    /// Provision the demo lines of every region at start (and switch the sandbox gateway on).
    public var demo: Bool = false
    /// The built-in sandbox gateway outside demo mode (a warning at start): anyone can "pay" on its page, so it is
    /// never on in production.
    public var sandboxGateway: Bool = false
    /// `/metrics` to anyone (`CABINET_METRICS_PUBLIC`), instead of behind the operator key.
    public var publicMetrics: Bool = false
    /// Whether the sandbox gateway takes payments: in demo mode or when switched on explicitly.
    public var sandboxEnabled: Bool { demo || sandboxGateway }
    /// `.server` for `cabinet serve` (owns an SQLite file, may cache); `.tool` for every other command.
    public var databaseRole: DatabaseRole = .tool
    /// The operator API key; without one the operator API is off.
    public var operatorKey: String?
    public var logLevel: Logger.Level = .info
    public var logFormat: LogFormat = .text
    /// Where the development mail sink writes `.eml` files.
    public var mailDirectory: URL = URL(fileURLWithPath: "data/mail")
    /// How often the outbox worker looks for messages to send.
    public var outboxPollInterval: Duration = .seconds(1)
    /// How often a node on PostgreSQL looks whether another node reloaded the region files (then reloads its own).
    public var regionsFollowInterval: Duration = .seconds(5)
    /// This node's name among the nodes of a deployment: job leases are held as `<name>:<pid>:<random>`.
    public var nodeName: String = ProcessInfo.processInfo.hostName
    /// Tests of a deployment only: a file whose instant every node's clock follows (``FileClock``).
    public var clockFile: String?

    /// The clock a server runs on: the machine's, or the shared test clock of ``clockFile``.
    public func makeClock() -> any WallClock {
        clockFile.map { FileClock(path: $0) } ?? SystemClock()
    }
    /// Served over HTTPS (behind a TLS-terminating proxy): secure cookies and HSTS.
    public var https: Bool = false
    /// The server secret behind keyed hashes (codes, password pre-hash); generated and kept in the database when unset.
    public var secret: String?
    /// How the cabinet is reached from outside, for social-login callbacks; `http://host:port` when unset.
    public var publicURL: String?
    /// Proxies whose `X-Forwarded-For` is believed.
    public var trustedProxies: Set<String> = []
    /// A YAML file listing social login providers.
    public var identityProvidersFile: URL?
    /// A YAML file listing the acquirers regions may use for payments.
    public var gatewaysFile: URL?
    /// bcrypt cost of passwords and PUKs (10–14; tests set 4 directly).
    public var bcryptCost: UInt8 = 12
    /// Where SMS go: the log (development) or an SMSC over SMPP.
    public var sms: SMSConfiguration = .log
    /// Where e-mail goes: `.eml` files (development) or an SMTP server.
    public var mail: MailConfiguration = .files
    /// The `From:` of e-mails.
    public var mailFrom: String = "Cabinet <no-reply@cabinet.local>"
    /// The TrueType font embedded in PDF statements (must contain Cyrillic).
    public var pdfFont: String = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    /// How often recurring fees are checked for (periods that have come due).
    public var feePollInterval: Duration = .seconds(60)
    /// How often ordered statements are looked for.
    public var statementPollInterval: Duration = .seconds(5)

    /// The e-mail channel.
    public enum MailConfiguration: Sendable, Hashable {
        case files
        case smtp(SMTPConfiguration)
    }

    /// The SMS channel.
    public enum SMSConfiguration: Sendable, Hashable {
        case log
        case smpp(
            host: String, port: Int, systemID: String, password: String, sourceAddress: String, messagesPerSecond: Int)
    }

    /// The base URL outside visitors use.
    public var effectivePublicURL: String { publicURL ?? "http://\(host):\(port)" }

    public enum LogFormat: String, Sendable, CaseIterable { case text, json }

    public init() {}

    /// Environment variables Cabinet reads, with what each sets.
    public static let environmentKeys: [(name: String, help: String)] = [
        ("CABINET_HOST", "address to listen on (127.0.0.1)"),
        ("CABINET_PORT", "port to listen on (8080)"),
        ("CABINET_REGIONS", "folder of region files (Regions)"),
        (
            "CABINET_DATABASE_URL",
            "sqlite:///path/file.sqlite or postgres://user:password@host:5432/db (sqlite://data/cabinet.sqlite)"
        ),
        ("CABINET_DEMO", "true: provision demo lines at start (false)"),
        ("CABINET_OPERATOR_KEY", "operator API key, at least 16 characters; no key = operator API off"),
        ("CABINET_LOG_LEVEL", "trace, debug, info, notice, warning, error, critical (info)"),
        ("CABINET_LOG_FORMAT", "text or json (text)"),
        ("CABINET_MAIL_DIR", "folder of the development mail sink (data/mail)"),
        ("CABINET_OUTBOX_POLL", "outbox poll interval, e.g. 1s, 500ms (1s)"),
        ("CABINET_HTTPS", "true when served over HTTPS: secure cookies, HSTS (false)"),
        (
            "CABINET_SECRET",
            "server secret for keyed hashes, at least 32 characters (generated and stored in the database when unset)"
        ),
        ("CABINET_PUBLIC_URL", "external base URL, e.g. https://my.operator.example (http://host:port)"),
        ("CABINET_TRUSTED_PROXIES", "comma-separated addresses of proxies whose X-Forwarded-For is trusted (none)"),
        ("CABINET_IDENTITY_PROVIDERS", "YAML file of social login providers (none)"),
        ("CABINET_GATEWAYS", "YAML file of payment acquirers regions may name in payments.gateway"),
        (
            "CABINET_METRICS_PUBLIC",
            "true: /metrics without the operator key, for a scraper on a private network (false)"
        ),
        (
            "CABINET_SANDBOX",
            "true: the built-in sandbox gateway takes payments without --demo; never in production (false)"
        ),
        ("CABINET_BCRYPT_COST", "bcrypt cost for passwords, 10–14 (12)"),
        ("CABINET_SMS", "log or smpp (log)"),
        ("CABINET_SMPP_HOST", "SMSC host (with CABINET_SMS=smpp)"),
        ("CABINET_SMPP_PORT", "SMSC port (2775)"),
        ("CABINET_SMPP_SYSTEM_ID", "SMPP system_id"),
        ("CABINET_SMPP_PASSWORD", "SMPP password"),
        ("CABINET_SMPP_SOURCE", "sender address shown on phones (CABINET)"),
        ("CABINET_SMPP_RATE", "messages per second the SMSC allows (20)"),
        ("CABINET_MAIL", "files or smtp (files: .eml files in CABINET_MAIL_DIR)"),
        ("CABINET_MAIL_FROM", "From: of e-mails (Cabinet <no-reply@cabinet.local>)"),
        ("CABINET_SMTP_HOST", "SMTP server (with CABINET_MAIL=smtp)"),
        ("CABINET_SMTP_PORT", "SMTP port (587)"),
        ("CABINET_SMTP_SECURITY", "starttls, tls or none (starttls)"),
        ("CABINET_SMTP_REQUIRE_TLS", "true: never send without TLS (true unless security is none)"),
        ("CABINET_SMTP_USER", "SMTP user name (no AUTH when unset)"),
        ("CABINET_SMTP_PASSWORD", "SMTP password"),
        ("CABINET_SMTP_CA_FILE", "PEM file of CA certificates to trust for SMTP (the system's when unset)"),
        (
            "CABINET_PDF_FONT",
            "TrueType font with Cyrillic for PDF statements (/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf)"
        ),
        ("CABINET_FEE_POLL", "how often due recurring fees are charged, e.g. 60s (60s)"),
        ("CABINET_STATEMENT_POLL", "how often ordered statements are produced, e.g. 5s (5s)"),
        ("CABINET_NODE_NAME", "this node's name in a deployment, shown in job leases (the host name)"),
        (
            "CABINET_REGIONS_FOLLOW",
            "how often a node on PostgreSQL looks whether another node reloaded the region files (5s)"
        ),
        (
            "CABINET_CLOCK_FILE",
            "tests only, with the sandbox: a file with an ISO 8601 instant that moves every node's clock (none)"
        ),
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

        public init(
            host: String? = nil, port: Int? = nil, regions: String? = nil, database: String? = nil,
            demo: Bool? = nil, operatorKey: String? = nil, logLevel: String? = nil
        ) {
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
            if text.isEmpty || text.contains(where: \.isWhitespace) {
                problems.append("\(source): invalid host \"\(text)\"")
            } else {
                configuration.host = text
            }
        }
        if let port = overrides.port {
            if (0...65535).contains(port) {
                configuration.port = port
            } else {
                problems.append("--port: \(port) is not a port")
            }
        } else if let text = environment["CABINET_PORT"] {
            if let port = Int(text), (0...65535).contains(port) {
                configuration.port = port
            } else {
                problems.append("CABINET_PORT: \"\(text)\" is not a port (0–65535)")
            }
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
            if let flag = parseBool(text) {
                configuration.demo = flag
            } else {
                problems.append("CABINET_DEMO: \"\(text)\" is not true or false")
            }
        }
        if let text = environment["CABINET_METRICS_PUBLIC"] {
            if let flag = parseBool(text) {
                configuration.publicMetrics = flag
            } else {
                problems.append("CABINET_METRICS_PUBLIC: \"\(text)\" is not true or false")
            }
        }
        if let text = environment["CABINET_SANDBOX"] {
            if let flag = parseBool(text) {
                configuration.sandboxGateway = flag
            } else {
                problems.append("CABINET_SANDBOX: \"\(text)\" is not true or false")
            }
        }
        if let (text, source) = value("CABINET_OPERATOR_KEY", overrides.operatorKey) {
            if text.count < 16 {
                problems.append("\(source): the operator key must have at least 16 characters")
            } else {
                configuration.operatorKey = text
            }
        }
        if let (text, source) = value("CABINET_LOG_LEVEL", overrides.logLevel) {
            if let level = Logger.Level(rawValue: text.lowercased()) {
                configuration.logLevel = level
            } else {
                problems.append("\(source): unknown log level \"\(text)\"")
            }
        }
        if let text = environment["CABINET_LOG_FORMAT"] {
            if let format = LogFormat(rawValue: text.lowercased()) {
                configuration.logFormat = format
            } else {
                problems.append("CABINET_LOG_FORMAT: \"\(text)\" is not text or json")
            }
        }
        if let text = environment["CABINET_MAIL_DIR"] {
            if text.isEmpty {
                problems.append("CABINET_MAIL_DIR: empty")
            } else {
                configuration.mailDirectory = URL(fileURLWithPath: text)
            }
        }
        if let text = environment["CABINET_NODE_NAME"] {
            if text.isEmpty || text.count > 64 || text.contains(where: \.isWhitespace) {
                problems.append("CABINET_NODE_NAME: \"\(text)\" is not a name of 1–64 characters without spaces")
            } else {
                configuration.nodeName = text
            }
        }
        if let text = environment["CABINET_CLOCK_FILE"], !text.isEmpty {
            configuration.clockFile = text
        }
        if let text = environment["CABINET_REGIONS_FOLLOW"] {
            if let duration = parseDuration(text), duration > .zero {
                configuration.regionsFollowInterval = duration
            } else {
                problems.append("CABINET_REGIONS_FOLLOW: \"\(text)\" is not a duration such as 5s or 500ms")
            }
        }
        if let text = environment["CABINET_OUTBOX_POLL"] {
            if let duration = parseDuration(text), duration > .zero {
                configuration.outboxPollInterval = duration
            } else {
                problems.append("CABINET_OUTBOX_POLL: \"\(text)\" is not a duration such as 1s or 250ms")
            }
        }
        if let text = environment["CABINET_HTTPS"] {
            if let flag = parseBool(text) {
                configuration.https = flag
            } else {
                problems.append("CABINET_HTTPS: \"\(text)\" is not true or false")
            }
        }
        if let text = environment["CABINET_SECRET"] {
            if text.count < 32 {
                problems.append("CABINET_SECRET: must have at least 32 characters")
            } else {
                configuration.secret = text
            }
        }
        if let text = environment["CABINET_PUBLIC_URL"] {
            if let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil {
                configuration.publicURL = text.hasSuffix("/") ? String(text.dropLast()) : text
            } else {
                problems.append("CABINET_PUBLIC_URL: \"\(text)\" is not an http(s) URL")
            }
        }
        if let text = environment["CABINET_TRUSTED_PROXIES"] {
            configuration.trustedProxies = Set(
                text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        if let text = environment["CABINET_GATEWAYS"] {
            if FileManager.default.fileExists(atPath: text) {
                configuration.gatewaysFile = URL(fileURLWithPath: text)
            } else {
                problems.append("CABINET_GATEWAYS: no file \(text)")
            }
        }
        if let text = environment["CABINET_IDENTITY_PROVIDERS"] {
            if FileManager.default.fileExists(atPath: text) {
                configuration.identityProvidersFile = URL(fileURLWithPath: text)
            } else {
                problems.append("CABINET_IDENTITY_PROVIDERS: no file \(text)")
            }
        }
        if let text = environment["CABINET_BCRYPT_COST"] {
            if let cost = UInt8(text), (10...14).contains(cost) {
                configuration.bcryptCost = cost
            } else {
                problems.append("CABINET_BCRYPT_COST: \"\(text)\" is not 10–14")
            }
        }
        switch environment["CABINET_SMS"] {
        case nil, "log": break
        case "smpp":
            let host = environment["CABINET_SMPP_HOST"] ?? ""
            let port = environment["CABINET_SMPP_PORT"].map { Int($0) } ?? 2775
            let systemID = environment["CABINET_SMPP_SYSTEM_ID"] ?? ""
            let rate = environment["CABINET_SMPP_RATE"].map { Int($0) } ?? 20
            if host.isEmpty { problems.append("CABINET_SMPP_HOST: required with CABINET_SMS=smpp") }
            if systemID.isEmpty || systemID.count > 15 {
                problems.append("CABINET_SMPP_SYSTEM_ID: required, at most 15 characters")
            }
            guard let port, (1...65535).contains(port) else {
                problems.append("CABINET_SMPP_PORT: not a port")
                break
            }
            guard let rate, rate > 0 else {
                problems.append("CABINET_SMPP_RATE: not a positive number")
                break
            }
            configuration.sms = .smpp(
                host: host, port: port, systemID: systemID, password: environment["CABINET_SMPP_PASSWORD"] ?? "",
                sourceAddress: environment["CABINET_SMPP_SOURCE"] ?? "CABINET", messagesPerSecond: rate)
        case let other?:
            problems.append("CABINET_SMS: \"\(other)\" is not log or smpp")
        }
        switch environment["CABINET_MAIL"] {
        case nil, "files": break
        case "smtp":
            let host = environment["CABINET_SMTP_HOST"] ?? ""
            if host.isEmpty { problems.append("CABINET_SMTP_HOST: required with CABINET_MAIL=smtp") }
            let security = SMTPConfiguration.Security(rawValue: environment["CABINET_SMTP_SECURITY"] ?? "starttls")
            if security == nil {
                problems.append(
                    "CABINET_SMTP_SECURITY: \"\(environment["CABINET_SMTP_SECURITY"] ?? "")\" is not starttls, tls or none"
                )
            }
            let port = Int(environment["CABINET_SMTP_PORT"] ?? (security == .tls ? "465" : "587"))
            if port.map({ !(1...65535).contains($0) }) ?? true { problems.append("CABINET_SMTP_PORT: not a port") }
            var requireTLS = security != SMTPConfiguration.Security.none
            if let text = environment["CABINET_SMTP_REQUIRE_TLS"] {
                if let flag = parseBool(text) {
                    requireTLS = flag
                } else {
                    problems.append("CABINET_SMTP_REQUIRE_TLS: \"\(text)\" is not true or false")
                }
            }
            if let file = environment["CABINET_SMTP_CA_FILE"], !FileManager.default.fileExists(atPath: file) {
                problems.append("CABINET_SMTP_CA_FILE: no file \(file)")
            }
            if let security, let port, !host.isEmpty {
                configuration.mail = .smtp(
                    SMTPConfiguration(
                        host: host, port: port, security: security, requireTLS: requireTLS,
                        username: environment["CABINET_SMTP_USER"],
                        password: environment["CABINET_SMTP_PASSWORD"], caFile: environment["CABINET_SMTP_CA_FILE"]))
            }
        case let other?:
            problems.append("CABINET_MAIL: \"\(other)\" is not files or smtp")
        }
        if let text = environment["CABINET_MAIL_FROM"] {
            if text.contains("@"), !text.contains(where: { $0 == "\r" || $0 == "\n" }) {
                configuration.mailFrom = text
            } else {
                problems.append("CABINET_MAIL_FROM: \"\(text)\" is not an e-mail address")
            }
        }
        if let text = environment["CABINET_PDF_FONT"] {
            if FileManager.default.isReadableFile(atPath: text) {
                configuration.pdfFont = text
            } else {
                problems.append("CABINET_PDF_FONT: cannot read \(text)")
            }
        }
        for (name, keyPath) in [
            ("CABINET_FEE_POLL", \CabinetConfiguration.feePollInterval),
            ("CABINET_STATEMENT_POLL", \CabinetConfiguration.statementPollInterval),
        ] {
            guard let text = environment[name] else { continue }
            if let duration = parseDuration(text), duration > .zero {
                configuration[keyPath: keyPath] = duration
            } else {
                problems.append("\(name): \"\(text)\" is not a duration such as 60s or 500ms")
            }
        }
        if configuration.clockFile != nil, !configuration.sandboxEnabled {
            problems.append("CABINET_CLOCK_FILE: only for tests, with CABINET_SANDBOX=true or --demo")
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
