import Crypto
public import Foundation

/// Seals agents' TOTP secrets before they are stored, with a key derived from the server's secret
/// (`CABINET_SECRET`): a copy of the database alone does not let anyone compute an agent's codes.
public struct AgentSecretBox: Sendable {
    private let key: SymmetricKey

    /// - Parameter secret: the server's secret (at least 32 bytes of high-entropy material).
    public init(secret: Data) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), info: Data("cabinet.support.totp".utf8), outputByteCount: 32)
    }

    /// ChaCha20-Poly1305, nonce and tag included, as base64.
    public func seal(_ bytes: [UInt8]) throws -> String {
        try ChaChaPoly.seal(bytes, using: key).combined.base64EncodedString()
    }

    /// The bytes, or `nil` when the text was not sealed with this server's secret (or was altered).
    public func open(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text), let box = try? ChaChaPoly.SealedBox(combined: data),
            let opened = try? ChaChaPoly.open(box, using: key)
        else { return nil }
        return Array(opened)
    }
}
