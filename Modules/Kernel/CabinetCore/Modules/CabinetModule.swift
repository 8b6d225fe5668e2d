/// The static descriptor of a feature area (billing, tariffs, …) that a region switches on in its file.
///
/// Runtime objects (services, repositories, routes) are built by the composition root; the descriptor only
/// names the module, declares what it needs, and reads its section of a region file.
public protocol CabinetModule: Sendable {
    /// This module's section of a region file (the key equal to ``id``), read and validated at startup.
    associatedtype Settings: ModuleSettings

    /// Stable key used in region files, routes, logs and metrics, e.g. `billing`.
    static var id: ModuleID { get }
    /// Modules that must also be enabled in any region that enables this one.
    static var requires: Set<ModuleID> { get }
    /// The module's translated texts (error messages, page texts).
    static func messages() throws -> MessageCatalog
}

extension CabinetModule {
    public static var requires: Set<ModuleID> { [] }
}

/// A module's section of a region file.
public protocol ModuleSettings: Sendable {
    /// Reads the section; report problems through `section` and return `nil` when it is invalid.
    /// A region without the section (and defaults without it) is read as an empty mapping.
    init?(from section: ConfigObject)

    /// Checks that need other sections of the same region (a tariff naming an option of Services).
    func validate(in region: RegionValidationContext) -> [ConfigProblem]
}

extension ModuleSettings {
    public func validate(in region: RegionValidationContext) -> [ConfigProblem] { [] }
}

/// Settings of a module that has no keys of its own: its section must be absent or empty.
public struct NoSettings: ModuleSettings {
    public init() {}
    public init?(from section: ConfigObject) {}
}
