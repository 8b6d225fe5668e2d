public import CabinetCore
import Foundation

/// Support: tickets, chat with agents, feedback, the region's contacts.
public enum SupportModule: CabinetModule {
    public typealias Settings = SupportSettings
    public static let id: ModuleID = "support"
    public static let requires: Set<ModuleID> = ["subscribers"]
    public static func messages() throws -> MessageCatalog { try MessageCatalog.load(from: Bundle.module) }
}
