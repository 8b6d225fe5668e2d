import ArgumentParser
import CabinetServer

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Provision demo lines in every region (idempotent) and print how to log in.")

    @OptionGroup var data: DataOptions

    func run() async throws {
        try await reporting {
            let configuration = try data.configuration()
            let logger = ProcessLogging.bootstrap(configuration)
            let runtime = try await CabinetRuntime.start(
                configuration: configuration, dependencies: .init(logger: logger))
            do {
                let lines = try await DemoProvisioner(runtime: runtime).provision()
                await runtime.close()
                print(DemoProvisioner.table(lines))
                print(
                    "\nStart the cabinet with `cabinet serve --demo` and open http://127.0.0.1:8080/ ; log in with a number above."
                )
            } catch {
                await runtime.close()
                throw error
            }
        }
    }
}

struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    func run() async throws {
        print("cabinet \(CabinetVersion.version)")
    }
}
