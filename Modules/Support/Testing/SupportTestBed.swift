public import Auth
import Billing
public import BillingTesting
public import CabinetCore
public import CabinetStorage
public import CabinetTesting
public import Foundation
public import Subscribers
public import Support
public import SupportStorage
import Synchronization

/// Support over Billing's SQL test bed (lines, tariffs, the ledger) on SQLite or PostgreSQL: two categories (payments
/// answered within 4 hours, others within 24), two attachments of at most 1 KB, a 3-day reopen window, an agents'
/// compensation limit of 100.00, and a few FAQ articles in both languages.
public struct SupportTestBed: Sendable {
    public let billing: BillingTestBed
    public let store: SQLSupportStore
    public let service: DefaultSupportService
    /// What Auth's journal would show the subscriber: each agent's look at a line.
    public let views = RecordedViews()

    public static let supportYAML = """
        contacts:
          - {kind: short, number: "611", label: {ru: "С мобильного, бесплатно", en: "From a mobile, free"}}
        email: "help@cabinet.test"
        tickets:
          categories:
            - {id: payments, name: {ru: "Платежи", en: "Payments"}, firstResponseHours: 4}
            - {id: other, name: {ru: "Другое", en: "Other"}, firstResponseHours: 24}
          maxAttachments: 2
          maxAttachmentKB: 1
          reopenDays: 3
        cannedReplies:
          - {id: hello, title: {ru: "Привет", en: "Hello"}, text: {ru: "Здравствуйте, это {agent}.", en: "Hello, {agent} here."}}
        compensation: {agentLimit: "100.00"}
        """

    public static let faq: [FAQArticle] = [
        FAQArticle(
            id: "topup", region: nil, language: .ru, title: "Как пополнить баланс картой",
            body: "Пополнение баланса банковской картой: откройте раздел «Платежи» и введите сумму."),
        FAQArticle(
            id: "topup", region: nil, language: .en, title: "How to top up by card",
            body: "Top up the balance with a bank card: open Payments and enter the amount."),
        FAQArticle(
            id: "roaming", region: nil, language: .ru, title: "Роуминг за границей",
            body: "В роуминге звонки и интернет дороже. Подключите пакет до поездки."),
        FAQArticle(
            id: "roaming", region: nil, language: .en, title: "Roaming abroad",
            body: "Calls and internet cost more when roaming. Connect a package before the trip."),
        FAQArticle(
            id: "tenge", region: RegionID(rawValue: "almaty"), language: .ru, title: "Пополнение в тенге",
            body: "В Алматы баланс пополняется в тенге."),
        FAQArticle(
            id: "tenge", region: RegionID(rawValue: "almaty"), language: .en, title: "Top-ups in tenge",
            body: "In Almaty the balance is topped up in tenge."),
    ]

    public static var migrations: [Migration] { BillingTestBed.migrations + SupportSchema.migrations }

    public static var extraSettings: BillingTestBed.ExtraSettings {
        [
            "support": { currency in
                SettingsProbe.read(SupportSettings.self, yaml: supportYAML, currency: currency).settings
            }
        ]
    }

    /// Runs `body` with a test bed over a fresh database of `backend`.
    public static func with<T: Sendable>(
        _ backend: TestDatabase, start: String = BillingTestBed.defaultStart,
        _ body: (SupportTestBed) async throws -> T
    ) async throws -> T {
        try await backend.withDatabase(migrations: migrations) { database throws in
            let billing = try await BillingTestBed(database: database, start: start, extraSettings: extraSettings)
            let bed = SupportTestBed(billing: billing)
            try await bed.store.replaceFAQ(faq)
            return try await body(bed)
        }
    }

    public init(billing: BillingTestBed) {
        self.billing = billing
        store = SQLSupportStore(database: billing.database, ledger: billing.store)
        service = DefaultSupportService(
            store: store, regions: billing.rules.regions, billing: billing.service, lines: billing.directory,
            requests: billing.requests, emails: billing.emails, viewJournal: views,
            hasher: BcryptPasswordHasher(cost: 4), secrets: AgentSecretBox(secret: Data(repeating: 7, count: 32)),
            clock: billing.clock, logger: .test)
    }

    public var clock: ManualClock { billing.clock }

    /// A line of `region` (Moscow, or Almaty with `+7701…` numbers) with `credit` on the balance.
    public func line(_ number: String, region: String = "msk", credit: String? = nil) async throws -> Line {
        try await billing.line(number, region: region, tariff: "payg", credit: credit)
    }

    public func access(_ line: Line) -> LineAccess { billing.access(line) }

    /// An agent of `regions` already enrolled, with its credentials: logs in with ``code(for:)``.
    public func agent(
        _ login: String, role: Agent.Role = .agent, regions: [String] = ["msk"]
    ) async throws -> (agent: Agent, credentials: AgentCredentials) {
        let credentials = try await service.addAgent(
            login: login, name: login.capitalized, role: role, regions: Set(regions.compactMap(RegionID.init)))
        return (credentials.agent, credentials)
    }

    /// The authenticator's code now for the agent's secret.
    public func code(for credentials: AgentCredentials, offset: TimeInterval = 0) -> String {
        TOTP(secret: Base32.decode(credentials.totpSecret) ?? []).code(at: clock.now.addingTimeInterval(offset))
    }

    /// A small valid PNG (the 8-byte signature and an IHDR chunk header are what the type check reads).
    public static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 40)
    public static let pdf: [UInt8] = Array("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n".utf8)
}

/// The subscriber-journal entries support's looks would write (Auth's real journal is tested in the server's tests).
public final class RecordedViews: AccountViewJournal, Sendable {
    public struct View: Sendable, Hashable {
        public var line: SubscriberID
        public var agent: String
        public var ticket: String
        public var at: Date
    }

    private let recorded = Mutex<[View]>([])

    public init() {}

    public var all: [View] { recorded.withLock { $0 } }

    public func recordSupportView(of line: SubscriberID, msisdn: MSISDN, agent: String, ticket: String, at: Date)
        async throws
    {
        recorded.withLock { $0.append(View(line: line, agent: agent, ticket: ticket, at: at)) }
    }
}
