import CHaru
public import Foundation

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

/// One libharu document with a TrueType font embedded (Cyrillic shows in any reader, `pdftotext` reads it back). Not
/// shared between tasks: a document is rendered start to end by one caller. libharu has no layout engine: callers
/// place rows and break pages by hand.
public final class PDFDocument {
    private let handle: HPDF_Doc
    private let font: HPDF_Font
    private let bold: HPDF_Font

    public init(fontPath: String) throws {
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

    public func addPage() throws -> PDFPage {
        guard let page = HPDF_AddPage(handle) else {
            throw PDFError.library(operation: "HPDF_AddPage", code: UInt(HPDF_GetError(handle)))
        }
        try Self.check(HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT), "HPDF_Page_SetSize", handle)
        return PDFPage(page: page, document: handle, font: font, bold: bold)
    }

    /// The finished file.
    public func data() throws -> Data {
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

/// A page being written (A4 portrait; points from the bottom left).
public struct PDFPage {
    let page: HPDF_Page
    let document: HPDF_Doc
    let font: HPDF_Font
    let bold: HPDF_Font

    public var width: Float { HPDF_Page_GetWidth(page) }
    public var height: Float { HPDF_Page_GetHeight(page) }

    public func text(_ value: String, x: Float, y: Float, size: Float, bold isBold: Bool = false) throws {
        guard !value.isEmpty else { return }
        try PDFDocument.check(HPDF_Page_BeginText(page), "HPDF_Page_BeginText", document)
        try PDFDocument.check(
            HPDF_Page_SetFontAndSize(page, isBold ? bold : font, size), "HPDF_Page_SetFontAndSize", document)
        try PDFDocument.check(HPDF_Page_TextOut(page, x, y, value), "HPDF_Page_TextOut", document)
        try PDFDocument.check(HPDF_Page_EndText(page), "HPDF_Page_EndText", document)
    }

    public func line(from start: (Float, Float), to end: (Float, Float)) throws {
        try PDFDocument.check(HPDF_Page_SetLineWidth(page, 0.5), "HPDF_Page_SetLineWidth", document)
        try PDFDocument.check(HPDF_Page_MoveTo(page, start.0, start.1), "HPDF_Page_MoveTo", document)
        try PDFDocument.check(HPDF_Page_LineTo(page, end.0, end.1), "HPDF_Page_LineTo", document)
        try PDFDocument.check(HPDF_Page_Stroke(page), "HPDF_Page_Stroke", document)
    }

    /// `value` ending at `right` (amounts in a column).
    public func text(_ value: String, right: Float, y: Float, size: Float, bold isBold: Bool = false) throws {
        guard !value.isEmpty else { return }
        try PDFDocument.check(
            HPDF_Page_SetFontAndSize(page, isBold ? bold : font, size), "HPDF_Page_SetFontAndSize", document)
        let width = HPDF_Page_TextWidth(page, value)
        try text(value, x: right - width, y: y, size: size, bold: isBold)
    }
}
