import ArgumentParser
import CabinetServer
import Foundation

struct RegionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regions", abstract: "Work with region files.", subcommands: [Check.self])

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
}
