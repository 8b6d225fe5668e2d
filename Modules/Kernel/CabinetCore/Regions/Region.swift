public import Foundation

/// One region of the operator, loaded from `Regions/<id>.yaml` over `_defaults.yaml`: its names, currency,
/// time zone, numbering rules, which modules are on, and each module's settings. Immutable: a reload of the folder makes new values (``RegionCatalog``).
public struct Region: Sendable, Identifiable {
    public let id: RegionID
    public let name: LocalizedText
    public let currency: Currency
    /// Business dates (fees, statements, promised-payment terms) are computed in this zone.
    public let timeZone: TimeZone
    public let msisdnRules: MSISDNRules
    /// Enabled modules, in the order the file lists them.
    public let modules: [ModuleID]
    private let settings: [ModuleID: any ModuleSettings]

    public init(
        id: RegionID, name: LocalizedText, currency: Currency, timeZone: TimeZone, msisdnRules: MSISDNRules,
        modules: [ModuleID], settings: [ModuleID: any ModuleSettings]
    ) {
        self.id = id
        self.name = name
        self.currency = currency
        self.timeZone = timeZone
        self.msisdnRules = msisdnRules
        self.modules = modules
        self.settings = settings
    }

    public func isEnabled(_ module: ModuleID) -> Bool { modules.contains(module) }

    /// The module's settings, or `nil` when the module is off in this region.
    public func settings<M: CabinetModule>(for module: M.Type) -> M.Settings? {
        guard isEnabled(M.id) else { return nil }
        return settings[M.id] as? M.Settings
    }

    /// A calendar in the region's time zone for business dates.
    public var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }
}

/// What a module's cross-section check can see: the region's header, the other modules' settings and the
/// merged file tree to point problems at the right line.
public struct RegionValidationContext {
    public let id: RegionID
    public let currency: Currency
    let tree: ConfigNode
    let settings: [ModuleID: any ModuleSettings]

    /// Another module's settings in this region (present even when that module is off, if its section is valid).
    public func settings<M: CabinetModule>(of module: M.Type) -> M.Settings? {
        settings[M.id] as? M.Settings
    }

    /// A problem pointed at the value under `path` (e.g. `tariffs.catalog[2].options[0]`).
    public func problem(at path: String, _ message: String) -> ConfigProblem {
        let location = tree.node(at: path)?.location ?? tree.location
        return ConfigProblem(location: location, path: path, message: message)
    }
}
