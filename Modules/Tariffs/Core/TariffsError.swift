public import CabinetCore

/// Stable error codes of Tariffs.
public enum TariffsError {
    public static let unknown: ErrorCode = "tariffs.unknown"
    public static let archived: ErrorCode = "tariffs.archived"
    public static let notInRegion: ErrorCode = "tariffs.notInRegion"
    public static let same: ErrorCode = "tariffs.same"
    public static let timingNotAllowed: ErrorCode = "tariffs.timingNotAllowed"
    public static let insufficientFunds: ErrorCode = "tariffs.insufficientFunds"
    public static let noTariff: ErrorCode = "tariffs.noTariff"
    public static let alreadyAssigned: ErrorCode = "tariffs.alreadyAssigned"
    public static let changePending: ErrorCode = "tariffs.changePending"
    public static let changedMeanwhile: ErrorCode = "tariffs.changedMeanwhile"

    public static let all: [ErrorCode] = [unknown, archived, notInRegion, same, timingNotAllowed, insufficientFunds, noTariff,
                                          alreadyAssigned, changePending, changedMeanwhile]
}

extension RegionCatalog {
    /// A tariff of a region's catalogue.
    public func tariff(_ id: TariffID, in region: RegionID) -> Tariff? {
        self.region(region)?.settings(for: TariffsModule.self)?.tariff(id)
    }

    /// Open tariffs of a region, in catalogue order.
    public func openTariffs(in region: RegionID) -> [Tariff] {
        self.region(region)?.settings(for: TariffsModule.self)?.catalog.filter { $0.status == .open } ?? []
    }
}
