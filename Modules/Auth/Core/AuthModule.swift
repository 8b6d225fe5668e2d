public import CabinetCore
import Foundation

/// Auth: credentials, login, sessions, journal, linked numbers and delegated access.
public enum AuthModule: CabinetModule {
    public typealias Settings = AuthSettings
    public static let id: ModuleID = "auth"
    public static let requires: Set<ModuleID> = ["subscribers"]
    public static func messages() throws -> MessageCatalog { try MessageCatalog.load(from: Bundle.module) }
}
