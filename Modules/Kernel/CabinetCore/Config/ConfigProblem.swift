/// Where a value of a configuration file is: file name, line and column (1-based) where known.
public struct ConfigLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?

    public init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `msk.yaml:12:7`, the form editors and CI annotate.
    public var description: String {
        switch (line, column) {
        case let (line?, column?): "\(file):\(line):\(column)"
        case let (line?, nil): "\(file):\(line)"
        default: file
        }
    }
}

/// One problem found in a configuration file: where, at which key path, and what is wrong.
public struct ConfigProblem: Hashable, Sendable, CustomStringConvertible {
    public var location: ConfigLocation
    /// Dotted key path such as `tariffs.catalog[1].fee.amount`; empty for the file itself.
    public var path: String
    public var message: String

    public init(location: ConfigLocation, path: String, message: String) {
        self.location = location
        self.path = path
        self.message = message
    }

    /// `msk.yaml:12:7: error: tariffs.catalog[1].fee.amount: must not be negative`
    public var description: String {
        path.isEmpty ? "\(location): error: \(message)" : "\(location): error: \(path): \(message)"
    }
}

/// Every problem found while loading configuration, reported together.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
