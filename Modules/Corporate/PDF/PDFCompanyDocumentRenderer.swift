public import CabinetCore
import CabinetPDF
public import Corporate
import Foundation

/// Invoices, acts and the expense report as PDF, with libharu and an embedded TrueType font as the statements are
/// (so `pdftotext` reads the Cyrillic back). Every word comes from Corporate's messages in the asked language.
public struct PDFCompanyDocumentRenderer: CompanyDocumentRenderer {
    /// Debian's `fonts-dejavu-core`.
    public static let defaultFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    let fontPath: String

    public init(fontPath: String = PDFCompanyDocumentRenderer.defaultFont) {
        self.fontPath = fontPath
    }

    public var fontIsReadable: Bool { FileManager.default.isReadableFile(atPath: fontPath) }

    public func render(_ document: CompanyDocument, texts: MessageCatalog, language: Language) throws -> RenderedFile {
        guard fontIsReadable else { throw PDFError.fontMissing(fontPath) }
        let pdf = try PDFDocument(fontPath: fontPath)
        func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
            texts.text("corporate.pdf.\(key)", in: language, arguments: arguments)
        }
        let page = try pdf.addPage()
        let left: Float = 40
        let right = page.width - 40
        var y = page.height - 50
        let seller = document.seller
        let buyer = document.buyer

        // The payee's bank details first, as an invoice puts them for the payer's bank.
        if document.kind == .invoice {
            let rows = [
                seller.bank,
                "\(text("bik")) \(seller.bik)"
                    + (seller.correspondentAccount.map { "   \(text("correspondent")) \($0)" } ?? ""),
                "\(text("account")) \(seller.account)",
                "\(seller.taxIDLabel) \(seller.taxID)" + (seller.kpp.map { "   \(text("kpp")) \($0)" } ?? ""),
                "\(text("payee")): \(seller.name)",
            ]
            for row in rows {
                try page.text(row, x: left, y: y, size: 9)
                y -= 12
            }
            try page.line(from: (left, y + 4), to: (right, y + 4))
            y -= 20
        }
        let title = document.kind == .invoice ? "invoice.title" : "act.title"
        try page.text(
            text(title, ["number": document.displayNumber, "date": Self.date(document.issuedOn)]), x: left, y: y,
            size: 14, bold: true)
        y -= 26
        let parties: [(String, String)] = [
            (
                text(document.kind == .invoice ? "seller" : "contractor"),
                "\(seller.name), \(seller.taxIDLabel) \(seller.taxID)"
                    + (seller.kpp.map { ", \(text("kpp")) \($0)" } ?? "")
                    + ", \(seller.address)"
            ),
            (
                text(document.kind == .invoice ? "buyer" : "customer"),
                "\(buyer.name), \(text("inn")) \(buyer.inn), \(text("kpp")) \(buyer.kpp), \(buyer.address)"
            ),
            (text("basis"), text("contract", ["contract": buyer.contractNumber])),
        ]
        for (label, value) in parties {
            try page.text(label + ":", x: left, y: y, size: 9, bold: true)
            for (index, part) in Self.wrap(value, width: 82).enumerated() {
                try page.text(part, x: left + 90, y: y - Float(index) * 12, size: 9)
            }
            y -= 12 * Float(max(1, Self.wrap(value, width: 82).count)) + 4
        }
        y -= 12
        // One row: the service and its price.
        let columns: [Float] = [left, left + 25, right - 200, right - 130, right]
        try page.line(from: (left, y + 12), to: (right, y + 12))
        try page.text("№", x: columns[0], y: y, size: 9, bold: true)
        try page.text(text("item"), x: columns[1], y: y, size: 9, bold: true)
        try page.text(text("quantity"), x: columns[2], y: y, size: 9, bold: true)
        try page.text(text("price"), right: columns[3] + 60, y: y, size: 9, bold: true)
        try page.text(text("sum"), right: columns[4], y: y, size: 9, bold: true)
        y -= 6
        try page.line(from: (left, y), to: (right, y))
        y -= 12
        let item =
            document.kind == .invoice
            ? text("invoice.item", ["contract": buyer.contractNumber])
            : text(
                "act.item", ["month": document.month.map { Self.monthName($0, texts: texts, language: language) } ?? ""]
            )
        try page.text("1", x: columns[0], y: y, size: 9)
        try page.text(item, x: columns[1], y: y, size: 9)
        try page.text("1", x: columns[2], y: y, size: 9)
        try page.text(Self.amount(document.amount), right: columns[3] + 60, y: y, size: 9)
        try page.text(Self.amount(document.amount), right: columns[4], y: y, size: 9)
        y -= 6
        try page.line(from: (left, y), to: (right, y))
        y -= 18
        let totals: [(String, String, Bool)] = [
            (text("total"), Self.amount(document.amount), false),
            (
                document.vatPercent > 0 ? text("vat", ["percent": String(document.vatPercent)]) : text("noVAT"),
                document.vatPercent > 0 ? Self.amount(document.vat) : "—", false
            ),
            (text(document.kind == .invoice ? "invoice.due" : "act.rendered"), Self.amount(document.amount), true),
        ]
        for (label, value, bold) in totals {
            try page.text(label, right: right - 110, y: y, size: 10, bold: bold)
            try page.text(value + " " + document.amount.currency.code, right: right, y: y, size: 10, bold: bold)
            y -= 15
        }
        y -= 15
        let closing = document.kind == .invoice ? text("invoice.note") : text("act.note")
        for part in Self.wrap(closing, width: 100) {
            try page.text(part, x: left, y: y, size: 9)
            y -= 12
        }
        y -= 30
        if document.kind == .act {
            try page.text(text("contractor") + " ____________________", x: left, y: y, size: 10)
            try page.text(text("customer") + " ____________________", x: left + 270, y: y, size: 10)
        } else {
            try page.text(text("signature") + " ____________________", x: left, y: y, size: 10)
        }
        let kind = document.kind == .invoice ? "invoice" : "act"
        return RenderedFile(
            fileName: "\(kind)-\(document.displayNumber).pdf", contentType: "application/pdf", data: try pdf.data())
    }

    public func render(_ report: ExpenseReport, company: Company, texts: MessageCatalog, language: Language) throws
        -> RenderedFile
    {
        guard fontIsReadable else { throw PDFError.fontMissing(fontPath) }
        let pdf = try PDFDocument(fontPath: fontPath)
        func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
            texts.text(key, in: language, arguments: arguments)
        }
        var page = try pdf.addPage()
        var pageNumber = 1
        let left: Float = 30
        let right = page.width - 30
        var y = page.height - 45
        let kinds = ExpenseKind.allCases
        // Name, number, then one column per kind and the total, amounts right-aligned.
        let amountRights: [Float] = (0...kinds.count).map { right - Float(kinds.count - $0) * 52 }
        func money(_ minor: Int64) -> String { Self.amount(report.money(minor)) }
        func header() throws {
            try page.text(text("corporate.pdf.report.line"), x: left, y: y, size: 7, bold: true)
            for (index, kind) in kinds.enumerated() {
                try page.text(
                    text("web.business.kind.\(kind.rawValue)"), right: amountRights[index], y: y, size: 7, bold: true)
            }
            try page.text(
                text("corporate.pdf.report.total"), right: amountRights[kinds.count], y: y, size: 7, bold: true)
            y -= 4
            try page.line(from: (left, y), to: (right, y))
            y -= 10
        }
        func row(_ label: String, _ amounts: [ExpenseKind: Int64], bold: Bool = false) throws {
            if y < 45 {
                try page.text(text("corporate.pdf.page", ["page": String(pageNumber)]), x: right - 40, y: 20, size: 7)
                page = try pdf.addPage()
                pageNumber += 1
                y = page.height - 45
                try header()
            }
            try page.text(String(label.prefix(44)), x: left, y: y, size: 7, bold: bold)
            for (index, kind) in kinds.enumerated() {
                try page.text(money(amounts[kind] ?? 0), right: amountRights[index], y: y, size: 7, bold: bold)
            }
            try page.text(
                money(amounts.values.reduce(0, +)), right: amountRights[kinds.count], y: y, size: 7, bold: bold)
            y -= 11
        }
        try page.text(
            text(
                "corporate.pdf.report.title", ["month": Self.monthName(report.month, texts: texts, language: language)]),
            x: left, y: y, size: 14, bold: true)
        y -= 18
        try page.text(
            "\(company.name), \(text("corporate.pdf.inn")) \(company.inn.rawValue), "
                + text("corporate.pdf.contract", ["contract": company.contractNumber]),
            x: left, y: y, size: 9)
        y -= 12
        try page.text(text("corporate.pdf.report.currency", ["currency": report.currency.code]), x: left, y: y, size: 9)
        y -= 20
        try header()
        try row(text("corporate.pdf.report.company"), report.totals, bold: true)
        y -= 4
        for group in report.groups {
            try row(group.name ?? text("web.business.report.noGroup"), group.amounts, bold: true)
        }
        y -= 8
        for line in report.rows {
            try row("\(line.msisdn.formatted) \(line.name ?? "")", line.amounts)
        }
        try page.text(text("corporate.pdf.page", ["page": String(pageNumber)]), x: right - 40, y: 20, size: 7)
        return RenderedFile(
            fileName: "expenses-\(String(format: "%04d-%02d", report.month.year, report.month.month)).pdf",
            contentType: "application/pdf", data: try pdf.data())
    }

    /// `1 234,50`: grouped, a comma before the kopecks, without the currency sign (the column or line names it).
    static func amount(_ money: Money) -> String {
        money.displayString.replacingOccurrences(of: " " + money.currency.symbol, with: "")
            .replacingOccurrences(of: "\u{00A0}" + money.currency.symbol, with: "")
            .replacingOccurrences(of: "\u{00A0}", with: " ")
    }

    /// `30.11.2026`.
    static func date(_ date: LocalDate) -> String {
        String(format: "%02d.%02d.%04d", date.day, date.month, date.year)
    }

    static func monthName(_ month: LocalDate, texts: MessageCatalog, language: Language) -> String {
        texts.text("corporate.pdf.month.\(month.month)", in: language) + " \(month.year)"
    }

    /// Splits text into lines of at most `width` characters at spaces (a PDF page does not wrap).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > width {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
