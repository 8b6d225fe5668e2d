public import Foundation

/// A stored answer to a request made with an `Idempotency-Key`, replayed when the same request comes again.
public struct IdempotentAnswer: Sendable, Hashable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// What a key's first use finds.
public enum IdempotencyClaim: Sendable, Hashable {
    /// The key is new: the caller does the work and then ``IdempotencyStore/complete(scope:key:answer:)``.
    case claimed
    /// The same request was answered before: send this again.
    case replay(IdempotentAnswer)
    /// The key was used with another request body (422).
    case mismatch
    /// The first request with this key is still running (409; retry later).
    case inProgress
}

/// Keys of mutating requests (`Idempotency-Key`), per scope (a line, or the public payment page), kept at least
/// 24 hours: a client that lost an answer repeats the request and gets the first answer instead of a second payment.
public protocol IdempotencyStore: Sendable {
    /// Claims `key` for a request whose body hashes to `fingerprint`, or tells what happened to it before.
    func claim(scope: String, key: String, fingerprint: String, at now: Date) async throws -> IdempotencyClaim
    func complete(scope: String, key: String, answer: IdempotentAnswer) async throws
    /// Frees a claimed key whose request failed, so that the client's retry runs again.
    func release(scope: String, key: String) async throws
    /// Forgets keys claimed before `cutoff`.
    func purge(before cutoff: Date) async throws -> Int
}
