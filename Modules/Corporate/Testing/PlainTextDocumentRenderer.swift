public import CabinetCore
public import Corporate
import Foundation

/// Documents as a few lines of plain text, for tests of everything around the files (routes, access, mail) without
/// libharu; CorporatePDF's own tests render the real PDFs.
public struct PlainTextDocumentRenderer: CompanyDocumentRenderer {
    public init() {}

    public func render(_ document: CompanyDocument, texts: MessageCatalog, language: Language) throws -> RenderedFile {
        let title = texts.text(
            "corporate.pdf.\(document.kind.rawValue).title", in: language,
            arguments: ["number": document.displayNumber, "date": document.issuedOn.description])
        let body =
            "\(title)\n\(document.buyer.name)\n\(document.amount.amountString) \(document.amount.currency.code)\n"
        return RenderedFile(
            fileName: "\(document.kind.rawValue)-\(document.displayNumber).txt",
            contentType: "text/plain; charset=utf-8",
            data: Data(body.utf8))
    }

    public func render(_ report: ExpenseReport, company: Company, texts: MessageCatalog, language: Language) throws
        -> RenderedFile
    {
        let lines = report.rows.map { "\($0.msisdn.e164) \(report.money($0.total).amountString)" }
        return RenderedFile(
            fileName: "expenses.txt", contentType: "text/plain; charset=utf-8",
            data: Data(([company.name] + lines).joined(separator: "\n").utf8))
    }
}
