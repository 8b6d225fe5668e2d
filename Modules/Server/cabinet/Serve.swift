import ArgumentParser
import CabinetCore
import CabinetServer
import CabinetStorage
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the cabinet web server.")

    @Option(help: "Address to listen on (env CABINET_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env CABINET_PORT; default 8080).")
    var port: Int?

    @Flag(help: "Provision the demo lines of every region at start and print them.")
    var demo = false

    @Option(help: "Operator API key (env CABINET_OPERATOR_KEY); without a key the operator API is off.")
    var operatorKey: String?

    @OptionGroup var data: DataOptions

    func run() async throws {
        try await reporting {
            var loaded = try data.configuration(
                defaultLogLevel: .info,
                overrides: .init(host: host, port: port, demo: demo ? true : nil, operatorKey: operatorKey))
            // The server owns an SQLite file alone: commands beside it read, and its stores may cache what they write.
            loaded.databaseRole = .server
            let configuration = loaded
            let logger = ProcessLogging.bootstrap(configuration)
            let runtime = try await CabinetRuntime.start(
                configuration: configuration, dependencies: .init(clock: configuration.makeClock(), logger: logger))
            var table: String?
            if configuration.demo {
                do {
                    table = DemoProvisioner.table(try await DemoProvisioner(runtime: runtime).provision())
                } catch {
                    await runtime.close()
                    throw error
                }
            }
            let demoTable = table
            let host = configuration.host
            let app = try buildApplication(runtime: runtime) { port in
                var text = "Cabinet is running at http://\(host):\(port ?? configuration.port)/\n"
                text +=
                    "database: \(configuration.database), regions: \(runtime.regions.regions.map(\.id.rawValue).joined(separator: ", "))\n"
                if let demoTable {
                    text +=
                        "\nDemo lines (log in with the number; SMS codes appear in this log and in `cabinet outbox`):\n"
                    text += demoTable + "\n"
                }
                if configuration.operatorKey == nil {
                    text += "operator API: off (set CABINET_OPERATOR_KEY to enable)\n"
                }
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            var service = app
            service.addServices(RegionReloadSignal(reloader: runtime.regionReloader))
            try await service.runService()
        }
    }
}
