public import CabinetCore
public import CabinetHTTP
public import CabinetStorage
public import Foundation
public import Logging

/// Reloads the region files into the running server without a restart (`SIGHUP`, `cabinet regions reload`,
/// `POST /operator/v1/regions/reload`).
///
/// The whole folder is validated as a start validates it — every file, what the server's gateways and mounted
/// modules allow — and then each module says whether the change would break data it keeps (a region or a tariff
/// removed while lines are on it). Only when all is well does the new catalogue replace the old one, at once for
/// every module ( ``RegionCatalog/replace(with:)``); requests in flight finish on the version they started with.
/// On any problem nothing changes. One reload runs at a time.
public actor RegionReloader {
    let directory: URL
    let catalog: RegionCatalog
    let loader: RegionLoader
    /// Modules switched on somewhere at start: their routes and jobs exist. Switching on another needs a restart.
    let mountedModules: Set<ModuleID>
    /// Currencies of the regions at start: the ledger has system accounts for these.
    let startCurrencies: Set<Currency>
    let validations: [@Sendable (RegionCatalog) -> [ConfigProblem]]
    let checks: [any RegionChangeCheck]
    let metrics: HTTPMetrics?
    let logger: Logger
    /// Where a reload is announced to the other nodes (PostgreSQL; `nil` for a lone SQLite server).
    let announcements: CabinetDatabase?
    let clock: any WallClock
    /// The announced version this node last followed, so that a folder of its own that differs is read once.
    private var followed: String?
    /// The last reload asked for; the next one waits for it.
    private var queue: Task<RegionReloadReport, Never>?

    /// The setting other nodes follow: the version of the last successful reload on any node.
    static let announcementKey = "regions.version"

    public init(
        directory: URL, catalog: RegionCatalog, loader: RegionLoader, mountedModules: Set<ModuleID>,
        validations: [@Sendable (RegionCatalog) -> [ConfigProblem]], checks: [any RegionChangeCheck],
        metrics: HTTPMetrics?, logger: Logger, announcements: CabinetDatabase? = nil,
        clock: any WallClock = SystemClock()
    ) {
        self.directory = directory
        self.catalog = catalog
        self.loader = loader
        self.mountedModules = mountedModules
        self.startCurrencies = Set(catalog.current.regions.map(\.currency))
        self.validations = validations
        self.checks = checks
        self.metrics = metrics
        self.logger = logger
        self.announcements = announcements
        self.clock = clock
    }

    /// Reloads when another node announced a version this node does not serve (each announced version once): an
    /// operator reloads one node of a deployment, and the others follow within ``CabinetConfiguration/regionsFollowInterval``.
    public func follow() async {
        guard let announcements else { return }
        let wanted: String?
        do {
            wanted = try await announcements.storedValue(Self.announcementKey)
        } catch {
            logger.warning("cannot read the announced region files' version", metadata: ["error": "\(error)"])
            return
        }
        guard let wanted, wanted != catalog.version, wanted != followed else { return }
        followed = wanted
        let report = await reload(trigger: "another node reloaded \(wanted)")
        if report.result == .refused, report.refusals.isEmpty {
            // The data could not be asked (the database was away): try again next time.
            followed = nil
        }
    }

    /// Reads the folder again and puts it in service when nothing is wrong. `trigger` names who asked, for the log.
    @discardableResult
    public func reload(trigger: String) async -> RegionReloadReport {
        // One at a time: the actor lets another call in at every await of the checks, so each reload waits for the
        // whole of the one before it (queued before the first await, so they run in the order they came).
        let previous = queue
        let turn = Task { () -> RegionReloadReport in
            _ = await previous?.value
            return await self.perform(trigger: trigger)
        }
        queue = turn
        return await turn.value
    }

    private func perform(trigger: String) async -> RegionReloadReport {
        let report = await attempt()
        metrics?.increment("cabinet_regions_reload_total", dimensions: [("result", report.result.rawValue)])
        var metadata: Logger.Metadata = [
            "regions.trigger": .string(trigger), "regions.result": .string(report.result.rawValue),
            "regions.version": .string(report.version), "regions.previous": .string(report.previousVersion),
        ]
        switch report.result {
        case .reloaded:
            metadata["regions.ids"] = .string(report.regions.joined(separator: ","))
            logger.notice("region files reloaded", metadata: metadata)
            followed = report.version
            do {
                try await announcements?.store(Self.announcementKey, value: report.version, at: clock.now)
            } catch {
                logger.warning(
                    "the reload is not announced to the other nodes; reload them by hand",
                    metadata: ["error": "\(error)"])
            }
        case .unchanged:
            logger.info("region files unchanged", metadata: metadata)
        case .invalid, .refused:
            metadata["regions.candidate"] = .string(report.candidateVersion ?? "")
            metadata["regions.problems"] = .array(
                (report.problems + report.refusals.map(\.description)).map { .string($0) })
            logger.error("region files not reloaded; the old ones stay in service", metadata: metadata)
        }
        return report
    }

    private func attempt() async -> RegionReloadReport {
        // The version in service, not the one the asking request was pinned to.
        let current = catalog.current
        let loaded = loader.load(directory: directory)
        func report(_ result: RegionReloadReport.Result, problems: [String] = [], refusals: [RegionChangeRefusal] = [])
            -> RegionReloadReport
        {
            RegionReloadReport(
                result: result, version: result == .reloaded ? loaded.version : current.version,
                previousVersion: current.version, candidateVersion: loaded.version, problems: problems,
                refusals: refusals, regions: (result == .reloaded ? loaded.regions : current.regions).map(\.id.rawValue)
            )
        }
        guard loaded.problems.isEmpty else { return report(.invalid, problems: loaded.problems.map(\.description)) }
        let candidate = RegionCatalog(regions: loaded.regions, version: loaded.version)
        var problems = validations.flatMap { $0(candidate) }.map(\.description)
        for region in candidate.regions {
            // Billing opens its system accounts for the currencies in use at start.
            if !startCurrencies.contains(region.currency) {
                problems.append(
                    ConfigProblem(
                        location: ConfigLocation(file: "\(region.id.rawValue).yaml"), path: "currency",
                        message: "\(region.currency.code) was in no region at start: a new currency needs a restart"
                    ).description)
            }
            for module in region.modules where !mountedModules.contains(module) {
                problems.append(
                    ConfigProblem(
                        location: ConfigLocation(file: "\(region.id.rawValue).yaml"), path: "modules",
                        message: "\(module.rawValue) was off in every region at start: switching it on needs a restart"
                    ).description)
            }
        }
        guard problems.isEmpty else { return report(.invalid, problems: problems) }
        guard loaded.version != current.version else { return report(.unchanged) }
        var refusals: [RegionChangeRefusal] = []
        for check in checks {
            do {
                refusals += try await check.refusals(from: current, to: candidate.snapshot)
            } catch {
                // Unable to tell whether data would break (the database is away): no change is safer.
                return report(.refused, problems: ["the change could not be checked against the data: \(error)"])
            }
        }
        guard refusals.isEmpty else { return report(.refused, refusals: refusals) }
        catalog.replace(with: candidate)
        return report(.reloaded)
    }
}
