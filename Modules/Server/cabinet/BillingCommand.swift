import ArgumentParser
import Billing
import CabinetCore
import CabinetServer
import Foundation

struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage", abstract: "Feed usage from the network.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Rate usage events from a CSV file (each event once, ever; bad rows are reported with line numbers).",
            discussion:
                "Columns: event_id, msisdn, kind (call|sms|data), occurred_at (RFC 3339), quantity (seconds, 1, bytes), "
                + "call_kind (onNet|offNet|intercity), other_party. Separated by , or ;")

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
                let report: UsageImport.Report
                do {
                    report = try await CabinetCommands.importUsage(csv: text, runtime: runtime) { progress in
                        FileHandle.standardError.write(
                            Data("\rrows \(progress.processed)/\(progress.total), rated \(progress.rated)".utf8))
                    }
                } catch {
                    await runtime.close()
                    throw error
                }
                FileHandle.standardError.write(Data("\n".utf8))
                await runtime.close()
                print(
                    CabinetCommands.describe(report, catalog: runtime.catalog, language: CabinetCommands.outputLanguage)
                )
                let elapsed = ContinuousClock.now - started
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                print(String(format: "took %.2f s (%.0f rows/s)", seconds, Double(report.rows) / max(seconds, 0.001)))
                if !report.failures.isEmpty { throw ExitCode.failure }
            }
        }
    }
}

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "Inspect the money ledger.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Prove the ledger: every transaction sums to zero, every balance equals its entries, no external id twice."
        )

        @OptionGroup var data: DataOptions

        func run() async throws {
            try await reporting {
                let configuration = try data.configuration()
                let logger = ProcessLogging.bootstrap(configuration)
                let runtime = try await CabinetRuntime.start(
                    configuration: configuration, dependencies: .init(logger: logger))
                let report: LedgerCheckReport
                do {
                    report = try await runtime.services.billing.service.checkLedger()
                } catch {
                    await runtime.close()
                    throw error
                }
                await runtime.close()
                print(CabinetCommands.describe(report))
                if !report.isClean { throw ExitCode.failure }
            }
        }
    }
}
