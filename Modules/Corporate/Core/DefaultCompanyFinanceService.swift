public import Billing
public import CabinetCore
import Foundation
public import Logging
public import Payments
public import Subscribers

/// ``CompanyFinanceService`` over Billing's ``CompanyAccounts`` (the company's ledger account) and Corporate's
/// documents. Invoices and acts keep the operator's requisites and the company's details as they were when issued.
public struct DefaultCompanyFinanceService: CompanyFinanceService {
    let store: any CorporateStore & CompanyDocumentStore
    let accounts: any CompanyAccounts
    /// The admins' lines: a document goes to the profile e-mail of each finance admin, if confirmed.
    let lines: any SubscriberDirectory
    let emails: any ConfirmedEmails
    let renderer: any CompanyDocumentRenderer
    /// Card top-ups through Payments' gateway; `nil`: only bank transfers.
    let topUps: (any CompanyTopUps)?
    let regions: RegionCatalog
    let clock: any WallClock
    let logger: Logger
    let texts: MessageCatalog

    public init(
        store: any CorporateStore & CompanyDocumentStore, accounts: any CompanyAccounts, lines: any SubscriberDirectory,
        emails: any ConfirmedEmails, renderer: any CompanyDocumentRenderer, topUps: (any CompanyTopUps)? = nil,
        regions: RegionCatalog, clock: any WallClock, logger: Logger,
        texts: MessageCatalog = (try? CorporateModule.messages()) ?? MessageCatalog()
    ) {
        self.store = store
        self.accounts = accounts
        self.lines = lines
        self.emails = emails
        self.renderer = renderer
        self.topUps = topUps
        self.regions = regions
        self.clock = clock
        self.logger = logger
        self.texts = texts
    }

    /// Money and documents are the whole company's: a finance admin or an owner without groups.
    func requireFinance(_ access: AdminAccess) throws {
        try access.require(.finance)
        guard access.admin.groups.isEmpty else { throw CabinetError(CorporateError.wholeCompanyOnly) }
    }

    func region(of company: Company) throws -> Region {
        guard let region = regions.region(company.region) else {
            throw CabinetError(KernelError.regionUnknown, arguments: ["region": company.region.rawValue])
        }
        return region
    }

    func settings(of company: Company) throws -> (Region, CorporateSettings) {
        let region = try region(of: company)
        guard let settings = region.settings(for: CorporateModule.self) else {
            throw CabinetError(CorporateError.regionUnavailable)
        }
        return (region, settings)
    }

    public func summary(_ access: AdminAccess, before cursor: Int64?) async throws -> CompanyFinanceSummary {
        try requireFinance(access)
        let region = try region(of: access.company)
        let zone = region.timeZone
        let today = LocalDate(clock.now, in: zone)
        let monthStart = (LocalDate(year: today.year, month: today.month, day: 1) ?? today).startOfDay(in: zone)
        let zero = Money.zero(region.currency)
        return CompanyFinanceSummary(
            balance: try await accounts.balance(of: access.company.id) ?? zero,
            paidThisMonth: try await accounts.paid(by: access.company.id, from: monthStart, to: clock.now) ?? zero,
            movements: try await accounts.movements(
                of: access.company.id, from: nil, to: nil, before: cursor, limit: 50))
    }

    public func issueInvoice(_ access: AdminAccess, amount: Money) async throws -> CompanyDocument {
        try requireFinance(access)
        let (region, settings) = try settings(of: access.company)
        guard amount.currency == region.currency, amount.isPositive, amount.minorUnits <= 100_000_000_00 else {
            throw CabinetError.validation([FieldError(field: "amount", code: CorporateError.amountInvalid)])
        }
        let today = LocalDate(clock.now, in: region.timeZone)
        let document = try await store.insertDocument(
            DocumentDraft(
                company: access.company.id, kind: .invoice, year: today.year, month: nil, amount: amount,
                vatPercent: settings.vatPercent, issuedOn: today, seller: settings.requisites,
                buyer: DocumentBuyer(access.company)),
            journal: JournalDraft(
                company: access.company.id, admin: access.admin.id, adminName: access.admin.name, action: "invoice",
                target: amount.amountString + " " + amount.currency.code, line: access.line, at: clock.now),
            at: clock.now)
        logger.info(
            "invoice issued",
            metadata: ["cabinet.company": "\(access.company.id)", "cabinet.document": "\(document.displayNumber)"])
        // Mailed now; the document job mails it if this server stops first.
        do {
            _ = try await mail(document)
        } catch {
            logger.warning("invoice not mailed yet", metadata: ["error": "\(error)"])
        }
        return document
    }

    public func documents(_ access: AdminAccess, before cursor: Int64?) async throws -> [CompanyDocument] {
        try requireFinance(access)
        return try await store.documents(of: access.company.id, before: cursor, limit: 50)
    }

    public func documentFile(_ access: AdminAccess, id: Int64, language: Language) async throws -> RenderedFile {
        try requireFinance(access)
        guard let document = try await store.document(id, of: access.company.id) else {
            throw CabinetError(CorporateError.documentNotFound)
        }
        return try renderer.render(document, texts: texts, language: language)
    }

    public func reportFile(_ access: AdminAccess, report: ExpenseReport, language: Language) throws -> RenderedFile {
        try access.require(.finance)
        return try renderer.render(report, company: access.company, texts: texts, language: language)
    }

    public func startCardTopUp(
        _ access: AdminAccess, amount: Money, returnURL: @escaping @Sendable (String) -> String
    ) async throws -> StartedTopUp {
        try requireFinance(access)
        guard let topUps else { throw CabinetError(PaymentsError.gatewayUnavailable) }
        let region = try region(of: access.company)
        guard amount.currency == region.currency, amount.isPositive else {
            throw CabinetError.validation([FieldError(field: "amount", code: CorporateError.amountInvalid)])
        }
        try await ensureAccount(of: access.company)
        let started = try await topUps.startCompanyTopUp(
            access.company.id, payer: access.line, amount: amount, returnURL: returnURL)
        logger.info(
            "company card top-up started",
            metadata: ["cabinet.company": "\(access.company.id)", "cabinet.payment": "\(started.payment.id)"])
        return started
    }

    public func cardTopUp(_ access: AdminAccess, id: String) async throws -> Payment {
        try requireFinance(access)
        guard let topUps else { throw CabinetError(PaymentsError.notFound) }
        let payment = try await topUps.payment(id, of: access.line)
        guard payment.company == access.company.id else { throw CabinetError(PaymentsError.notFound) }
        return payment
    }

    public func recordBankTransfer(_ transfer: BankTransfer) async throws -> BankTransferOutcome {
        guard let company = try await store.company(transfer.company) else {
            throw CabinetError(CorporateError.companyNotFound, arguments: ["company": transfer.company.rawValue])
        }
        let region = try region(of: company)
        try await ensureAccount(of: company)
        var problems: [FieldError] = []
        if transfer.amount.currency != region.currency || !transfer.amount.isPositive
            || transfer.amount.minorUnits > 100_000_000_00
        {
            problems.append(FieldError(field: "amount", code: CorporateError.amountInvalid))
        }
        // `pp-15` and `PP-15` are one payment order.
        let reference = transfer.reference.trimmingCharacters(in: .whitespaces).uppercased()
        if reference.isEmpty || reference.count > 40
            || !reference.unicodeScalars.allSatisfy({
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-/_.".unicodeScalars.contains($0))
            })
        {
            problems.append(FieldError(field: "reference", code: CorporateError.referenceInvalid))
        }
        if transfer.paidOn > LocalDate(clock.now, in: region.timeZone) {
            problems.append(FieldError(field: "paidOn", code: KernelError.fieldInvalid))
        }
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        let result = try await accounts.credit(
            CompanyCredit(
                externalID: "bank:\(company.id.rawValue):\(reference)", company: company.id, amount: transfer.amount,
                counterparty: .bank, explanation: "billing.explain.bankTransfer",
                arguments: ["reference": reference, "date": transfer.paidOn.description], at: clock.now))
        switch result {
        case .posted(_, let balance):
            logger.info(
                "bank transfer recorded",
                metadata: ["cabinet.company": "\(company.id)", "cabinet.amount": "\(transfer.amount.amountString)"])
            return BankTransferOutcome(recorded: true, balance: balance)
        case .duplicate:
            return BankTransferOutcome(
                recorded: false, balance: try await accounts.balance(of: company.id) ?? .zero(region.currency))
        case .insufficientFunds(let balance):
            // A credit never lacks funds; kept total for the enum.
            return BankTransferOutcome(recorded: false, balance: balance)
        }
    }
}
