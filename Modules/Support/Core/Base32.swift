/// Base32 with the RFC 4648 alphabet (`A`–`Z`, `2`–`7`), the form authenticator apps expect a TOTP secret in.
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// `bytes` as upper-case Base32 without `=` padding (authenticator apps and `otpauth://` URIs omit it).
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bitCount = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bitCount += 8
            while bitCount >= 5 {
                bitCount -= 5
                output.append(alphabet[Int((buffer >> UInt32(bitCount)) & 0x1F)])
            }
        }
        if bitCount > 0 {
            // The last group is padded with zero bits on the right.
            output.append(alphabet[Int((buffer << UInt32(5 - bitCount)) & 0x1F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of a Base32 text, or `nil` when it is not Base32.
    ///
    /// Secrets are often typed by hand from a screen, so case does not matter and spaces, tabs, line breaks and
    /// `=` padding are ignored. Any other character outside the alphabet — and a length no encoder produces
    /// (1, 3 or 6 characters past a multiple of 8, a sign of a dropped or extra character) — gives `nil`.
    public static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count * 5 / 8)
        var buffer: UInt32 = 0
        var bitCount = 0
        var symbols = 0
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a")
            case UInt8(ascii: "2")...UInt8(ascii: "7"): value = byte - UInt8(ascii: "2") + 26
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "="):
                continue
            default:
                return nil
            }
            symbols += 1
            // Only the low 13 bits are ever needed, so the shift cannot lose anything that matters.
            buffer = (buffer << 5) | UInt32(value)
            bitCount += 5
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bitCount)))
            }
        }
        guard ![1, 3, 6].contains(symbols % 8) else { return nil }
        return output
    }
}
