import ArgumentParser
import CabinetCore
import CabinetServer
import Foundation
import Logging

/// `--database` and `--regions`, taken the same way by every command that touches data.
struct DataOptions: ParsableArguments {
    @Option(
        help:
            "Database: sqlite:///path/file.sqlite or postgres://user:password@host:5432/db (env CABINET_DATABASE_URL).")
    var database: String?

    @Option(help: "Folder of region files (env CABINET_REGIONS; default Regions).")
    var regions: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error (env CABINET_LOG_LEVEL).")
    var logLevel: String?

    func configuration(defaultLogLevel: Logger.Level = .warning, overrides: CabinetConfiguration.Overrides = .init())
        throws -> CabinetConfiguration
    {
        var merged = overrides
        merged.database = merged.database ?? database
        merged.regions = merged.regions ?? regions
        merged.logLevel = merged.logLevel ?? logLevel
        var environment = ProcessInfo.processInfo.environment
        if merged.logLevel == nil, environment["CABINET_LOG_LEVEL"] == nil {
            environment["CABINET_LOG_LEVEL"] = defaultLogLevel.rawValue
        }
        do {
            return try CabinetConfiguration.load(environment: environment, overrides: merged)
        } catch {
            throw CommandFailure(error.description)
        }
    }
}

/// A failure already explained to the person; printed as is, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Logging for the process: text or JSON lines on standard error, at the configured level.
enum ProcessLogging {
    static func bootstrap(_ configuration: CabinetConfiguration) -> Logger {
        let level = configuration.logLevel
        switch configuration.logFormat {
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "cabinet")
        logger.logLevel = level
        return logger
    }
}

/// Turns the errors commands meet into readable text.
enum Explain {
    static func error(_ error: any Error) -> String {
        switch error {
        case let error as ConfigError:
            "region files have problems:\n\(error.description)"
        case let error as CabinetError:
            (try? CabinetModules.messages().message(for: error, in: CabinetCommands.outputLanguage))
                ?? error.description
        case let error as CommandFailure:
            error.description
        default:
            // PostgresNIO hides the server's message from `description` (for logs other people read); the operator
            // at this terminal needs it to act.
            "\(error)".contains("String(reflecting: error)") ? String(reflecting: error) : "\(error)"
        }
    }
}

extension AsyncParsableCommand {
    /// Runs `body`, printing a readable message and exiting with 1 on failure.
    func reporting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ExitCode {
            throw error
        } catch {
            let lines = Explain.error(error).split(separator: "\n").map { "error: \($0)\n" }.joined()
            FileHandle.standardError.write(Data(lines.utf8))
            throw ExitCode.failure
        }
    }
}
