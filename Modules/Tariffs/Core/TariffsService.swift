public import CabinetCore
public import Foundation

/// What Tariffs does, as its HTTP target calls it: the catalogue of a region, a line's tariff and its history, and
/// the tariff change with its preview (priced and posted by Billing, which implements ``TariffChangeService``).
/// ``DefaultTariffsService`` is the implementation.
public protocol TariffsService: TariffChangeService {
    /// The service's clock's now.
    var now: Date { get }
    /// Whether the region exists.
    func serves(region: RegionID) -> Bool
    /// The tariffs of a region a line may move to, in the catalogue's order.
    func openTariffs(in region: RegionID) -> [Tariff]
    /// A tariff of a region, archived ones included.
    func tariff(_ id: TariffID, in region: RegionID) -> Tariff?
    /// The line's tariff spans, newest first (including one planned for later).
    func history(of line: SubscriberID) async throws -> [LineTariff]
}

/// The catalogue from the region files, the spans from a ``LineTariffStore``, changes by a ``TariffChangeService``.
public struct DefaultTariffsService: TariffsService {
    let regions: RegionCatalog
    let lineTariffs: any LineTariffStore
    let changes: any TariffChangeService
    let clock: any WallClock

    public init(
        regions: RegionCatalog, lineTariffs: any LineTariffStore, changes: any TariffChangeService, clock: any WallClock
    ) {
        self.regions = regions
        self.lineTariffs = lineTariffs
        self.changes = changes
        self.clock = clock
    }

    public var now: Date { clock.now }

    public func serves(region: RegionID) -> Bool { regions.region(region) != nil }

    public func openTariffs(in region: RegionID) -> [Tariff] { regions.openTariffs(in: region) }

    public func tariff(_ id: TariffID, in region: RegionID) -> Tariff? { regions.tariff(id, in: region) }

    public func history(of line: SubscriberID) async throws -> [LineTariff] { try await lineTariffs.history(of: line) }

    public func preview(line: LineAccess, to tariff: TariffID, timing: TariffChangeTiming) async throws
        -> TariffChangePreview
    {
        try await changes.preview(line: line, to: tariff, timing: timing)
    }

    public func change(line: LineAccess, to tariff: TariffID, timing: TariffChangeTiming) async throws
        -> (ServiceRequest, TariffChangePreview)
    {
        try await changes.change(line: line, to: tariff, timing: timing)
    }
}
