public import Billing
import CabinetCore
import CabinetPDF
import Foundation

/// The statement as a PDF: libharu writes it, a TrueType font with Cyrillic (DejaVu Sans by default) is embedded so
/// any reader shows the text and `pdftotext` reads it back. libharu has no layout engine: rows are placed here and
/// pages break by hand.
public struct PDFStatementRenderer: StatementRenderer {
    /// Debian's `fonts-dejavu-core`.
    public static let defaultFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    let fontPath: String

    public init(fontPath: String = PDFStatementRenderer.defaultFont) {
        self.fontPath = fontPath
    }

    /// Checks that the font can be read, so a server can warn at start instead of failing every statement later.
    public var fontIsReadable: Bool { FileManager.default.isReadableFile(atPath: fontPath) }

    public func render(_ statement: FullStatement, texts: BillingTexts) throws -> StatementFile {
        guard fontIsReadable else { throw PDFError.fontMissing(fontPath) }
        let document = try PDFDocument(fontPath: fontPath)
        let language = statement.language
        func text(_ key: String, _ arguments: [String: String] = [:]) -> String {
            texts.catalog.text(key, in: language, arguments: arguments)
        }
        var page = try document.addPage()
        var pageNumber = 1
        var y = page.height - 50
        let left: Float = 40
        let right = page.width - 40

        func footer() throws {
            try page.text(text("billing.pdf.page", ["page": String(pageNumber)]), x: right - 40, y: 25, size: 8)
        }
        func newPage() throws {
            try footer()
            page = try document.addPage()
            pageNumber += 1
            y = page.height - 50
            try tableHeader()
        }
        func tableHeader() throws {
            let headers = ["time", "kind", "otherParty", "units", "fromPackage", "charged"].map {
                text("billing.csv.\($0)")
            }
            for (index, header) in headers.enumerated() {
                try page.text(header, x: Self.columns[index], y: y, size: 8, bold: true)
            }
            y -= 4
            try page.line(from: (left, y), to: (right, y))
            y -= 11
        }

        try page.text(text("billing.pdf.title"), x: left, y: y, size: 16)
        y -= 24
        let facts: [(String, String)] = [
            (text("billing.pdf.number"), statement.msisdn.formatted),
            (text("billing.pdf.owner"), statement.owner ?? "—"),
            (text("billing.pdf.region"), statement.regionName),
            (text("billing.pdf.tariff"), statement.tariffName),
            (text("billing.pdf.period"), "\(statement.from) — \(statement.to)"),
            (text("billing.pdf.generated"), statement.localTime(statement.generatedAt)),
        ]
        for (label, value) in facts {
            try page.text(label, x: left, y: y, size: 10)
            try page.text(value, x: left + 110, y: y, size: 10)
            y -= 14
        }
        y -= 10
        try page.text(text("billing.pdf.totals"), x: left, y: y, size: 12)
        y -= 16
        for total in statement.totals {
            let unit = Rater.unit(of: total.kind)
            let line =
                "\(text("billing.total.\(total.kind.rawValue)")): "
                + "\(total.events) \(text("billing.pdf.events")), \(texts.amount(total.units, of: unit, language: language)), "
                + "\(text("billing.csv.fromPackage")): \(texts.amount(total.fromPackage, of: unit, language: language)), "
                + "\(text("billing.csv.charged")): \(total.charged.displayString)"
            try page.text(line, x: left, y: y, size: 9)
            y -= 13
        }
        try page.text(
            "\(text("billing.pdf.charged")): \(statement.charged.displayString)", x: left, y: y, size: 10, bold: true)
        y -= 24
        if statement.events.isEmpty {
            try page.text(text("billing.pdf.none"), x: left, y: y, size: 10)
        } else {
            try tableHeader()
            for event in statement.events {
                if y < 50 { try newPage() }
                let unit = Rater.unit(of: event.kind)
                let cells = [
                    statement.localTime(event.occurredAt),
                    StatementCSVRenderer.kindText(event, texts: texts, language: language),
                    event.otherParty ?? "", texts.amount(event.units, of: unit, language: language),
                    texts.amount(event.fromPackage, of: unit, language: language), event.charged.displayString,
                ]
                for (index, cell) in cells.enumerated() {
                    try page.text(String(cell.prefix(index == 1 ? 26 : 20)), x: Self.columns[index], y: y, size: 8)
                }
                y -= 12
            }
        }
        try footer()
        let data = try document.data()
        return StatementFile(
            fileName: "statement-\(statement.msisdn.nationalNumber)-\(statement.from)-\(statement.to).pdf",
            contentType: "application/pdf", data: data)
    }

    /// Left edges of the table's columns on an A4 page (points).
    static let columns: [Float] = [40, 128, 255, 345, 420, 495]
}
