public import CabinetCore
import Crypto
public import Foundation
public import HTTPTypes
public import Hummingbird

/// `Idempotency-Key` on the API's mutating requests: the first request with a key runs and its answer is kept; a
/// repeat with the same key and body gets that answer again (with `Idempotency-Replayed: true`), the same key with
/// another body is refused (422), and a repeat while the first still runs is told to wait (409).
public struct IdempotentRequests: Sendable {
    public static let header = HTTPField.Name("Idempotency-Key")!
    public static let replayedHeader = HTTPField.Name("Idempotency-Replayed")!

    let store: any IdempotencyStore
    let clock: any WallClock

    public init(store: any IdempotencyStore, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Runs `handler` once per key in `scope`. The handler gets the request with its body already read and answers
    /// with a status and a JSON value; errors are not kept (the client may correct and retry with the same key).
    public func run(
        _ request: Request, context: CabinetRequestContext, scope: String, required: Bool = true,
        _ handler: (Request) async throws -> (HTTPResponse.Status, Data)
    ) async throws -> Response {
        guard let key = request.headers[Self.header] else {
            if required { throw CabinetError(KernelError.idempotencyKeyRequired) }
            let (status, body) = try await handler(request)
            return Self.response(status: status, body: body, replayed: false)
        }
        guard (1...255).contains(key.utf8.count),
            key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E })
        else {
            throw CabinetError(KernelError.idempotencyKeyInvalid)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: 1 << 20)
        } catch {
            throw CabinetError(KernelError.tooLarge)
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: Data(body.readableBytesView))
        let fingerprint = Hex.encode(hasher.finalize())
        switch try await store.claim(scope: scope, key: key, fingerprint: fingerprint, at: clock.now) {
        case .replay(let answer):
            return Self.response(status: HTTPResponse.Status(code: answer.status), body: answer.body, replayed: true)
        case .mismatch:
            throw CabinetError(KernelError.idempotencyKeyReused)
        case .inProgress:
            throw CabinetError(KernelError.idempotencyInProgress, retryAfterSeconds: 1)
        case .claimed:
            do {
                let (status, answer) = try await handler(request)
                try await store.complete(
                    scope: scope, key: key, answer: IdempotentAnswer(status: status.code, body: answer))
                return Self.response(status: status, body: answer, replayed: false)
            } catch {
                try? await store.release(scope: scope, key: key)
                throw error
            }
        }
    }

    /// A web form that moves money, sent once however often it is submitted: the page puts a fresh
    /// ``newSubmission()`` in a hidden `submission` field; the first post with it runs `handler` and keeps where it
    /// led, a second (a double click, a reload) is sent to the same place without running again — while the first
    /// still runs, it waits for it (up to a few seconds). A failed run forgets the key (the page offers a new one).
    public func form(
        submission: String?, scope: String, path: String, _ handler: () async throws -> String
    ) async throws -> Response {
        guard let key = submission, (16...64).contains(key.utf8.count), key.allSatisfy({ $0.isHexDigit }) else {
            return .seeOther(to: try await handler())
        }
        let fingerprint = "form " + path
        let scope = "form:" + scope
        for _ in 0..<50 {
            switch try await store.claim(scope: scope, key: key, fingerprint: fingerprint, at: clock.now) {
            case .replay(let answer):
                return .seeOther(to: String(decoding: answer.body, as: UTF8.self))
            case .mismatch:
                throw CabinetError(KernelError.idempotencyKeyReused)
            case .inProgress:
                try await Task.sleep(for: .milliseconds(100))
            case .claimed:
                do {
                    let location = try await handler()
                    try await store.complete(
                        scope: scope, key: key, answer: IdempotentAnswer(status: 303, body: Data(location.utf8)))
                    return .seeOther(to: location)
                } catch {
                    try? await store.release(scope: scope, key: key)
                    throw error
                }
            }
        }
        throw CabinetError(KernelError.idempotencyInProgress, retryAfterSeconds: 1)
    }

    /// A key for a money form's hidden `submission` field.
    public static func newSubmission() -> String { Hex.random(bytes: 16) }

    static func response(status: HTTPResponse.Status, body: Data, replayed: Bool) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        if replayed { headers[Self.replayedHeader] = "true" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension JSONEncoder {
    /// Encodes an API answer for ``IdempotentRequests/run(_:context:scope:required:_:)``.
    public static func apiBody(_ value: some Encodable) throws -> Data { try JSONEncoder.cabinet.encode(value) }
}
