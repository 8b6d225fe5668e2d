public import CabinetCore
import CabinetHTTP
import CabinetMessaging
public import CabinetStorage
public import Corporate
import CorporateHTTP
import CorporatePDF
import CorporateStorage
import Foundation
import Logging

/// Corporate: companies by application, their admins, groups and quotas. Uses Subscribers (a company's lines, the
/// applicant's line linked on approval), Auth (the SIM's PUK), Tariffs and Billing (a line's tariff and spending),
/// and adds its quota rule to Services' call check.
public struct CorporateAssembly: ModuleAssembly {
    public struct Exports: Sendable {
        public let service: any CorporateService
        /// The company's money and documents (the operator's bank transfers, tools).
        public let finance: any CompanyFinanceService
    }

    public static var module: any CabinetModule.Type { CorporateModule.self }
    public static var migrations: [Migration] { CorporateSchema.migrations }

    let subscribers: SubscribersAssembly.Exports
    let auth: AuthAssembly.Exports
    let tariffs: TariffsAssembly.Exports
    let billing: BillingAssembly.Exports
    let services: ServicesAssembly.Exports
    let payments: PaymentsAssembly.Exports

    public init(
        subscribers: SubscribersAssembly.Exports, auth: AuthAssembly.Exports, tariffs: TariffsAssembly.Exports,
        billing: BillingAssembly.Exports, services: ServicesAssembly.Exports, payments: PaymentsAssembly.Exports
    ) {
        self.payments = payments
        self.subscribers = subscribers
        self.auth = auth
        self.tariffs = tariffs
        self.billing = billing
        self.services = services
    }

    public func assemble(_ kernel: CabinetKernel) async throws -> Assembled<Exports> {
        let outbox = kernel.outbox
        let store = SQLCorporateStore(
            database: kernel.database, companyAccounts: billing.companyAccounts, messagesQueued: { outbox.nudge() })
        let service = DefaultCorporateService(
            store: store, lines: subscribers.service, puk: auth.service, billing: billing.service,
            lineTariffs: tariffs.lineTariffs, tariffChanges: billing.service, options: services.service,
            rateLimiter: kernel.rateLimiter, requests: kernel.requests, regions: kernel.regions, clock: kernel.clock,
            logger: kernel.logger)
        let renderer = PDFCompanyDocumentRenderer(fontPath: kernel.configuration.pdfFont)
        let finance = DefaultCompanyFinanceService(
            store: store, accounts: billing.companyAccounts, lines: subscribers.directory, emails: auth.service,
            renderer: renderer, topUps: payments.service, regions: kernel.regions, clock: kernel.clock,
            logger: kernel.logger)
        guard kernel.isEnabled(CorporateModule.self) else {
            return Assembled(exports: Exports(service: service, finance: finance), parts: ModuleParts())
        }
        // A quota in force is enforced where the network asks.
        services.callGuards.add(service)
        let logger = kernel.logger
        // The shortest interval any region asks for: requests are applied and warnings sent that often.
        let interval =
            kernel.regions.regions.compactMap { $0.settings(for: CorporateModule.self)?.quotaJobInterval }
            .min() ?? .seconds(10)
        let quotas = PeriodicJob(name: "corporate.quotas", every: interval, lease: kernel.jobLeases, logger: logger) {
            let report = try await service.runQuotaJob()
            if report.applied + report.rejected + report.notices > 0 {
                logger.info(
                    "quota job",
                    metadata: [
                        "cabinet.applied": "\(report.applied)", "cabinet.rejected": "\(report.rejected)",
                        "cabinet.notices": "\(report.notices)",
                    ])
            }
        }
        // Bulk operations: up to 2 000 lines a run, each line claimed before it is changed (several servers share the
        // lines; one that stops mid-line leaves it to be checked and finished by the next run).
        let bulk = PeriodicJob(name: "corporate.bulk", every: .seconds(1), lease: kernel.jobLeases, logger: logger) {
            _ = try await service.runBulkJob(lines: 2000)
        }
        // Last month's acts once a month begins, and documents not yet mailed.
        let documents = PeriodicJob(
            name: "corporate.documents", every: .seconds(60), lease: kernel.jobLeases, logger: logger
        ) {
            let report = try await finance.runDocumentJob()
            if report.acts + report.mailed > 0 {
                logger.info(
                    "document job", metadata: ["cabinet.acts": "\(report.acts)", "cabinet.mailed": "\(report.mailed)"])
            }
        }
        let http: [any HTTPModule] = [
            CorporateHTTPModule(
                service: service, finance: finance, regions: kernel.regions,
                idempotency: IdempotentRequests(store: kernel.idempotency, clock: kernel.clock),
                publicBaseURL: kernel.configuration.effectivePublicURL)
        ]
        return Assembled(
            exports: Exports(service: service, finance: finance),
            parts: ModuleParts(jobs: [quotas, bulk, documents], http: http))
    }
}
