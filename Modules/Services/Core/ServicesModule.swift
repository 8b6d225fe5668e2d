public import CabinetCore
import Foundation

/// Services: options catalogue, connect/disconnect, black list, barring, SIM block.
public enum ServicesModule: CabinetModule {
    public typealias Settings = ServicesSettings
    public static let id: ModuleID = "services"
    public static let requires: Set<ModuleID> = ["subscribers", "tariffs"]
    public static func messages() throws -> MessageCatalog { try MessageCatalog.load(from: Bundle.module) }
}
