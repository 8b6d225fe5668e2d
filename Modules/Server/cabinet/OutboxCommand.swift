import ArgumentParser
import CabinetCore
import CabinetServer

struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "List recent outgoing messages (the dev SMS sink keeps one-time codes here).")

    @Option(help: "Only messages to this number or address.") var to: String?
    @Option(help: "How many messages.") var limit: Int = 20
    @OptionGroup var data: DataOptions

    func run() async throws {
        try await reporting {
            let configuration = try data.configuration()
            let logger = ProcessLogging.bootstrap(configuration)
            var recipient = to
            if let to, !to.contains("@") {
                do {
                    recipient = try MSISDN(parsing: to).e164
                } catch let error as MSISDNError {
                    throw error.cabinetError(field: "to")
                }
            }
            let runtime = try await CabinetRuntime.start(
                configuration: configuration, dependencies: .init(logger: logger))
            let text = try await CabinetCommands.outbox(
                runtime: runtime, to: recipient, limit: min(max(limit, 1), 1000))
            await runtime.close()
            print(text)
        }
    }
}
