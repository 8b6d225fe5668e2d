public import CabinetCore

/// The `tariffs` section of a region file: the catalogue and the change fee.
public struct TariffsSettings: ModuleSettings, Hashable {
    public var catalog: [Tariff]
    /// Charged when a line changes tariff (often zero).
    public var changeFee: Money
    /// The tariff a newly provisioned line gets unless the operator names another.
    public var defaultTariff: TariffID

    public init?(from section: ConfigObject) {
        let changeFee = section.requirePrice("changeFee")
        let defaultTariff = section.require("defaultTariff", TariffID.self)
        let catalog = section.requireList("catalog", Tariff.decode(from:))
        if let catalog {
            var seen: Set<TariffID> = []
            for (index, tariff) in catalog.enumerated() where !seen.insert(tariff.id).inserted {
                section.reader.report(
                    "tariff id \"\(tariff.id)\" is used twice",
                    at: section.value.node.node(at: "catalog[\(index)].id")?.location ?? section.value.node.location,
                    path: "\(section.path).catalog[\(index)].id")
                return nil
            }
            guard catalog.contains(where: { $0.status == .open }) else {
                section.child("catalog")?.problem("at least one tariff must be open")
                return nil
            }
        }
        guard let changeFee, let catalog, let defaultTariff else { return nil }
        guard catalog.contains(where: { $0.id == defaultTariff && $0.status == .open }) else {
            section.child("defaultTariff")?.problem(
                "\"\(defaultTariff)\" is not an open tariff of this region's catalog")
            return nil
        }
        self.catalog = catalog
        self.changeFee = changeFee
        self.defaultTariff = defaultTariff
    }

    public func tariff(_ id: TariffID) -> Tariff? { catalog.first { $0.id == id } }
}
