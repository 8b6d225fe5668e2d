import Auth
public import CabinetCore
import CabinetHTTP
import CabinetMessaging
public import CabinetStorage
import Foundation
import Logging
public import Support
import SupportHTTP
import SupportStorage

/// Support: tickets and their agents, compensation through Billing's ledger, the FAQ from `Regions/faq/`, the TMF621
/// resource. Uses Auth (the subscriber's journal, password hashing), Billing, Subscribers and the request registry.
public struct SupportAssembly: ModuleAssembly {
    public struct Exports: Sendable {
        public let service: any SupportService & AgentDesk & TroubleTickets
    }

    public static var module: any CabinetModule.Type { SupportModule.self }
    public static var migrations: [Migration] { SupportSchema.migrations }

    let subscribers: SubscribersAssembly.Exports
    let auth: AuthAssembly.Exports
    let billing: BillingAssembly.Exports

    public init(
        subscribers: SubscribersAssembly.Exports, auth: AuthAssembly.Exports, billing: BillingAssembly.Exports
    ) {
        self.subscribers = subscribers
        self.auth = auth
        self.billing = billing
    }

    public func assemble(_ kernel: CabinetKernel) async throws -> Assembled<Exports> {
        let configuration = kernel.configuration
        let outbox = kernel.outbox
        let store = SQLSupportStore(
            database: kernel.database, ledger: billing.ledgerTransactions, messagesQueued: { outbox.nudge() })
        // The FAQ files are checked like region files: a start with a broken one is refused, every problem listed.
        let (articles, problems) = FAQCatalogue.load(from: configuration.regionsDirectory, regions: kernel.regions)
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        // The server indexes them (a command beside a running server may not write, and needs no search).
        if configuration.databaseRole == .server { try await store.replaceFAQ(articles) }
        // The server's secret seals agents' authenticator keys (the same secret Auth keys its hashes with).
        var secret = configuration.secret ?? ""
        if secret.isEmpty { secret = try await kernel.storedSecret("auth.secret") }
        let service = DefaultSupportService(
            store: store, regions: kernel.regions, billing: billing.service, lines: subscribers.directory,
            requests: kernel.requests, emails: auth.service, viewJournal: auth.service,
            hasher: kernel.dependencies.passwordHasher ?? BcryptPasswordHasher(cost: configuration.bcryptCost),
            secrets: AgentSecretBox(secret: Data(secret.utf8)), clock: kernel.clock, logger: kernel.logger)
        let logger = kernel.logger
        // Resolved tickets close when their reopen window ends; a conditional update, so several servers close each
        // once.
        let housekeeping = PeriodicJob(
            name: "support.close", every: .seconds(300), lease: kernel.jobLeases, logger: logger
        ) {
            let closed = try await service.closeExpired()
            if closed > 0 { logger.info("resolved tickets closed", metadata: ["cabinet.count": "\(closed)"]) }
        }
        let http: [any HTTPModule] =
            kernel.isEnabled(SupportModule.self)
            ? [SupportHTTPModule(service: service, regions: kernel.regions, https: configuration.https)] : []
        // A reload may not leave a folder the next start would refuse (an article of a region that is gone). The
        // articles themselves are indexed at start only.
        let directory = configuration.regionsDirectory
        return Assembled(
            exports: Exports(service: service),
            parts: ModuleParts(
                jobs: [housekeeping], http: http,
                regionValidations: [{ FAQCatalogue.load(from: directory, regions: $0).problems }]))
    }
}
