import Foundation

/// The kinds of file a subscriber may attach to a support ticket: screenshots, photos and PDF documents.
///
/// The type is always decided by ``sniff(_:)`` from the file's first bytes, never from its name or the
/// `Content-Type` the browser sent, both of which the uploader controls. Everything else — HTML, SVG (which can
/// carry scripts), archives, executables — is refused, so nothing an agent opens from a ticket can run in the
/// support desk's origin.
public enum AttachmentType: String, Sendable, Hashable, CaseIterable, Codable {
    case png, jpeg, gif, webp, pdf

    /// The media type to serve the attachment with.
    public var mediaType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .pdf: "application/pdf"
        }
    }

    /// The file name extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpg"
        case .gif: "gif"
        case .webp: "webp"
        case .pdf: "pdf"
        }
    }

    /// The type the bytes' signature (magic number) shows, or `nil` for anything that is not one of the accepted
    /// types (including an empty or truncated file).
    public static func sniff(_ bytes: some Collection<UInt8>) -> AttachmentType? {
        // The longest signature checked (WebP's) ends at byte 12.
        let head = Array(bytes.prefix(12))
        func starts(with signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count && head[offset..<offset + signature.count].elementsEqual(signature)
        }
        if starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(with: Array("GIF87a".utf8)) || starts(with: Array("GIF89a".utf8)) { return .gif }
        // A RIFF container (4-byte tag, 4-byte length) whose form type is WEBP; other RIFF files (WAV, AVI) are not.
        if starts(with: Array("RIFF".utf8)) && starts(with: Array("WEBP".utf8), at: 8) { return .webp }
        if starts(with: Array("%PDF-".utf8)) { return .pdf }
        return nil
    }

    /// Longest file name ``safeFileName(_:type:)`` returns, in characters.
    public static let maximumFileNameLength = 100

    /// A file name that is safe to store and to put in a `Content-Disposition` header, made from the name the
    /// uploader gave and the type the bytes were sniffed as.
    ///
    /// Directory parts (anything up to the last `/` or `\`) are dropped, and only letters of any script, digits,
    /// spaces, `-`, `_` and `.` are kept, so no path traversal, control character, quote or line break survives.
    /// The uploader's extension (what follows the last dot, when that is 1 to 10 letters or digits) is replaced by
    /// `type`'s, so `photo.pdf` holding a PNG becomes `photo.png`. Leading and trailing dots and spaces are trimmed
    /// (no hidden files, nothing Windows would mangle). The result has at most ``maximumFileNameLength``
    /// characters; when nothing is left of the name it is `attachment.<ext>`.
    public static func safeFileName(_ name: String, type: AttachmentType) -> String {
        // NFC first, so a letter with a separately encoded accent is one character and counts once.
        let normalized = name.precomposedStringWithCanonicalMapping
        // Scalars, not characters: a slash followed by a combining mark is one character that is not "/".
        let scalars = normalized.unicodeScalars
        let lastPart = scalars.lastIndex { $0 == "/" || $0 == "\\" }.map { scalars[scalars.index(after: $0)...] }
        var kept = String(lastPart ?? scalars[...]).filter(isAllowed)
        // The extension is what follows the last dot if it looks like one (1 to 10 letters or digits): "v1.2 notes"
        // has none and keeps its whole name.
        if let dot = kept.lastIndex(of: ".") {
            let candidate = kept[kept.index(after: dot)...]
            if (1...10).contains(candidate.count), candidate.allSatisfy({ $0.isLetter || $0.isNumber }) {
                kept = String(kept[..<dot])
            }
        }
        let suffix = "." + type.fileExtension
        var base = trimmed(kept)
        // Limit by Unicode scalars as well as characters: a letter carrying many combining marks is one character
        // but many bytes, and the name must stay short in bytes too (file systems, headers).
        let budget = maximumFileNameLength - suffix.unicodeScalars.count
        var used = 0
        var shortened = ""
        for character in base {
            used += character.unicodeScalars.count
            if used > budget { break }
            shortened.append(character)
        }
        base = trimmed(shortened)
        return (base.isEmpty ? "attachment" : base) + suffix
    }

    /// Letters (of any script, with their combining marks), decimal digits, space, `-`, `_` and `.`.
    private static func isAllowed(_ character: Character) -> Bool {
        if character == " " || character == "-" || character == "_" || character == "." { return true }
        guard let first = character.unicodeScalars.first else { return false }
        let firstAllowed: Bool
        switch first.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber:
            firstAllowed = true
        default:
            firstAllowed = false
        }
        // Whatever follows the first scalar in one character must be a combining mark: that rules out joiners,
        // variation selectors and format characters (such as right-to-left overrides) smuggled inside a character.
        let restAllowed = character.unicodeScalars.dropFirst().allSatisfy {
            switch $0.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: true
            default: false
            }
        }
        return firstAllowed && restAllowed
    }

    private static func trimmed(_ text: String) -> String {
        let isTrimmed: (Character) -> Bool = { $0 == " " || $0 == "." }
        guard let start = text.firstIndex(where: { !isTrimmed($0) }),
            let end = text.lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        return String(text[start...end])
    }
}
