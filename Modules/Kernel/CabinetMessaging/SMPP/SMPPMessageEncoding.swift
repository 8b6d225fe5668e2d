/// How a text becomes SMS parts: plain ASCII in the default alphabet (160 characters, 153 per part when long),
/// anything else as UCS-2 (70, or 67 per part). Long messages carry a concatenation header (UDH, 8-bit reference).
struct SMPPMessageEncoding {
    struct Part: Equatable {
        var dataCoding: UInt8
        /// esm_class: 0x40 when the payload starts with a UDH.
        var esmClass: UInt8
        var payload: [UInt8]
    }

    /// Characters that are the same in ASCII and the GSM 03.38 default alphabet (no `@`, `$`, `_`, brackets, `\`).
    static func isDefaultAlphabet(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            guard scalar.isASCII else { return false }
            let value = scalar.value
            return (value >= 0x20 && value < 0x7F && !"@$_[]\\^{}|~`".unicodeScalars.contains(scalar)) || value == 0x0A
                || value == 0x0D
        }
    }

    /// The parts of `text`; `reference` identifies the parts of one message at the phone.
    static func parts(of text: String, reference: UInt8) -> [Part] {
        if isDefaultAlphabet(text) {
            let bytes = Array(text.utf8)
            return split(bytes, single: 160, chunk: 153, dataCoding: 0x00, reference: reference)
        }
        // UCS-2 is UTF-16 big-endian; a character outside the BMP takes two units and must not be split.
        var units: [[UInt8]] = []
        for scalar in text.unicodeScalars {
            let encoded = String(scalar).utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            units.append(encoded)
        }
        let totalBytes = units.reduce(0) { $0 + $1.count }
        if totalBytes <= 140 {
            return [Part(dataCoding: 0x08, esmClass: 0, payload: units.flatMap { $0 })]
        }
        var chunks: [[UInt8]] = [[]]
        for unit in units {
            if chunks[chunks.count - 1].count + unit.count > 134 { chunks.append([]) }
            chunks[chunks.count - 1] += unit
        }
        return withHeaders(chunks, dataCoding: 0x08, reference: reference)
    }

    private static func split(_ bytes: [UInt8], single: Int, chunk: Int, dataCoding: UInt8, reference: UInt8) -> [Part]
    {
        if bytes.count <= single { return [Part(dataCoding: dataCoding, esmClass: 0, payload: bytes)] }
        var chunks: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            chunks.append(Array(bytes[index..<min(index + chunk, bytes.count)]))
            index += chunk
        }
        return withHeaders(chunks, dataCoding: dataCoding, reference: reference)
    }

    private static func withHeaders(_ chunks: [[UInt8]], dataCoding: UInt8, reference: UInt8) -> [Part] {
        let total = UInt8(min(chunks.count, 255))
        return chunks.prefix(255).enumerated().map { index, chunk in
            Part(
                dataCoding: dataCoding, esmClass: 0x40,
                payload: [0x05, 0x00, 0x03, reference, total, UInt8(index + 1)] + chunk)
        }
    }
}

/// How many SMS a text costs through an SMS centre (each part is billed): plain ASCII in the default alphabet is one
/// part up to 160 characters, anything else (Cyrillic, `@`) is UCS-2, one part up to 70.
public enum SMSSegments {
    public static func count(_ text: String) -> Int { SMPPMessageEncoding.parts(of: text, reference: 0).count }
}
