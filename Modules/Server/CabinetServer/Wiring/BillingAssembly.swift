public import Billing
import BillingHTTP
import BillingPDF
import BillingStorage
public import CabinetCore
import CabinetHTTP
import CabinetMessaging
public import CabinetStorage
import Foundation
import Logging
import Subscribers
public import Tariffs
import TariffsHTTP

/// The ledger, rating, fees and statements. Uses the line registry and the line tariffs; opens an account for every
/// new line; exports the billing service, the ledger, the statement producer and the feed of changed balances.
public struct BillingAssembly: ModuleAssembly {
    public struct Exports: Sendable {
        public let service: any BillingService
        public let ledger: any BalanceLedger
        /// The ledger as a party to another module's transaction (Payments' top-ups).
        public let ledgerTransactions: any LedgerTransactions
        /// Fees other modules charge every period (connected options), charged by the fee run.
        public let recurringCharges: any RecurringCharges
        /// Where Services registers its rules of options on a tariff change.
        public let tariffOptionRules: Listeners<any TariffOptionRules>
        public let statements: StatementProducer
        /// Told the lines whose balance a write may have lowered.
        public let balanceChanges: Listeners<@Sendable ([SubscriberID]) -> Void>
        /// Work the fee run does first, each time it comes (Services starts and ends holiday suspensions here, so that
        /// the day a suspension ends opens with the line active and pays its tariff fee).
        public let beforeFees: Listeners<@Sendable () async throws -> Void>
        /// Accounts of companies that pay for their lines (Corporate opens them and records their payments).
        public let companyAccounts: any CompanyAccounts
    }

    public static var module: any CabinetModule.Type { BillingModule.self }
    public static var migrations: [Migration] { BillingSchema.migrations }

    let subscribers: SubscribersAssembly.Exports
    let tariffs: TariffsAssembly.Exports
    /// Whether a profile's e-mail is confirmed (statements go only there).
    let emails: any ConfirmedEmails

    public init(
        subscribers: SubscribersAssembly.Exports, tariffs: TariffsAssembly.Exports, emails: any ConfirmedEmails
    ) {
        self.subscribers = subscribers
        self.tariffs = tariffs
        self.emails = emails
    }

    public func assemble(_ kernel: CabinetKernel) async throws -> Assembled<Exports> {
        let logger = kernel.logger
        let outbox = kernel.outbox
        let rules = BillingRules(regions: kernel.regions)
        let texts = BillingTexts(catalog: kernel.catalog)
        let balanceChanges = Listeners<@Sendable ([SubscriberID]) -> Void>()
        let store = try await SQLBillingStore.open(
            database: kernel.database, rules: rules, texts: texts, lineTariffs: tariffs.lineTariffWriter,
            logger: logger,
            messagesQueued: { outbox.nudge() },
            balancesChanged: { lines in
                for listener in balanceChanges.all { listener(lines) }
            }, statuses: subscribers.directory)
        let service = DefaultBillingService(
            store: store, rules: rules, lines: subscribers.directory, emails: emails, clock: kernel.clock,
            logger: logger, tariffOptionRules: store.tariffOptionRules, recurring: store, sharing: store)
        subscribers.lineObservers.add(BillingLineSetup(billing: service, regions: kernel.regions))

        let pdf = PDFStatementRenderer(fontPath: kernel.configuration.pdfFont)
        if !pdf.fontIsReadable {
            logger.error(
                "PDF statements will fail: the font cannot be read",
                metadata: ["cabinet.font": "\(kernel.configuration.pdfFont)"])
        }
        let statements = StatementProducer(
            store: store, rules: rules, lines: subscribers.directory,
            renderers: [pdf, StatementCSVRenderer()], texts: texts,
            clock: kernel.clock, logger: logger)
        let beforeFees = Listeners<@Sendable () async throws -> Void>()
        let fees = PeriodicJob(
            name: "billing.fees", every: kernel.configuration.feePollInterval, lease: kernel.jobLeases, logger: logger
        ) {
            // A failing first step must not stop every line's fees.
            for work in beforeFees.all {
                do {
                    try await work()
                } catch {
                    logger.error("work before the fee run failed", metadata: ["error": "\(error)"])
                }
            }
            let moved = try await service.runDueFees()
            if moved > 0 { logger.info("periods opened", metadata: ["cabinet.lines": "\(moved)"]) }
            // Options' daily and monthly fees, each period charged once (its external id).
            var charged = 0
            while true {
                let posted = try await store.chargeDue(now: kernel.clock.now, limit: 500)
                charged += posted
                if posted < 500 { break }
            }
            if charged > 0 { logger.info("recurring fees charged", metadata: ["cabinet.count": "\(charged)"]) }
        }
        let statementJob = PeriodicJob(
            name: "billing.statements", every: kernel.configuration.statementPollInterval,
            lease: kernel.jobLeases, logger: logger
        ) {
            try await statements.runOnce()
        }
        var http: [any HTTPModule] = []
        if kernel.isEnabled(BillingModule.self) {
            let idempotency = IdempotentRequests(store: kernel.idempotency, clock: kernel.clock)
            http.append(
                BillingHTTPModule(
                    service: service, texts: texts, clock: kernel.clock, idempotency: idempotency, sharing: service))
            // Tariff changes are priced and posted by Billing, so the tariff pages come with it.
            if kernel.isEnabled(TariffsModule.self) {
                http.append(
                    TariffsHTTPModule(
                        service: DefaultTariffsService(
                            regions: kernel.regions, lineTariffs: tariffs.lineTariffs, changes: service,
                            clock: kernel.clock), idempotency: idempotency))
            }
        }
        return Assembled(
            exports: Exports(
                service: service, ledger: store, ledgerTransactions: store, recurringCharges: store,
                tariffOptionRules: store.tariffOptionRules,
                statements: statements,
                balanceChanges: balanceChanges, beforeFees: beforeFees, companyAccounts: store),
            parts: ModuleParts(jobs: [fees, statementJob], http: http))
    }
}

/// Opens a billing account on the region's default tariff for every line the registry creates (or re-imports).
struct BillingLineSetup: LineLifecycleObserver {
    let billing: any BillingService
    let regions: RegionCatalog

    /// A new line is billed from its activation; a line activated earlier (an import of the existing base) from the start
    /// of the current period, with that period's whole fee and package.
    func lineReady(_ line: Line) async throws {
        guard let region = regions.region(line.region), region.isEnabled(BillingModule.id),
            let calendar = BillingCalendar(region: region),
            let tariff = region.settings(for: TariffsModule.self)?.defaultTariff,
            let period = region.settings(for: TariffsModule.self)?.tariff(tariff)?.fee.period
        else { return }
        if try await billing.account(of: line.id) != nil { return }
        let now = billing.now
        let activated = line.activatedOn.startOfDay(in: region.timeZone)
        let from = min(now, max(activated, calendar.period(containing: now, feePeriod: period).start))
        try await billing.openAccount(for: line, tariff: nil, from: from)
    }
}
