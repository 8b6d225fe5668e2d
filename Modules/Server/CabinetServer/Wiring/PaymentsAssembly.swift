public import CabinetCore
import CabinetHTTP
import CabinetMessaging
public import CabinetStorage
import Logging
import Foundation
public import Payments
import PaymentsAdapters
import PaymentsHTTP
import PaymentsStorage

/// Top-ups, saved cards, auto-payment, transfers and promised payments. Uses the line registry and Billing's ledger
/// (whose transaction a top-up joins); watches Billing's balance changes for auto-payment thresholds.
public struct PaymentsAssembly: ModuleAssembly {
    public struct Exports: Sendable {
        public let service: any PaymentsService
        /// The built-in sandbox gateway (the embedded default); its hosted page is served by the cabinet.
        public let sandbox: SandboxGateway
    }

    public static var module: any CabinetModule.Type { PaymentsModule.self }
    public static var migrations: [Migration] { PaymentsSchema.migrations }

    let subscribers: SubscribersAssembly.Exports
    let billing: BillingAssembly.Exports

    public init(subscribers: SubscribersAssembly.Exports, billing: BillingAssembly.Exports) {
        self.subscribers = subscribers
        self.billing = billing
    }

    public func assemble(_ kernel: CabinetKernel) async throws -> Assembled<Exports> {
        let configuration = kernel.configuration
        let logger = kernel.logger
        let clock = kernel.clock
        let outbox = kernel.outbox
        // The sandbox signs its webhooks with a secret of this database (an operator's real gateway has its own).
        let sandboxSecret = try await kernel.storedSecret("payments.sandbox.secret")
        let sandbox = SandboxGateway(secret: Data(sandboxSecret.utf8), pageBaseURL: configuration.effectivePublicURL)
        let acquirers = try configuration.gatewaysFile.map(GatewaysFile.load) ?? []
        var gateways: [any PaymentGateway] = [sandbox]
        gateways += acquirers.map { AcquirerGateway(configuration: $0, client: kernel.httpClient.shared) }
        // A region naming a gateway nobody configured would fail every payment: refuse to start instead.
        for region in kernel.regions.regions {
            if let name = region.settings(for: PaymentsModule.self)?.gateway, !gateways.contains(where: { $0.name == name }) {
                throw ConfigError(problems: [ConfigProblem(
                    location: ConfigLocation(file: "\(region.id.rawValue).yaml"), path: "payments.gateway",
                    message: "\"\(name)\" is neither sandbox nor an id in CABINET_GATEWAYS")])
            }
        }
        let store = SQLPaymentsStore(database: kernel.database, ledger: billing.ledgerTransactions,
                                     messagesQueued: { outbox.nudge() })
        let service = DefaultPaymentsService(store: store, ledger: billing.ledger, lines: subscribers.directory,
                                      regions: kernel.regions, gateways: gateways, defaultGateway: sandbox.name,
                                      clock: clock, logger: logger)

        // Billing reports lines whose balance may have fallen; the job looks at their auto-payment thresholds at once.
        let balanceWatch = BalanceWatch()
        let signal = JobSignal()
        billing.balanceChanges.add { lines in
            Task {
                await balanceWatch.add(lines)
                signal.fire()
            }
        }
        let idempotency = kernel.idempotency
        let fullScan = TimeInterval(configuration.feePollInterval.components.seconds)
        let job = PeriodicJob(name: "payments.reconcile", every: configuration.feePollInterval, signal: signal, logger: logger) {
            let (changed, full) = await balanceWatch.next(now: clock.now, interval: fullScan)
            if full {
                let done = try await service.reconcile()
                if done > 0 { logger.info("payments reconciled", metadata: ["cabinet.count": "\(done)"]) }
                _ = try await idempotency.purge(before: clock.now.addingTimeInterval(-48 * 3600))
            }
            let charged = try await service.runAutopay(changed: full ? nil : changed)
            if charged > 0 { logger.info("auto-payments attempted", metadata: ["cabinet.count": "\(charged)"]) }
        }
        let http: [any HTTPModule] = kernel.isEnabled(PaymentsModule.self)
            ? [PaymentsHTTPModule(service: service, sandbox: sandbox,
                                  idempotency: IdempotentRequests(store: kernel.idempotency, clock: clock),
                                  publicBaseURL: configuration.effectivePublicURL, clock: clock)]
            : []
        return Assembled(exports: Exports(service: service, sandbox: sandbox), parts: ModuleParts(jobs: [job], http: http))
    }
}
