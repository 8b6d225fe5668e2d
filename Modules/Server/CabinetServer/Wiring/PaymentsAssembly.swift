public import CabinetCore
import CabinetHTTP
import CabinetMessaging
public import CabinetStorage
import Foundation
import Logging
public import Payments
import PaymentsAdapters
import PaymentsHTTP
import PaymentsStorage

/// Top-ups, saved cards, auto-payment, transfers and promised payments. Uses the line registry and Billing's ledger
/// (whose transaction a top-up joins); watches Billing's balance changes for auto-payment thresholds.
public struct PaymentsAssembly: ModuleAssembly {
    public struct Exports: Sendable {
        public let service: any PaymentsService
        /// The built-in sandbox gateway when it is on (demo mode or `CABINET_SANDBOX`); its hosted page is served
        /// by the cabinet.
        public let sandbox: SandboxGateway?
    }

    public static var module: any CabinetModule.Type { PaymentsModule.self }
    public static var migrations: [Migration] { PaymentsSchema.migrations }

    let subscribers: SubscribersAssembly.Exports
    let billing: BillingAssembly.Exports

    /// What a start would refuse: regions with payments on whose `payments.gateway` is not among `gateways` (the ids
    /// of `CABINET_GATEWAYS`, and `sandbox` when the sandbox is on). `cabinet regions check` says the same.
    public static func gatewayProblems(regions: RegionCatalog, gateways: Set<String>, sandboxOn: Bool)
        -> [ConfigProblem]
    {
        regions.regions.compactMap { region -> ConfigProblem? in
            guard region.isEnabled(PaymentsModule.id), let name = region.settings(for: PaymentsModule.self)?.gateway,
                !gateways.contains(name)
            else { return nil }
            let message =
                name == SandboxGateway.gatewayName
                ? "payments are on and go through the sandbox gateway, which is off outside demo mode: name an acquirer of "
                    + "CABINET_GATEWAYS here, or switch the sandbox on with --demo or CABINET_SANDBOX=true (never in production)"
                : "\"\(name)\" is not an id in CABINET_GATEWAYS" + (sandboxOn ? " nor sandbox" : "")
            return ConfigProblem(
                location: ConfigLocation(file: "\(region.id.rawValue).yaml"), path: "payments.gateway", message: message
            )
        }
    }

    public init(subscribers: SubscribersAssembly.Exports, billing: BillingAssembly.Exports) {
        self.subscribers = subscribers
        self.billing = billing
    }

    public func assemble(_ kernel: CabinetKernel) async throws -> Assembled<Exports> {
        let configuration = kernel.configuration
        let logger = kernel.logger
        let clock = kernel.clock
        let outbox = kernel.outbox
        let acquirers = try configuration.gatewaysFile.map(GatewaysFile.load) ?? []
        var gateways: [any PaymentGateway] = acquirers.map {
            AcquirerGateway(configuration: $0, client: kernel.httpClient.shared)
        }
        // Anyone can "pay" on the sandbox's page, so it takes payments only in demo mode or when switched on.
        var sandbox: SandboxGateway?
        if configuration.sandboxEnabled {
            // It signs its webhooks with a secret of this database (an operator's real gateway has its own).
            let secret = try await kernel.storedSecret("payments.sandbox.secret")
            // Its checkouts are in the database: the hosted page opened through one node is paid through any.
            sandbox = SandboxGateway(
                secret: Data(secret.utf8), pageBaseURL: configuration.effectivePublicURL,
                checkouts: SQLSandboxCheckouts(database: kernel.database), clock: clock)
            if !configuration.demo {
                logger.warning(
                    "the sandbox gateway is on (CABINET_SANDBOX): anyone can top up any line for free; never in production"
                )
            }
        }
        if let sandbox { gateways.append(sandbox) }
        // A region whose payments go through a gateway that is not there would fail every payment: refuse to start.
        let problems = Self.gatewayProblems(
            regions: kernel.regions, gateways: Set(gateways.map(\.name)), sandboxOn: sandbox != nil)
        if !problems.isEmpty {
            // The server refuses; a command beside it (outbox, ledger check, imports) takes no payment and only says so.
            guard configuration.databaseRole != .server else { throw ConfigError(problems: problems) }
            for problem in problems { logger.warning("payments would be refused: \(problem)") }
        }
        let store = SQLPaymentsStore(
            database: kernel.database, ledger: billing.ledgerTransactions,
            messagesQueued: { outbox.nudge() })
        let service = DefaultPaymentsService(
            store: store, ledger: billing.ledger, lines: subscribers.directory,
            regions: kernel.regions, gateways: gateways, defaultGateway: SandboxGateway.gatewayName,
            limiter: kernel.rateLimiter, clock: clock, logger: logger, companyAccounts: billing.companyAccounts)

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
        let rateLimiter = kernel.rateLimiter
        let fullScan = TimeInterval(configuration.feePollInterval.components.seconds)
        let job = PeriodicJob(
            name: "payments.reconcile", every: configuration.feePollInterval, signal: signal, lease: kernel.jobLeases,
            logger: logger
        ) {
            let (changed, full) = await balanceWatch.next(now: clock.now, interval: fullScan)
            if full {
                let done = try await service.reconcile()
                if done > 0 { logger.info("payments reconciled", metadata: ["cabinet.count": "\(done)"]) }
                _ = try await idempotency.purge(before: clock.now.addingTimeInterval(-48 * 3600))
                _ = try await rateLimiter.purge(before: clock.now)
            }
            let charged = try await service.runAutopay(changed: full ? nil : changed)
            if charged > 0 { logger.info("auto-payments attempted", metadata: ["cabinet.count": "\(charged)"]) }
        }
        let http: [any HTTPModule] =
            kernel.isEnabled(PaymentsModule.self)
            ? [
                PaymentsHTTPModule(
                    service: service, sandbox: sandbox,
                    idempotency: IdempotentRequests(store: kernel.idempotency, clock: clock),
                    publicBaseURL: configuration.effectivePublicURL, clock: clock)
            ]
            : []
        return Assembled(
            exports: Exports(service: service, sandbox: sandbox),
            parts: ModuleParts(
                jobs: [job], http: http,
                regionValidations: [
                    { [names = Set(gateways.map(\.name)), sandboxOn = sandbox != nil] regions in
                        Self.gatewayProblems(regions: regions, gateways: names, sandboxOn: sandboxOn)
                    }
                ]))
    }
}
