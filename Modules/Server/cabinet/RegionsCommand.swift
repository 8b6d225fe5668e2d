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

        func run() async throws {
            let folder = dir ?? ProcessInfo.processInfo.environment["CABINET_REGIONS"] ?? "Regions"
            let (report, ok) = CabinetCommands.checkRegions(directory: URL(fileURLWithPath: folder))
            print(report)
            if !ok { throw ExitCode.failure }
        }
    }
}
