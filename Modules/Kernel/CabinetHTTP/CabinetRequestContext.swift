public import CabinetCore
public import Foundation
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
    /// The authenticated session, set by Auth's middleware.
    public var session: SessionInfo?
    /// The line this request acts on and the rights on it, set by Auth's middleware.
    public var line: LineAccess?

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

extension CabinetRequestContext {
    /// The session, or `auth.required` (401).
    public func requireSession() throws -> SessionInfo {
        guard let session else { throw CabinetError(KernelError.authRequired) }
        return session
    }

    /// The acting line with `scope` granted, or 401 without a session and 403 without the right. A blocked or
    /// suspended line may be looked at (`viewBalance`) but nothing that spends money or changes it is allowed unless
    /// the action names that status in `alsoWhen` (resuming a suspension is done on a suspended line). A session opened
    /// by PUK must set its password first, unless `beforePassword` (blocking the lost SIM it just proved).
    public func requireLine(
        _ scope: AccessScope, alsoWhen statuses: Set<LineStatus> = [], beforePassword: Bool = false
    ) throws -> LineAccess {
        let session = try requireSession()
        if session.passwordChangeRequired, !beforePassword {
            throw CabinetError(KernelError.passwordRequired)
        }
        guard let line else { throw CabinetError(KernelError.authRequired) }
        try line.require(scope)
        if scope != .viewBalance, !statuses.contains(line.status),
            let refusal = line.status.refusal(msisdn: line.msisdn)
        {
            throw refusal
        }
        return line
    }

    /// Sensitive actions (transfers, delegation, promised payment) need a fresh SMS code: throws
    /// `auth.stepUpRequired` (403) unless one was confirmed in this session within `window` — sent to the number of
    /// the line the request acts on (a delegate's own phone does not vouch for the owner's line).
    public func requireStepUp(within window: Duration = .seconds(300), now: Date) throws {
        let session = try requireSession()
        let (seconds, _) = window.components
        guard let at = session.steppedUpAt, now.timeIntervalSince(at) <= Double(seconds),
            at <= now.addingTimeInterval(5),
            session.steppedUpFor == (line?.subscriberID ?? session.subscriberID)
        else {
            throw CabinetError(KernelError.stepUpRequired)
        }
    }

    /// The acting line for an action that sends money out of it: the `moveMoney` scope, and a step-up confirmed by a
    /// code sent to that line's number unless the line is the session's own (`alwaysStepUp`: on every line, as
    /// transfers need).
    public func requireMoneyLeaving(now: Date, alwaysStepUp: Bool = false) throws -> LineAccess {
        let line = try requireLine(.moveMoney)
        if alwaysStepUp || line.relation != .own {
            try requireStepUp(now: now)
        }
        return line
    }
}
