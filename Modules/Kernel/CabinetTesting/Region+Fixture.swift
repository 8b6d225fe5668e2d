public import CabinetCore
import Foundation

extension Region {
    /// A region with no module settings, for tests of modules that need only its identity and numbering rules.
    public static func fixture(
        id: String = "msk", name: String = "Москва", currency: Currency = .rub, timeZone: String = "Europe/Moscow",
        prefixes: [String] = ["900", "901"], modules: [ModuleID] = ["subscribers"],
        settings: [ModuleID: any ModuleSettings] = [:]
    ) -> Region {
        Region(
            id: RegionID(rawValue: id) ?? RegionID(rawValue: "msk")!, name: LocalizedText(ru: name, en: name),
            currency: currency, timeZone: TimeZone(identifier: timeZone) ?? .gmt,
            msisdnRules: MSISDNRules(prefixes: prefixes),
            modules: modules, settings: settings)
    }
}

extension RegionCatalog {
    /// Moscow (`900`, `901`) and Almaty (`701`, KZT) with the line registry on, plus `off` where it is off.
    public static var fixture: RegionCatalog {
        RegionCatalog(regions: [
            .fixture(),
            .fixture(id: "almaty", name: "Алматы", currency: .kzt, timeZone: "Asia/Almaty", prefixes: ["701"]),
            .fixture(id: "off", name: "Выключен", prefixes: ["902"], modules: []),
        ])
    }
}
