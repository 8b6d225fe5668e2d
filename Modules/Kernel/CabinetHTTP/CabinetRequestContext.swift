public import CabinetCore
public import Hummingbird
import Logging
import NIOCore

/// The per-request state every module's routes see: language, client address, request id.
///
/// Later layers (sessions, the acting line) are added here as optional values set by their middleware, so a
/// module's routes depend on the kernel only, never on another module's HTTP target.
public struct CabinetRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The language chosen by cookie, `?lang=` or `Accept-Language`; Russian by default.
    public var language: Language = .ru
    /// The address of the peer that opened the connection.
    public let peerAddress: String?
    /// The client's address: the peer, or the trusted proxy's forwarded address when configured.
    public var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
        clientAddress = peerAddress
    }

    /// The request id Hummingbird attached to the logger (`hb.request.id`), also sent back as `X-Request-Id`.
    public var requestID: String {
        if case .string(let id)? = logger[metadataKey: "hb.request.id"] { return id }
        return logger[metadataKey: "hb.request.id"].map { "\($0)" } ?? "-"
    }
}
