import Dispatch
import Foundation
import HummingbirdBcrypt

/// Slow hashing of passwords and PUKs. bcrypt from hummingbird-auth, run on a dispatch queue so its
/// deliberate slowness never blocks the cooperative thread pool.
public protocol PasswordHasher: Sendable {
    func hash(_ secret: String) async -> String
    func verify(_ secret: String, against hash: String) async -> Bool
}

/// bcrypt at a cost of at least 10 (ASVS 11.4.2); tests may lower it to 4 for speed.
public struct BcryptPasswordHasher: PasswordHasher {
    public let cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = cost
    }

    public func hash(_ secret: String) async -> String {
        let cost = cost
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Bcrypt.hash(secret, cost: cost)) }
        }
    }

    public func verify(_ secret: String, against hash: String) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Bcrypt.verify(secret, hash: hash)) }
        }
    }
}

/// The list of common passwords a new password must not be.
public struct CommonPasswords: Sendable {
    private let entries: Set<String>

    public init(_ entries: Set<String>) {
        self.entries = entries
    }

    /// The list shipped in Auth's resources (8 460 entries of 8+ characters).
    public static func bundled() throws -> CommonPasswords {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt") else {
            return CommonPasswords([])
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        return CommonPasswords(Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0) }))
    }

    public func contains(_ password: String) -> Bool { entries.contains(password.lowercased()) }
    public var count: Int { entries.count }
}
