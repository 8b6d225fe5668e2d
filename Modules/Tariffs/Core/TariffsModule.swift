public import CabinetCore
import Foundation

/// Tariffs: the region's catalogue, a line's tariff and its history, tariff change with preview.
public enum TariffsModule: CabinetModule {
    public typealias Settings = TariffsSettings
    public static let id: ModuleID = "tariffs"
    public static let requires: Set<ModuleID> = ["subscribers"]
    public static func messages() throws -> MessageCatalog { try MessageCatalog.load(from: Bundle.module) }
}
