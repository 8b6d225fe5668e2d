import ArgumentParser
import CabinetServer

/// `cabinet`: the operator's one binary. Each subcommand parses its arguments and calls CabinetServer.
@main
struct CabinetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cabinet",
        abstract: "The subscriber self-service cabinet of a mobile operator.",
        discussion: """
            Settings come from defaults, then CABINET_* environment variables, then flags.
            Run `cabinet serve --demo` to try it on an embedded SQLite database with demo lines.
            """,
        version: CabinetVersion.version,
        subcommands: [
            Serve.self, Migrate.self, RegionsCommand.self, SubscribersCommand.self, OutboxCommand.self,
            AuthCommand.self, AgentsCommand.self, UsageCommand.self, LedgerCommand.self, DemoCommand.self,
            VersionCommand.self,
        ])
}
