import ArgumentParser
import CabinetServer

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    @OptionGroup var data: DataOptions

    func run() async throws {
        try await reporting {
            let configuration = try data.configuration()
            let logger = ProcessLogging.bootstrap(configuration)
            let applied = try await CabinetCommands.migrate(configuration: configuration, logger: logger)
            print(
                applied.isEmpty
                    ? "database is up to date (\(configuration.database))"
                    : "applied \(applied.count) migration(s):\n" + applied.map { "  \($0)" }.joined(separator: "\n"))
        }
    }
}
