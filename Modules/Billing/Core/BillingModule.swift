public import CabinetCore
import Foundation

/// Billing: ledger, balances, package buckets, usage rating, recurring fees, statements.
public enum BillingModule: CabinetModule {
    public typealias Settings = BillingSettings
    public static let id: ModuleID = "billing"
    public static let requires: Set<ModuleID> = ["subscribers", "tariffs"]
    public static func messages() throws -> MessageCatalog { try MessageCatalog.load(from: Bundle.module) }
}
