import ArgumentParser
import Auth
import CabinetCore
import CabinetServer

struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth", abstract: "Provision PUK codes and answer \"confirm on the phone\" logins.",
        subcommands: [PUK.self, Push.self])

    struct PUK: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store the PUK printed in a line's SIM pack.")

        @Argument(help: "The number.") var msisdn: String
        @Argument(help: "The 8-digit PUK.") var puk: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await reporting {
                let configuration = try data.configuration()
                let logger = ProcessLogging.bootstrap(configuration)
                let number = try parseNumber(msisdn)
                let runtime = try await CabinetRuntime.start(
                    configuration: configuration, dependencies: .init(logger: logger))
                do {
                    try await runtime.services.auth.service.provisionPUK(puk, for: number)
                    await runtime.close()
                } catch {
                    await runtime.close()
                    throw error
                }
                print("PUK stored for \(number.formatted)")
            }
        }
    }

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer a pending \"press 1 to confirm\" login (the development gateway).",
            discussion:
                "The id is in the login page's address (/login/push/ID) and in the answer of POST /api/v1/auth/push.")

        enum Answer: String, ExpressibleByArgument { case confirm, decline }

        @Argument(help: "confirm or decline") var answer: Answer
        @Argument(help: "The request id.") var id: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await reporting {
                let configuration = try data.configuration()
                let logger = ProcessLogging.bootstrap(configuration)
                let runtime = try await CabinetRuntime.start(
                    configuration: configuration, dependencies: .init(logger: logger))
                do {
                    try await runtime.services.auth.service.resolvePush(id: id, confirmed: answer == .confirm)
                    await runtime.close()
                } catch {
                    await runtime.close()
                    throw error
                }
                print(answer == .confirm ? "confirmed" : "declined")
            }
        }
    }
}

func parseNumber(_ text: String) throws -> MSISDN {
    do {
        return try MSISDN(parsing: text)
    } catch {
        throw error.cabinetError()
    }
}
