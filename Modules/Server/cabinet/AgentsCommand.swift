import ArgumentParser
import CabinetCore
import CabinetServer
import Foundation
import Support

/// `cabinet agents add|disable|enable|list`: the operator's support staff (also `/operator/v1/support/agents`).
struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents", abstract: "Create and disable support agents.",
        subcommands: [Add.self, Disable.self, Enable.self, List.self])

    /// Runs `body` on a started runtime and closes it either way.
    static func withDesk(_ data: DataOptions, _ body: (any AgentDesk) async throws -> Void) async throws {
        let configuration = try data.configuration()
        let logger = ProcessLogging.bootstrap(configuration)
        let runtime = try await CabinetRuntime.start(configuration: configuration, dependencies: .init(logger: logger))
        do {
            try await body(runtime.services.support.service)
            await runtime.close()
        } catch {
            await runtime.close()
            throw error
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an agent; prints the first password and the authenticator key once.")

        @Argument(help: "The login: 3–32 lowercase Latin letters, digits, dots and hyphens.") var login: String
        @Option(help: "The agent's name as subscribers see it.") var name: String
        @Option(help: "agent or supervisor.") var role: String = "agent"
        @Option(help: "Regions served, comma-separated (msk,spb).") var serves: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await reporting {
                guard let role = Agent.Role(rawValue: role) else {
                    throw CommandFailure("--role is agent or supervisor, not \(role)")
                }
                let ids = try serves.split(separator: ",").map { text -> RegionID in
                    guard let id = RegionID(rawValue: String(text).trimmingCharacters(in: .whitespaces)) else {
                        throw CommandFailure("\"\(text)\" is not a region id")
                    }
                    return id
                }
                try await AgentsCommand.withDesk(data) { desk in
                    let created = try await desk.addAgent(login: login, name: name, role: role, regions: Set(ids))
                    print(
                        """
                        agent \(created.agent.login) (\(created.agent.role.rawValue)) serves \
                        \(created.agent.regions.map(\.rawValue).sorted().joined(separator: ", "))
                        first password: \(created.password)
                        authenticator key: \(created.totpSecret)
                        \(created.provisioningURI)
                        Give these to the agent once; they are not shown again.
                        """)
                }
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an agent and end their sessions.")
        @Argument(help: "The login.") var login: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await reporting {
                try await AgentsCommand.withDesk(data) { desk in try await desk.setDisabled(login: login, true) }
                print("agent \(login) disabled")
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled agent again.")
        @Argument(help: "The login.") var login: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await reporting {
                try await AgentsCommand.withDesk(data) { desk in try await desk.setDisabled(login: login, false) }
                print("agent \(login) enabled")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the agents.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await reporting {
                try await AgentsCommand.withDesk(data) { desk in
                    for agent in try await desk.agents() {
                        print(
                            "\(agent.login)\t\(agent.name)\t\(agent.role.rawValue)\t"
                                + "\(agent.regions.map(\.rawValue).sorted().joined(separator: ","))\t"
                                + (agent.disabled ? "disabled" : agent.enrolled ? "active" : "not enrolled"))
                    }
                }
            }
        }
    }
}
