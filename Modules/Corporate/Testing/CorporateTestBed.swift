import Billing
public import BillingTesting
public import CabinetCore
public import CabinetStorage
public import CabinetTesting
public import Corporate
public import CorporateStorage
import PaymentsStorage
import PaymentsTesting
import Services
public import ServicesTesting
public import Subscribers

/// Corporate over Services' SQL test bed (lines, tariffs, the ledger, the call check) on SQLite or PostgreSQL, with
/// quota warnings at 80 %, bulk messages at 3 a minute, PUKs set per line by the test and the quota guard added to the call check.
public struct CorporateTestBed: Sendable {
    public let services: ServicesTestBed
    public let store: SQLCorporateStore
    public let service: DefaultCorporateService
    /// Money and documents, rendering files as plain text (CorporatePDF's tests use the real PDFs).
    public let finance: DefaultCompanyFinanceService

    public static let corporateYAML = """
        quotaWarningPercent: 80
        quotaJobInterval: 5s
        bulkSMSPerMinute: 3
        vatPercent: 22
        requisites:
          name: "ПАО «Кабинет Телеком»"
          taxIDLabel: "ИНН"
          taxID: "7707083893"
          kpp: "770701001"
          address: "Москва, ул. Тверская, д. 7"
          bank: "ПАО Сбербанк"
          bik: "044525225"
          account: "40702810938000000001"
          correspondentAccount: "30101810400000000225"
        """

    public static var migrations: [Migration] {
        ServicesTestBed.migrations + PaymentsSchema.migrations + CorporateSchema.migrations
    }

    public static var extraSettings: BillingTestBed.ExtraSettings {
        var settings = ServicesTestBed.extraSettings
        settings.merge(PaymentsTestBed.extraSettings()) { first, _ in first }
        settings["corporate"] = { currency in
            SettingsProbe.read(CorporateSettings.self, yaml: corporateYAML, currency: currency).settings
        }
        return settings
    }

    /// Runs `body` with a test bed over a fresh database of `backend`.
    public static func with<T: Sendable>(
        _ backend: TestDatabase, start: String = BillingTestBed.defaultStart,
        _ body: (CorporateTestBed) async throws -> T
    ) async throws -> T {
        try await backend.withDatabase(migrations: migrations) { database throws in
            let billing = try await BillingTestBed(database: database, start: start, extraSettings: extraSettings)
            return try await body(CorporateTestBed(services: ServicesTestBed(billing: billing)))
        }
    }

    public init(services: ServicesTestBed) {
        self.services = services
        let billing = services.billing
        store = SQLCorporateStore(database: billing.database, companyAccounts: billing.store)
        service = DefaultCorporateService(
            store: store, lines: billing.lines, puk: services.puks, billing: billing.service,
            lineTariffs: billing.lineTariffs, tariffChanges: billing.service, options: services.service,
            rateLimiter: InMemoryRateLimiter(), requests: billing.requests, regions: billing.rules.regions,
            clock: billing.clock, logger: .test)
        services.service.callGuards.add(service)
        finance = DefaultCompanyFinanceService(
            store: store, accounts: billing.store, lines: billing.lines, emails: billing.emails,
            renderer: PlainTextDocumentRenderer(), regions: billing.rules.regions, clock: billing.clock, logger: .test)
    }

    public var billing: BillingTestBed { services.billing }
    public var clock: ManualClock { billing.clock }

    /// A line of `region` on the pay-as-you-go tariff with `credit`, in `company` when given.
    public func line(
        _ number: String, region: String = "msk", credit: String? = "500.00", company: CompanyID? = nil,
        name: String? = nil
    ) async throws -> Line {
        var line = try await services.line(number, region: region, credit: credit)
        if company != nil || name != nil {
            var patch = LinePatch()
            if let company { patch.companyID = .set(company) }
            if let name { patch.fullName = .set(name) }
            line = try await billing.lines.update(msisdn: line.msisdn, with: patch)
        }
        return line
    }

    /// The session a login with `line`'s own number opens.
    public func session(_ line: Line) -> SessionInfo {
        SessionInfo(
            id: "s-\(line.id.rawValue)", subscriberID: line.id, msisdn: line.msisdn, steppedUpAt: nil,
            passwordChangeRequired: false, csrfToken: "csrf")
    }

    /// A company approved through its application, with `owner` (a line of it, PUK `12345678`) as its first admin.
    public func company(
        inn: String = "7707083893", id: String? = nil, owner: Line, name: String = "ООО «Ромашка»"
    ) async throws -> (company: Company, access: AdminAccess) {
        services.puks.set("12345678", for: owner)
        let application = try await service.apply(
            ApplicationDraft(
                region: owner.region, city: "Москва", companyName: name, inn: inn, contactName: "Петров Пётр",
                phone: owner.msisdn, puk: "12345678"), clientAddress: "127.0.0.1")
        let company = try await service.approve(
            application.id,
            with: ApplicationApproval(
                companyID: id.flatMap(CompanyID.init(rawValue:)), kpp: "770701001",
                legalAddress: "Москва, ул. Ленина, 1"))
        return (company, try await service.access(for: session(owner)))
    }
}
