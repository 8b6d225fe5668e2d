public import CabinetCore
import Foundation

/// Subscribers: the line registry (MSISDN, region, status, activation date, owner profile, company).
public enum SubscribersModule: CabinetModule {
    public typealias Settings = NoSettings
    public static let id: ModuleID = "subscribers"
    public static func messages() throws -> MessageCatalog { try MessageCatalog.load(from: Bundle.module) }
}
