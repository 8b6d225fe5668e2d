public import CabinetCore
import Foundation

/// Payments: top-ups through a gateway, saved cards, auto-payment, transfers, promised payment.
public enum PaymentsModule: CabinetModule {
    public typealias Settings = PaymentsSettings
    public static let id: ModuleID = "payments"
    public static let requires: Set<ModuleID> = ["subscribers", "billing"]
    public static func messages() throws -> MessageCatalog { try MessageCatalog.load(from: Bundle.module) }
}
