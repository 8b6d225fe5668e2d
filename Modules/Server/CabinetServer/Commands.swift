public import CabinetCore
import CabinetMessaging
import CabinetStorage
public import Foundation
public import Logging
import Payments
import PaymentsAdapters
public import Subscribers
import Support

/// What the `cabinet` subcommands do, as library functions (the executable only parses arguments).
public enum CabinetCommands {
    /// The language of command output: Russian when `LANG` says so, English otherwise.
    public static var outputLanguage: Language {
        let lang = ProcessInfo.processInfo.environment["LANG"] ?? ""
        return lang.lowercased().hasPrefix("ru") ? .ru : .en
    }

    /// `cabinet regions check`: the report and whether it is clean. Besides the files themselves it checks what a
    /// start checks: every `payments.gateway` must be an acquirer of `gatewaysFile` (`CABINET_GATEWAYS`) or the
    /// sandbox. The sandbox is on only with `--demo` or `CABINET_SANDBOX`, so for a region that uses it the check
    /// warns (a demo start takes it, a production start refuses it) unless `sandboxOn`.
    public static func checkRegions(directory: URL, gatewaysFile: URL? = nil, sandboxOn: Bool = false)
        -> (report: String, ok: Bool)
    {
        let report = CabinetModules.regionLoader.load(directory: directory)
        var lines = report.problems.map(\.description)
        guard report.problems.isEmpty else {
            lines.append("\(report.problems.count) problem(s) in \(directory.path); nothing was loaded")
            return (lines.joined(separator: "\n"), false)
        }
        var gateways: Set<String> = [SandboxGateway.gatewayName]
        var errors: [String] = []
        if let gatewaysFile {
            do {
                gateways.formUnion(try GatewaysFile.load(gatewaysFile).map(\.id))
            } catch {
                errors.append("\(gatewaysFile.lastPathComponent): error: \(error)")
            }
        }
        let catalog = RegionCatalog(regions: report.regions)
        for problem in PaymentsAssembly.gatewayProblems(regions: catalog, gateways: gateways, sandboxOn: true) {
            errors.append(problem.description)
        }
        if !sandboxOn {
            for problem in PaymentsAssembly.gatewayProblems(
                regions: catalog, gateways: gateways.subtracting([SandboxGateway.gatewayName]), sandboxOn: false)
            where problem.message.contains("sandbox gateway") {
                lines.append(problem.description.replacingOccurrences(of: ": error: ", with: ": warning: "))
            }
        }
        // The FAQ beside the region files is checked as a start checks it.
        let faq = FAQCatalogue.load(from: directory, regions: catalog)
        errors += faq.problems.map(\.description)
        lines += errors
        if faq.problems.isEmpty, !faq.articles.isEmpty {
            lines.append("ok: \(FAQCatalogue.folderName)/ — \(Set(faq.articles.map(\.id)).count) FAQ article(s)")
        }
        for region in report.regions {
            lines.append(
                "ok: \(region.id).yaml — \(region.name.ru) / \(region.name.en), \(region.currency.code), "
                    + "\(region.timeZone.identifier), modules: \(region.modules.map(\.rawValue).joined(separator: ", "))"
            )
        }
        if errors.isEmpty {
            lines.append("\(report.regions.count) region(s) valid in \(directory.path)")
        } else {
            lines.append("\(errors.count) problem(s) in \(directory.path): a start would refuse them")
        }
        return (lines.joined(separator: "\n"), errors.isEmpty)
    }

    /// `cabinet migrate`: applies pending migrations; returns their ids.
    public static func migrate(configuration: CabinetConfiguration, logger: Logger) async throws -> [String] {
        let database = try await CabinetDatabase.open(configuration.database, logger: logger)
        do {
            let applied = try await Migrator(migrations: CabinetModules.migrations).migrate(database, logger: logger)
            await database.close()
            return applied
        } catch {
            await database.close()
            throw error
        }
    }

    /// `cabinet subscribers import FILE.csv`.
    public static func importSubscribers(
        csv: String, runtime: CabinetRuntime, progress: @escaping @Sendable (SubscriberImport.Progress) -> Void
    ) async -> SubscriberImport.Report {
        await SubscriberImport(service: runtime.services.subscribers.service).run(csv: csv, progress: progress)
    }

    /// Renders an import report, one failure per line with its line number.
    public static func describe(_ report: SubscriberImport.Report, catalog: MessageCatalog, language: Language)
        -> String
    {
        var lines: [String] = []
        for failure in report.failures {
            lines.append("line \(failure.line): \(explain(failure.error, catalog: catalog, language: language))")
        }
        lines.append(
            "created \(report.created), updated \(report.updated), unchanged \(report.unchanged), "
                + "failed \(report.failures.count) of \(report.total)")
        return lines.joined(separator: "\n")
    }

    /// An error in words: its field problems when it has them, its own message otherwise.
    public static func explain(_ error: CabinetError, catalog: MessageCatalog, language: Language) -> String {
        guard !error.fieldErrors.isEmpty else { return catalog.message(for: error, in: language) }
        return error.fieldErrors.map { "\($0.field): \(catalog.message(for: $0, in: language))" }.joined(
            separator: "; ")
    }

    /// `cabinet outbox`: recent messages as a table.
    public static func outbox(runtime: CabinetRuntime, to recipient: String?, limit: Int) async throws -> String {
        let entries = try await runtime.database.read { db in
            try await Outbox.recent(to: recipient, limit: limit, on: db)
        }
        let formatter = ISO8601DateFormatter()
        var rows = [["id", "time", "channel", "to", "status", "text"]]
        rows += entries.map {
            [
                String($0.id), formatter.string(from: $0.createdAt), $0.channel, $0.recipient, $0.status.rawValue,
                ($0.subject.map { "[\($0)] " } ?? "") + $0.body.replacingOccurrences(of: "\n", with: " "),
            ]
        }
        return entries.isEmpty ? "no messages" : TextTable.render(rows)
    }

    /// `cabinet subscribers show`: one line's details.
    public static func describe(_ line: Line) -> String {
        TextTable.render([
            ["number", line.msisdn.formatted],
            ["id", line.id.description],
            ["region", line.region.rawValue],
            ["status", line.status.rawValue],
            ["activated", line.activatedOn.description],
            ["owner", line.owner.fullName ?? "—"],
            ["e-mail", line.owner.email ?? "—"],
            ["contact", line.owner.contactNumber?.formatted ?? "—"],
            ["address", line.owner.postalAddress ?? "—"],
            ["company", line.companyID?.rawValue ?? "—"],
            ["profile", "\(line.owner.completenessPercent)%"],
        ])
    }
}
