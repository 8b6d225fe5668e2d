import Crypto
public import Foundation

/// RFC 6238 time-based one-time passwords (HMAC-SHA1): the second factor support agents type from an authenticator
/// app when they sign in to the support desk.
///
/// SHA-1 is what every authenticator app supports by default; HMAC-SHA1 is still sound for this use (RFC 6238
/// relies on HMAC's properties, not on SHA-1's collision resistance).
///
/// Verifying a code is ``matchingStep(_:at:window:)``: it returns the time step the code belongs to, and the caller
/// stores the last step it accepted for the agent and refuses any step not later than it, so a code seen over
/// someone's shoulder cannot be replayed within its validity window.
public struct TOTP: Sendable {
    /// The shared secret, as raw bytes (not Base32).
    private let secret: [UInt8]
    /// Number of decimal digits in a code.
    public let digits: Int
    /// Length of a time step in seconds.
    public let period: Int

    /// The widest window ``matchingStep(_:at:window:)`` searches; larger requests are narrowed to it so a
    /// misconfigured window cannot turn verification into a wide brute-force target or a slow loop.
    public static let maximumWindow = 10

    /// - Parameters:
    ///   - secret: the shared secret; ``generateSecret()`` makes a suitable one (RFC 4226 asks for at least 128 bits,
    ///     recommends 160).
    ///   - digits: digits per code, clamped to 1...10 (a truncated HMAC is a 31-bit number, so it has at most 10).
    ///     Authenticator apps support 6 (the default) and 8.
    ///   - period: seconds per step, at least 1; authenticator apps assume 30 (the default).
    public init(secret: [UInt8], digits: Int = 6, period: Int = 30) {
        self.secret = secret
        self.digits = min(max(digits, 1), 10)
        self.period = max(period, 1)
    }

    /// 20 random bytes (160 bits, the length RFC 4226 recommends) from the system's secure generator.
    public static func generateSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The time step `date` falls in: whole periods since the Unix epoch (RFC 6238's T with T0 = 0).
    ///
    /// - Parameter period: seconds per step; a value below 1 is read as 1.
    public static func step(at date: Date, period: Int = 30) -> Int64 {
        let steps = (date.timeIntervalSince1970 / Double(max(period, 1))).rounded(.down)
        // Converting an out-of-range Double to Int64 traps, so absurd dates are pinned to the ends of the range.
        guard steps.isFinite else { return 0 }
        if steps >= 0x1p63 { return .max }
        if steps < -0x1p63 { return .min }
        return Int64(steps)
    }

    /// The code for the step `date` falls in.
    public func code(at date: Date) -> String {
        code(forStep: Self.step(at: date, period: period))
    }

    /// The code for time step `step` (RFC 4226's HOTP with the step as the counter), left-padded with zeros to
    /// ``digits`` characters.
    public func code(forStep step: Int64) -> String {
        // The counter is the step as an 8-byte big-endian unsigned number.
        let counter = withUnsafeBytes(of: UInt64(bitPattern: step).bigEndian) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: counter, using: SymmetricKey(data: secret)))
        // Dynamic truncation (RFC 4226 §5.3): the low nibble of the last byte picks 4 bytes; the top bit is dropped
        // so the number is the same whether read as signed or unsigned.
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary =
            UInt64(mac[offset] & 0x7F) << 24 | UInt64(mac[offset + 1]) << 16 | UInt64(mac[offset + 2]) << 8
            | UInt64(mac[offset + 3])
        var modulus: UInt64 = 1
        for _ in 0..<digits { modulus *= 10 }
        let number = String(binary % modulus)
        return String(repeating: "0", count: digits - number.count) + number
    }

    /// The step within `window` steps either side of the step of `date` whose code is `code`, or `nil` if none.
    ///
    /// The window absorbs clock drift between the server and the agent's phone and the time it takes to type the
    /// code. Store the returned step and refuse a later code whose step is not greater: that is what makes a code
    /// single-use. Should two steps in the window share the code, the latest is returned, so that the stored step
    /// refuses as much as possible.
    ///
    /// - Parameters:
    ///   - code: exactly ``digits`` ASCII digits; anything else (spaces, other scripts' digits, another length)
    ///     matches nothing.
    ///   - window: steps either side of now to accept, clamped to 0...``maximumWindow``.
    public func matchingStep(_ code: String, at date: Date, window: Int = 1) -> Int64? {
        let given = Array(code.utf8)
        guard given.count == digits, given.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        let window = min(max(window, 0), Self.maximumWindow)
        let now = Self.step(at: date, period: period)
        var match: Int64?
        // Every candidate is computed and compared in full, without stopping at the first match, so the time taken
        // says nothing about which step (or how many digits) matched.
        for offset in -Int64(window)...Int64(window) {
            let (step, overflow) = now.addingReportingOverflow(offset)
            if overflow { continue }
            if Self.constantTimeEqual(Array(self.code(forStep: step).utf8), given) {
                match = step
            }
        }
        return match
    }

    /// An `otpauth://` URI for the authenticator app (usually shown as a QR code), in the Key Uri Format that Google
    /// Authenticator defined and other apps follow:
    /// `otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer&algorithm=SHA1&digits=6&period=30`.
    ///
    /// Issuer and account are percent-encoded (everything but RFC 3986's unreserved characters), so a space, a
    /// colon or Cyrillic in them cannot break the URI apart. An empty issuer leaves out the label prefix and the
    /// `issuer` parameter.
    public func provisioningURI(issuer: String, account: String) -> String {
        let account = Self.percentEncoded(account)
        let label = issuer.isEmpty ? account : "\(Self.percentEncoded(issuer)):\(account)"
        var parameters = ["secret=\(Base32.encode(secret))"]
        if !issuer.isEmpty { parameters.append("issuer=\(Self.percentEncoded(issuer))") }
        parameters += ["algorithm=SHA1", "digits=\(digits)", "period=\(period)"]
        return "otpauth://totp/\(label)?" + parameters.joined(separator: "&")
    }

    // MARK: Helpers

    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    /// Percent-encodes every UTF-8 byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`).
    private static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.append(byte)
            default:
                output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
