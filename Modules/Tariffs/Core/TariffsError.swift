public import CabinetCore

/// Stable error codes of Tariffs.
public enum TariffsError: ErrorCatalogue {
    public static let unknown = ErrorCode("tariffs.unknown", .notFound)
    public static let archived = ErrorCode("tariffs.archived", .rejected)
    public static let notInRegion = ErrorCode("tariffs.notInRegion", .rejected)
    public static let same = ErrorCode("tariffs.same", .rejected)
    public static let timingNotAllowed = ErrorCode("tariffs.timingNotAllowed", .rejected)
    public static let insufficientFunds = ErrorCode("tariffs.insufficientFunds", .rejected)
    public static let noTariff = ErrorCode("tariffs.noTariff", .notFound)
    public static let alreadyAssigned = ErrorCode("tariffs.alreadyAssigned", .conflict)
    public static let changePending = ErrorCode("tariffs.changePending", .conflict)
    public static let changedMeanwhile = ErrorCode("tariffs.changedMeanwhile", .conflict)

    public static let all: [ErrorCode] = [
        unknown, archived, notInRegion, same, timingNotAllowed, insufficientFunds, noTariff,
        alreadyAssigned, changePending, changedMeanwhile,
    ]
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
