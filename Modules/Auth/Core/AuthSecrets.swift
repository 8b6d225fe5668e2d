import CabinetCore
import Crypto
public import Foundation

/// The server-side secret ("pepper") behind every keyed hash of Auth: one-time codes, the password pre-hash,
/// session tokens. Kept outside the database (`CABINET_SECRET`) so a stolen database alone does not let anyone
/// test guesses offline.
public struct AuthSecrets: Sendable {
    private let key: SymmetricKey

    /// - Parameter secret: at least 32 bytes of high-entropy material.
    public init(secret: Data) {
        key = SymmetricKey(data: secret)
    }

    /// HMAC-SHA256 of `parts` joined unambiguously, as lowercase hex.
    public func keyedHash(_ parts: String...) -> String {
        var message = Data()
        for part in parts {
            let bytes = Data(part.utf8)
            message.append(contentsOf: withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init))
            message.append(bytes)
        }
        return SecureRandom.hex(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    /// The value given to bcrypt for a password: HMAC-SHA256 of the whole password, base64 (44 bytes). Bcrypt
    /// reads only 72 bytes; pre-hashing lets a long password count whole (ASVS 6.2.8) and adds the pepper.
    public func passwordPrehash(_ password: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(password.utf8), using: key)).base64EncodedString()
    }

    /// A fresh random secret for development (the server stores it when `CABINET_SECRET` is not set).
    public static func generate() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}

/// Random values from the system's CSPRNG.
public enum SecureRandom {
    /// `count` random bytes as unpadded base64url (a session token: 32 bytes = 256 bits).
    public static func token(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A code of `length` decimal digits, uniform (rejection sampling inside `random(in:)`).
    public static func digits(_ length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }

    /// SHA-256 of a token as hex: sessions are stored by this, never by the token itself.
    public static func sha256(_ text: String) -> String {
        hex(sha256Bytes(text))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { Hex.encode(bytes) }

    static func sha256Bytes(_ text: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(text.utf8)))
    }
}
