public import CabinetCore
public import Foundation

/// The operator's legal details as invoices and acts print them (the region file's `corporate.requisites`).
public struct OperatorRequisites: Sendable, Hashable, Codable {
    public var name: String
    /// What the tax id is called where the region is: «ИНН» in Russia, «БИН» in Kazakhstan.
    public var taxIDLabel: String
    public var taxID: String
    public var kpp: String?
    public var address: String
    public var bank: String
    public var bik: String
    public var account: String
    public var correspondentAccount: String?

    public init(
        name: String, taxIDLabel: String, taxID: String, kpp: String?, address: String, bank: String, bik: String,
        account: String, correspondentAccount: String?
    ) {
        self.name = name
        self.taxIDLabel = taxIDLabel
        self.taxID = taxID
        self.kpp = kpp
        self.address = address
        self.bank = bank
        self.bik = bik
        self.account = account
        self.correspondentAccount = correspondentAccount
    }
}

/// The company as a document names it, kept with the document: a later change of name or address does not rewrite
/// what was issued.
public struct DocumentBuyer: Sendable, Hashable, Codable {
    public var name: String
    public var inn: String
    public var kpp: String
    public var address: String
    public var contractNumber: String

    public init(name: String, inn: String, kpp: String, address: String, contractNumber: String) {
        self.name = name
        self.inn = inn
        self.kpp = kpp
        self.address = address
        self.contractNumber = contractNumber
    }

    public init(_ company: Company) {
        self.init(
            name: company.name, inn: company.inn.rawValue, kpp: company.kpp.rawValue, address: company.legalAddress,
            contractNumber: company.contractNumber)
    }
}

/// An invoice («счёт на оплату») an admin asked for, or a month's act («акт оказанных услуг») the document job issued.
/// Numbers run per company, kind and year from 1 without gaps; amounts include VAT, which is shown apart.
public struct CompanyDocument: Sendable, Hashable, Identifiable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case invoice, act
    }

    public var id: Int64
    public var company: CompanyID
    public var kind: Kind
    public var year: Int
    public var number: Int
    /// The act's month (its first day); `nil` for an invoice.
    public var month: LocalDate?
    /// With VAT.
    public var amount: Money
    public var vatPercent: Int
    public var issuedOn: LocalDate
    public var seller: OperatorRequisites
    public var buyer: DocumentBuyer
    public var createdAt: Date
    /// When the finance admins were mailed it; `nil` until the document job (or the issue itself) did.
    public var mailedAt: Date?

    public init(
        id: Int64, company: CompanyID, kind: Kind, year: Int, number: Int, month: LocalDate?, amount: Money,
        vatPercent: Int, issuedOn: LocalDate, seller: OperatorRequisites, buyer: DocumentBuyer, createdAt: Date,
        mailedAt: Date?
    ) {
        self.id = id
        self.company = company
        self.kind = kind
        self.year = year
        self.number = number
        self.month = month
        self.amount = amount
        self.vatPercent = vatPercent
        self.issuedOn = issuedOn
        self.seller = seller
        self.buyer = buyer
        self.createdAt = createdAt
        self.mailedAt = mailedAt
    }

    /// `2026-15`: the year and the number within it (numbers restart each year).
    public var displayNumber: String { "\(year)-\(number)" }

    /// The VAT included in the amount, rounded half up to the minor unit.
    public var vat: Money { Self.vat(in: amount, percent: vatPercent) }

    /// The VAT included in `amount` at `percent`: amount × p / (100 + p), rounded half up.
    public static func vat(in amount: Money, percent: Int) -> Money {
        guard percent > 0 else { return .zero(amount.currency) }
        let numerator = amount.minorUnits.multipliedReportingOverflow(by: Int64(percent))
        guard !numerator.overflow else { return .zero(amount.currency) }
        let divisor = Int64(100 + percent)
        let (quotient, remainder) = numerator.partialValue.quotientAndRemainder(dividingBy: divisor)
        let rounded = quotient + (remainder * 2 >= divisor ? 1 : 0)
        return Money(minorUnits: rounded, currency: amount.currency)
    }
}

/// A document to write: the store gives it its number.
public struct DocumentDraft: Sendable, Hashable {
    public var company: CompanyID
    public var kind: CompanyDocument.Kind
    public var year: Int
    public var month: LocalDate?
    public var amount: Money
    public var vatPercent: Int
    public var issuedOn: LocalDate
    public var seller: OperatorRequisites
    public var buyer: DocumentBuyer

    public init(
        company: CompanyID, kind: CompanyDocument.Kind, year: Int, month: LocalDate?, amount: Money, vatPercent: Int,
        issuedOn: LocalDate, seller: OperatorRequisites, buyer: DocumentBuyer
    ) {
        self.company = company
        self.kind = kind
        self.year = year
        self.month = month
        self.amount = amount
        self.vatPercent = vatPercent
        self.issuedOn = issuedOn
        self.seller = seller
        self.buyer = buyer
    }
}

/// A finished file (a document's or a report's PDF).
public struct RenderedFile: Sendable, Hashable {
    public var fileName: String
    public var contentType: String
    public var data: Data

    public init(fileName: String, contentType: String, data: Data) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
    }
}

/// One e-mail of a document to an admin, with its PDF.
public struct DocumentMail: Sendable, Hashable {
    public var to: String
    public var subject: String
    public var body: String
    public var file: RenderedFile

    public init(to: String, subject: String, body: String, file: RenderedFile) {
        self.to = to
        self.subject = subject
        self.body = body
        self.file = file
    }
}

/// Writes a company's documents and reports as files (CorporatePDF: libharu, as the statements).
public protocol CompanyDocumentRenderer: Sendable {
    func render(_ document: CompanyDocument, texts: MessageCatalog, language: Language) throws -> RenderedFile
    func render(_ report: ExpenseReport, company: Company, texts: MessageCatalog, language: Language) throws
        -> RenderedFile
}
