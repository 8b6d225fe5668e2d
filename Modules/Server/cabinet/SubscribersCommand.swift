import ArgumentParser
import CabinetCore
import CabinetServer
import Foundation
import Subscribers

struct SubscribersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribers", abstract: "Provision and look up lines.",
        subcommands: [Add.self, Import.self, Show.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Provision one line.")

        @Option(help: "The number, in any usual form (+7 900 123-45-67, 89001234567).") var msisdn: String
        @Option(help: "Region id (msk, spb, almaty, …).") var region: String
        @Option(help: "active, blocked, suspended or terminated.") var status: String = "active"
        @Option(help: "Activation date YYYY-MM-DD (default: today in the region).") var activatedOn: String?
        @Option(help: "Owner's full name.") var name: String?
        @Option(help: "Owner's e-mail.") var email: String?
        @Option(help: "Owner's contact number.") var contact: String?
        @Option(help: "Owner's postal address.") var address: String?
        @Option(help: "Company id of a corporate line.") var company: String?
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await reporting {
                let configuration = try data.configuration()
                let logger = ProcessLogging.bootstrap(configuration)
                var header = ["msisdn", "region", "status"]
                var row = [msisdn, region, status]
                for (column, value) in [
                    ("activated_on", activatedOn), ("full_name", name), ("email", email),
                    ("contact_number", contact), ("postal_address", address), ("company", company),
                ] {
                    if let value {
                        header.append(column)
                        row.append(value)
                    }
                }
                // One record through the import path: the same checks and messages as a CSV row.
                let csv =
                    header.joined(separator: ";") + "\n"
                    + row.map { "\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" }
                    .joined(separator: ";") + "\n"
                let runtime = try await CabinetRuntime.start(
                    configuration: configuration, dependencies: .init(logger: logger))
                let report = await CabinetCommands.importSubscribers(csv: csv, runtime: runtime) { _ in }
                let number = try? MSISDN(parsing: msisdn)
                let line =
                    try await number.asyncMap { try await runtime.services.subscribers.service.line(msisdn: $0) } ?? nil
                await runtime.close()
                if let failure = report.failures.first {
                    throw CommandFailure(
                        CabinetCommands.explain(
                            failure.error, catalog: runtime.catalog,
                            language: CabinetCommands.outputLanguage))
                }
                if let line {
                    print(
                        (report.created == 1 ? "created\n" : report.updated == 1 ? "updated\n" : "unchanged\n")
                            + CabinetCommands.describe(line))
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import lines from a CSV file (idempotent; bad rows are reported with line numbers).",
            discussion: "Columns: msisdn, region (required); status, activated_on, full_name, email, contact_number, "
                + "postal_address, company. Separated by , or ;")

        @Argument(help: "The CSV file.") var file: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await reporting {
                let configuration = try data.configuration()
                let logger = ProcessLogging.bootstrap(configuration)
                let text: String
                do {
                    text = try String(contentsOfFile: file, encoding: .utf8)
                } catch {
                    throw CommandFailure("cannot read \(file) as UTF-8 text: \(error.localizedDescription)")
                }
                let runtime = try await CabinetRuntime.start(
                    configuration: configuration, dependencies: .init(logger: logger))
                let started = ContinuousClock.now
                let report = await CabinetCommands.importSubscribers(csv: text, runtime: runtime) { progress in
                    FileHandle.standardError.write(Data("\rimported \(progress.processed)/\(progress.total)".utf8))
                }
                FileHandle.standardError.write(Data("\n".utf8))
                await runtime.close()
                print(
                    CabinetCommands.describe(report, catalog: runtime.catalog, language: CabinetCommands.outputLanguage)
                )
                let (seconds, attoseconds) = (ContinuousClock.now - started).components
                print(String(format: "took %.2f s", Double(seconds) + Double(attoseconds) / 1e18))
                if !report.failures.isEmpty { throw ExitCode.failure }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one line.")

        @Argument(help: "The number.") var msisdn: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await reporting {
                let configuration = try data.configuration()
                let logger = ProcessLogging.bootstrap(configuration)
                let number: MSISDN
                do {
                    number = try MSISDN(parsing: msisdn)
                } catch let error as MSISDNError {
                    throw error.cabinetError()
                }
                let runtime = try await CabinetRuntime.start(
                    configuration: configuration, dependencies: .init(logger: logger))
                let line = try await runtime.services.subscribers.service.line(msisdn: number)
                await runtime.close()
                guard let line else {
                    throw CabinetError(SubscribersError.notFound, arguments: ["msisdn": number.formatted])
                }
                print(CabinetCommands.describe(line))
            }
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
