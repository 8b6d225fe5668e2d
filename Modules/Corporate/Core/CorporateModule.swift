public import CabinetCore
import Foundation

/// Corporate: the business cabinet. Companies (by application and the operator's approval), their admins by
/// designated number, employee lines and groups, and quotas the network's call check enforces.
public enum CorporateModule: CabinetModule {
    public typealias Settings = CorporateSettings
    public static let id: ModuleID = "corporate"
    public static let requires: Set<ModuleID> = ["subscribers", "auth", "tariffs", "billing", "services"]
    public static func messages() throws -> MessageCatalog { try MessageCatalog.load(from: Bundle.module) }
}
