public import CabinetCore
import CabinetHTTP
import CabinetMessaging
public import CabinetStorage
import Foundation
import Logging
public import Services
import ServicesHTTP
import ServicesStorage

/// The options catalogue: connecting and disconnecting options on lines, their fees through Billing's ledger (in
/// one transaction with the change), the line's tariff deciding which options are included.
public struct ServicesAssembly: ModuleAssembly {
    public struct Exports: Sendable {
        public let service: any ServicesService
        /// Rules later modules add to the network's call check (Corporate's quotas).
        public let callGuards: Listeners<any CallGuard>
    }

    public static var module: any CabinetModule.Type { ServicesModule.self }
    public static var migrations: [Migration] { ServicesSchema.migrations }

    let subscribers: SubscribersAssembly.Exports
    let tariffs: TariffsAssembly.Exports
    let billing: BillingAssembly.Exports
    /// Auth's check of a SIM's PUK and its codes to contact numbers, for blocking a lost SIM without a login.
    let puk: any PUKCheck & ContactNumberCheck

    public init(
        subscribers: SubscribersAssembly.Exports, tariffs: TariffsAssembly.Exports, billing: BillingAssembly.Exports,
        puk: any PUKCheck & ContactNumberCheck
    ) {
        self.puk = puk
        self.subscribers = subscribers
        self.tariffs = tariffs
        self.billing = billing
    }

    public func assemble(_ kernel: CabinetKernel) async throws -> Assembled<Exports> {
        let outbox = kernel.outbox
        let store = SQLServicesStore(
            database: kernel.database, ledger: billing.ledgerTransactions, recurring: billing.recurringCharges,
            messagesQueued: { outbox.nudge() })
        let service = DefaultServicesService(
            store: store, ledger: billing.ledger, lines: subscribers.directory, lineTariffs: tariffs.lineTariffs,
            regions: kernel.regions, clock: kernel.clock, logger: kernel.logger, registry: subscribers.service,
            puk: puk, contactCodes: puk, reads: kernel.database)
        // A tariff change frees, drops or removes options; Billing asks in its preview and applies in its change.
        billing.tariffOptionRules.add(service)
        let http: [any HTTPModule] =
            kernel.isEnabled(ServicesModule.self)
            ? [
                ServicesHTTPModule(
                    service: service, idempotency: IdempotentRequests(store: kernel.idempotency, clock: kernel.clock))
            ] : []
        // Holiday suspensions start at their first day's and end at their resume day's local midnight, in the fee
        // run before it opens periods; each move is a conditional update, so several servers move each once.
        let logger = kernel.logger
        billing.beforeFees.add { @Sendable in
            let moved = try await service.runSuspensions()
            if moved > 0 { logger.info("suspensions moved", metadata: ["cabinet.count": "\(moved)"]) }
        }
        return Assembled(
            exports: Exports(service: service, callGuards: service.callGuards), parts: ModuleParts(http: http))
    }
}
