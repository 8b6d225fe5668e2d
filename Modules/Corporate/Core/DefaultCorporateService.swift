public import Billing
public import CabinetCore
import Foundation
public import Logging
public import Services
public import Subscribers
public import Tariffs

/// The business cabinet's rules: who may act (the admin is the session's own number, every action checked against
/// the admin's scopes and groups), what a company sees (its lines only), and how quotas are asked for, applied and
/// enforced.
public struct DefaultCorporateService: CorporateService, CallGuard {
    let store: any CorporateStore
    /// The line registry: a company's lines, the applicant's line linked to the new company.
    let lines: any SubscriberService
    let puk: any PUKCheck
    /// A line's spending and usage this month (quotas).
    let billing: any BillingService
    let lineTariffs: any LineTariffStore
    /// Billing's tariff change (bulk tariff changes, with their previews in the dry run).
    let tariffChanges: any TariffChangeService
    /// Services' options (bulk connections, with their previews in the dry run).
    let options: any ServicesService
    /// Paces bulk text messages per company, on every server alike.
    let rateLimiter: any RateLimiter
    /// Request records' present statuses (the company's history).
    let requests: any RequestRegistry
    let regions: RegionCatalog
    let clock: any WallClock
    let logger: Logger
    let texts: MessageCatalog

    public init(
        store: any CorporateStore, lines: any SubscriberService, puk: any PUKCheck, billing: any BillingService,
        lineTariffs: any LineTariffStore, tariffChanges: any TariffChangeService, options: any ServicesService,
        rateLimiter: any RateLimiter, requests: any RequestRegistry, regions: RegionCatalog,
        clock: any WallClock, logger: Logger,
        texts: MessageCatalog = (try? CorporateModule.messages()) ?? MessageCatalog()
    ) {
        self.store = store
        self.lines = lines
        self.puk = puk
        self.billing = billing
        self.lineTariffs = lineTariffs
        self.tariffChanges = tariffChanges
        self.options = options
        self.rateLimiter = rateLimiter
        self.requests = requests
        self.regions = regions
        self.clock = clock
        self.logger = logger
        self.texts = texts
    }

    // MARK: - Applications

    public func apply(_ draft: ApplicationDraft, clientAddress: String?) async throws -> CompanyApplication {
        var problems: [FieldError] = []
        if regions.region(draft.region)?.isEnabled(CorporateModule.id) != true {
            problems.append(FieldError(field: "region", code: CorporateError.regionUnavailable))
        }
        let inn = INN(rawValue: draft.inn)
        if inn == nil { problems.append(FieldError(field: "inn", code: CorporateError.innInvalid)) }
        for (field, value, limit) in [
            ("city", draft.city, 100), ("companyName", draft.companyName, 200), ("contactName", draft.contactName, 100),
        ] where !Self.isText(value, upTo: limit) {
            problems.append(
                FieldError(field: field, code: CorporateError.textInvalid, arguments: ["max": "\(limit)"]))
        }
        guard problems.isEmpty, let inn else { throw CabinetError.validation(problems) }
        // Whoever holds the company's SIM knows its PUK; Auth counts wrong ones against the SIM and the address.
        _ = try await puk.confirmPUK(draft.puk, of: draft.phone, clientAddress: clientAddress)
        var clean = draft
        clean.city = draft.city.trimmingCharacters(in: .whitespacesAndNewlines)
        clean.companyName = draft.companyName.trimmingCharacters(in: .whitespacesAndNewlines)
        clean.contactName = draft.contactName.trimmingCharacters(in: .whitespacesAndNewlines)
        clean.puk = ""
        let application = try await store.insertApplication(clean, inn: inn, at: clock.now)
        logger.info(
            "corporate application filed",
            metadata: ["cabinet.application": "\(application.number)", "cabinet.region": "\(draft.region)"])
        return application
    }

    public func applications(status: CompanyApplication.Status?, before cursor: Int64?, limit: Int) async throws
        -> [CompanyApplication]
    {
        try await store.applications(status: status, before: cursor, limit: limit)
    }

    public func approve(_ id: Int64, with approval: ApplicationApproval) async throws -> Company {
        guard let application = try await store.application(id) else {
            throw CabinetError(CorporateError.applicationNotFound)
        }
        guard application.status == .pending else { throw CabinetError(CorporateError.applicationDecided) }
        var problems: [FieldError] = []
        let kpp = KPP(rawValue: approval.kpp)
        if kpp == nil { problems.append(FieldError(field: "kpp", code: CorporateError.kppInvalid)) }
        if !Self.isText(approval.legalAddress, upTo: 300) {
            problems.append(
                FieldError(field: "legalAddress", code: CorporateError.textInvalid, arguments: ["max": "300"]))
        }
        if let contract = approval.contractNumber, !Self.isText(contract, upTo: 64) {
            problems.append(
                FieldError(field: "contractNumber", code: CorporateError.textInvalid, arguments: ["max": "64"]))
        }
        guard problems.isEmpty, let kpp else { throw CabinetError.validation(problems) }
        guard let companyID = approval.companyID ?? CompanyID(rawValue: application.inn.rawValue) else {
            throw CabinetError.validation([FieldError(field: "companyID", code: KernelError.fieldInvalid)])
        }
        guard let line = try await lines.line(msisdn: application.phone), line.status != .terminated else {
            throw CabinetError(SubscribersError.notFound, arguments: ["msisdn": application.phone.formatted])
        }
        if let other = line.companyID, other != companyID {
            throw CabinetError(CorporateError.lineOfAnotherCompany, arguments: ["msisdn": line.msisdn.formatted])
        }
        let company = Company(
            id: companyID, name: application.companyName, inn: application.inn, kpp: kpp,
            legalAddress: approval.legalAddress.trimmingCharacters(in: .whitespacesAndNewlines),
            region: application.region,
            contractNumber: approval.contractNumber?.trimmingCharacters(in: .whitespaces) ?? "B-" + application.number,
            createdAt: clock.now)
        guard let currency = regions.region(application.region)?.currency else {
            throw CabinetError.validation([FieldError(field: "region", code: KernelError.fieldInvalid)])
        }
        let created = try await store.approve(
            id, company: company, currency: currency,
            owner: AdminDraft(msisdn: line.msisdn, name: application.contactName, scopes: [.owner]),
            at: clock.now)
        // The applicant's SIM is the company's: its line joins the contract (the operator links the others).
        if line.companyID == nil {
            var patch = LinePatch()
            patch.companyID = .set(companyID)
            _ = try await lines.update(msisdn: line.msisdn, with: patch)
        }
        logger.info(
            "company approved",
            metadata: ["cabinet.application": "\(application.number)", "cabinet.company": "\(companyID)"])
        return created
    }

    public func reject(_ id: Int64, reason: String) async throws -> CompanyApplication {
        guard Self.isText(reason, upTo: 500) else {
            throw CabinetError.validation([
                FieldError(field: "reason", code: CorporateError.textInvalid, arguments: ["max": "500"])
            ])
        }
        guard try await store.application(id) != nil else { throw CabinetError(CorporateError.applicationNotFound) }
        return try await store.reject(id, reason: reason.trimmingCharacters(in: .whitespacesAndNewlines), at: clock.now)
    }

    public func company(_ id: CompanyID) async throws -> Company? { try await store.company(id) }

    // MARK: - Who acts

    public func access(for session: SessionInfo) async throws -> AdminAccess {
        // Only the number the session logged in with: a delegate, a linked number or another line of the person is
        // not the designated number.
        guard let admin = try await store.admin(msisdn: session.msisdn),
            let line = try await lines.line(id: session.subscriberID), line.msisdn == admin.msisdn,
            line.status == .active, let company = try await store.company(admin.company)
        else { throw CabinetError(CorporateError.notAdmin) }
        return AdminAccess(admin: admin, company: company, line: line.id)
    }

    /// A line of the admin's company that the admin sees, with its group; `corporate.line.notFound` otherwise (a
    /// line of another company answers the same as no line).
    func visibleLine(_ access: AdminAccess, msisdn: MSISDN) async throws -> (line: Line, group: Int64?) {
        guard let line = try await lines.line(msisdn: msisdn), line.companyID == access.company.id,
            line.status != .terminated
        else { throw CabinetError(CorporateError.lineNotFound, arguments: ["msisdn": msisdn.formatted]) }
        let group = try await store.groupIDs(of: [line.id])[line.id]
        guard access.admin.sees(group: group) else {
            throw CabinetError(CorporateError.lineNotFound, arguments: ["msisdn": msisdn.formatted])
        }
        return (line, group)
    }

    func journal(_ access: AdminAccess, _ action: String, target: String, line: SubscriberID? = nil) -> JournalDraft {
        JournalDraft(
            company: access.company.id, admin: access.admin.id, adminName: access.admin.name, action: action,
            target: target, line: line ?? access.line, at: clock.now)
    }

    static func isText(_ text: String, upTo limit: Int) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return (1...limit).contains(trimmed.count)
            && !trimmed.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}
