import Foundation
import HTTPTypes
public import Hummingbird

/// Decides the client's address for rate limits and the journal: the peer, or — only when the peer is one of the
/// configured trusted proxies — the last address in `X-Forwarded-For` that is not a trusted proxy (ASVS 4.1.3:
/// a client cannot set its own address by sending the header).
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = CabinetRequestContext
    let trusted: Set<String>

    public init(trustedProxies: Set<String>) {
        self.trusted = trustedProxies
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let peer = context.peerAddress, trusted.contains(peer),
            let header = request.headers[HTTPField.Name("X-Forwarded-For")!]
        {
            let hops = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            context.clientAddress = hops.last { !trusted.contains($0) } ?? peer
        }
        return try await next(request, context)
    }
}
