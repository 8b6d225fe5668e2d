import CabinetCore
import Crypto
public import Foundation

/// HMAC-SHA256 of a webhook body with the secret shared with the gateway, as `sha256=<hex>`.
public struct WebhookSignature: Sendable {
    let key: SymmetricKey

    public init(secret: Data) {
        key = SymmetricKey(data: secret)
    }

    public func sign(_ body: Data) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: key)
        return "sha256=" + Hex.encode(code)
    }

    /// Constant-time check of a `sha256=<hex>` header against the body.
    public func isValid(_ signature: String?, for body: Data) -> Bool {
        guard let signature, signature.hasPrefix("sha256="), let code = Self.bytes(hex: signature.dropFirst(7)),
            code.count == 32
        else {
            return false
        }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: body, using: key)
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
