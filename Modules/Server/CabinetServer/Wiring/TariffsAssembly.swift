public import CabinetCore
public import CabinetStorage
import Logging
public import Tariffs
import TariffsStorage

/// The tariff catalogue (from the region files) and each line's tariff. Its pages are served once Billing can price
/// a change, so ``BillingAssembly`` adds them.
public struct TariffsAssembly: ModuleAssembly {
    public struct Exports: Sendable {
        public let lineTariffs: any LineTariffStore
        /// Lines' tariff spans written in Billing's transactions.
        public let lineTariffWriter: any LineTariffWriter
    }

    public static var module: any CabinetModule.Type { TariffsModule.self }
    public static var migrations: [Migration] { TariffsSchema.migrations }

    public init() {}

    public func assemble(_ kernel: CabinetKernel) async throws -> Assembled<Exports> {
        let store = SQLLineTariffStore(database: kernel.database)
        return Assembled(
            exports: Exports(lineTariffs: store, lineTariffWriter: store),
            parts: ModuleParts(regionChecks: [TariffRemovalCheck(store: store, clock: kernel.clock)]))
    }
}
