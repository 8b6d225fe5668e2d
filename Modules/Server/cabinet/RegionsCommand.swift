import ArgumentParser
import CabinetServer
import Foundation

struct RegionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regions", abstract: "Work with region files.", subcommands: [Check.self, Reload.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate every region file and print every problem with file, line and key path.")

        @Option(help: "Folder of region files (env CABINET_REGIONS; default Regions).")
        var dir: String?

        @Option(help: "The operator's acquirers, which payments.gateway may name (env CABINET_GATEWAYS).")
        var gateways: String?

        @Flag(help: "Check as `serve --demo` would start (the sandbox gateway on); env CABINET_SANDBOX=true too.")
        var demo = false

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let folder = dir ?? environment["CABINET_REGIONS"] ?? "Regions"
            let (report, ok) = CabinetCommands.checkRegions(
                directory: URL(fileURLWithPath: folder),
                gatewaysFile: (gateways ?? environment["CABINET_GATEWAYS"]).map { URL(fileURLWithPath: $0) },
                sandboxOn: demo || environment["CABINET_SANDBOX"]?.lowercased() == "true")
            print(report)
            if !ok { throw ExitCode.failure }
        }
    }

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a running server read its region files again (as SIGHUP does) and print what happened.",
            discussion: """
                Nothing changes when a file has a problem or the change would strand lines (a region or tariff \
                removed while lines are on it); every problem is printed and the exit status is 1.
                """)

        @Option(help: "The server (env CABINET_URL; default http://127.0.0.1:$CABINET_PORT or :8080).")
        var url: String?

        @Option(help: "Operator API key (env CABINET_OPERATOR_KEY).")
        var operatorKey: String?

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let base = url ?? environment["CABINET_URL"] ?? "http://127.0.0.1:\(environment["CABINET_PORT"] ?? "8080")"
            guard let key = operatorKey ?? environment["CABINET_OPERATOR_KEY"], !key.isEmpty else {
                throw ValidationError("the operator key is needed: --operator-key or CABINET_OPERATOR_KEY")
            }
            let (text, ok) = try await CabinetCommands.reloadRegions(server: base, operatorKey: key)
            print(text)
            if !ok { throw ExitCode.failure }
        }
    }
}
