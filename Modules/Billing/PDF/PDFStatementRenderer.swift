public import Billing
import CHaru
import CabinetCore
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

/// Why a PDF could not be written.
public enum PDFError: Error, CustomStringConvertible {
    case fontMissing(String)
    case library(operation: String, code: UInt)

    public var description: String {
        switch self {
        case .fontMissing(let path):
            "the PDF font \(path) cannot be read (install fonts-dejavu-core or set CABINET_PDF_FONT)"
        case .library(let operation, let code): "libharu failed in \(operation) with error 0x\(String(code, radix: 16))"
        }
    }
}

/// One libharu document. Not shared between tasks: a statement is rendered start to end by one caller.
final class PDFDocument {
    private let handle: HPDF_Doc
    private let font: HPDF_Font
    private let bold: HPDF_Font

    init(fontPath: String) throws {
        guard let handle = HPDF_New(nil, nil) else { throw PDFError.library(operation: "HPDF_New", code: 0) }
        self.handle = handle
        do {
            try Self.check(HPDF_UseUTFEncodings(handle), "HPDF_UseUTFEncodings", handle)
            try Self.check(HPDF_SetCurrentEncoder(handle, "UTF-8"), "HPDF_SetCurrentEncoder", handle)
            try Self.check(HPDF_SetCompressionMode(handle, UInt32(HPDF_COMP_ALL)), "HPDF_SetCompressionMode", handle)
            // Embedded (HPDF_TRUE): the reader needs no font of its own to show Cyrillic.
            guard let name = HPDF_LoadTTFontFromFile(handle, fontPath, HPDF_BOOL(HPDF_TRUE)),
                let font = HPDF_GetFont(handle, name, "UTF-8")
            else { throw PDFError.library(operation: "HPDF_LoadTTFontFromFile", code: UInt(HPDF_GetError(handle))) }
            self.font = font
            let boldPath = fontPath.replacingOccurrences(of: "DejaVuSans.ttf", with: "DejaVuSans-Bold.ttf")
            if boldPath != fontPath, FileManager.default.isReadableFile(atPath: boldPath),
                let boldName = HPDF_LoadTTFontFromFile(handle, boldPath, HPDF_BOOL(HPDF_TRUE)),
                let boldFont = HPDF_GetFont(handle, boldName, "UTF-8")
            {
                self.bold = boldFont
            } else {
                self.bold = font
            }
        } catch {
            HPDF_Free(handle)
            throw error
        }
    }

    deinit { HPDF_Free(handle) }

    func addPage() throws -> PDFPage {
        guard let page = HPDF_AddPage(handle) else {
            throw PDFError.library(operation: "HPDF_AddPage", code: UInt(HPDF_GetError(handle)))
        }
        try Self.check(HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT), "HPDF_Page_SetSize", handle)
        return PDFPage(page: page, document: handle, font: font, bold: bold)
    }

    /// The finished file.
    func data() throws -> Data {
        try Self.check(HPDF_SaveToStream(handle), "HPDF_SaveToStream", handle)
        var size = HPDF_UINT32(HPDF_GetStreamSize(handle))
        var bytes = [UInt8](repeating: 0, count: Int(size))
        try Self.check(HPDF_ReadFromStream(handle, &bytes, &size), "HPDF_ReadFromStream", handle)
        return Data(bytes.prefix(Int(size)))
    }

    /// `HPDF_STREAM_EOF` (hpdf_error.h, not part of the public header): HPDF_ReadFromStream's "everything was read".
    static let streamEnd: HPDF_STATUS = 0x1058

    static func check(_ status: HPDF_STATUS, _ operation: String, _ handle: HPDF_Doc) throws {
        guard status == HPDF_STATUS(HPDF_OK) || status == streamEnd else {
            HPDF_ResetError(handle)
            throw PDFError.library(operation: operation, code: UInt(status))
        }
    }
}

/// A page being written.
struct PDFPage {
    let page: HPDF_Page
    let document: HPDF_Doc
    let font: HPDF_Font
    let bold: HPDF_Font

    var width: Float { HPDF_Page_GetWidth(page) }
    var height: Float { HPDF_Page_GetHeight(page) }

    func text(_ value: String, x: Float, y: Float, size: Float, bold isBold: Bool = false) throws {
        guard !value.isEmpty else { return }
        try PDFDocument.check(HPDF_Page_BeginText(page), "HPDF_Page_BeginText", document)
        try PDFDocument.check(
            HPDF_Page_SetFontAndSize(page, isBold ? bold : font, size), "HPDF_Page_SetFontAndSize", document)
        try PDFDocument.check(HPDF_Page_TextOut(page, x, y, value), "HPDF_Page_TextOut", document)
        try PDFDocument.check(HPDF_Page_EndText(page), "HPDF_Page_EndText", document)
    }

    func line(from start: (Float, Float), to end: (Float, Float)) throws {
        try PDFDocument.check(HPDF_Page_SetLineWidth(page, 0.5), "HPDF_Page_SetLineWidth", document)
        try PDFDocument.check(HPDF_Page_MoveTo(page, start.0, start.1), "HPDF_Page_MoveTo", document)
        try PDFDocument.check(HPDF_Page_LineTo(page, end.0, end.1), "HPDF_Page_LineTo", document)
        try PDFDocument.check(HPDF_Page_Stroke(page), "HPDF_Page_Stroke", document)
    }
}
