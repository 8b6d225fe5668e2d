public import CabinetCore
import Foundation
import Logging
public import Subscribers

/// A line the session can act on, for the line switcher.
public struct AccessibleLine: Sendable, Hashable {
    public var access: LineAccess
    public var ownerName: String?
    public var isCurrent: Bool
}

/// The links a line takes part in: the lines it may act on, and the lines that may act on it.
public struct LineLinks: Sendable, Hashable {
    /// Lines the session's own line may act on (it linked them, each confirmed by a code sent to that line).
    public var held: [Line]
    /// Lines that may act on the session's own line (they linked it); the line may end each at any time.
    public var holders: [Line]
}

extension DefaultAuthService {
    /// Own line, linked numbers and lines delegated to this person, with the current one marked.
    public func accessibleLines(_ session: AuthSession) async throws -> [AccessibleLine] {
        var result: [AccessibleLine] = []
        for id in [session.subscriberID] + (try await store.linkedLines(of: session.subscriberID)) {
            guard let line = try await lines.line(id: id), line.status != .terminated else { continue }
            result.append(
                AccessibleLine(
                    access: .owned(
                        line.id, msisdn: line.msisdn, region: line.region, linked: id != session.subscriberID,
                        status: line.status),
                    ownerName: line.owner.fullName, isCurrent: id == session.actingSubscriberID))
        }
        if !result.contains(where: { $0.access.subscriberID == session.subscriberID }),
            let own = try await lines.line(id: session.subscriberID)
        {
            result.insert(
                AccessibleLine(
                    access: .owned(own.id, msisdn: own.msisdn, region: own.region, status: own.status),
                    ownerName: own.owner.fullName,
                    isCurrent: own.id == session.actingSubscriberID), at: 0)
        }
        for delegation in try await store.delegations(grantee: session.msisdn, now: clock.now) {
            guard let line = try await lines.line(id: delegation.ownerID), line.status != .terminated else { continue }
            result.append(
                AccessibleLine(
                    access: LineAccess(
                        subscriberID: line.id, msisdn: line.msisdn, region: line.region,
                        relation: .delegated(expiresAt: delegation.expiresAt), scopes: delegation.scopes,
                        status: line.status),
                    ownerName: line.owner.fullName, isCurrent: line.id == session.actingSubscriberID))
        }
        return result.sorted {
            ($0.access.subscriberID == session.subscriberID ? 0 : 1, $0.access.msisdn) < (
                $1.access.subscriberID == session.subscriberID ? 0 : 1, $1.access.msisdn
            )
        }
    }

    /// `POST /me/switch`: moves the session to another accessible line (a privilege change: the token rotates).
    public func switchLine(_ session: AuthSession, to msisdn: MSISDN) async throws -> (
        token: String, session: AuthSession, line: LineAccess
    ) {
        guard let target = try await lines.line(msisdn: msisdn),
            let access = try await resolveAccess(session: session, to: target.id)
        else {
            throw CabinetError(AuthError.lineNotAccessible, arguments: ["msisdn": msisdn.formatted])
        }
        var updated = session
        updated.actingSubscriberID = target.id
        let (token, rotated) = try await rotate(updated)
        return (token, rotated, access)
    }

    // MARK: Linked numbers

    /// Sends a code to a number the person wants to link; it proves they hold that SIM.
    public func requestLink(_ session: AuthSession, msisdn: MSISDN, client: ClientInfo) async throws -> CodeSent {
        guard msisdn != session.msisdn else { throw AuthError.invalid(AuthError.linkSelf, field: "msisdn") }
        let own = try await lines.line(id: session.subscriberID)
        let settings = policy(for: own)
        if try await store.linkedLines(of: session.subscriberID).count >= settings.linkedNumbersLimit {
            throw CabinetError(AuthError.linkLimit, arguments: ["limit": String(settings.linkedNumbersLimit)])
        }
        let target = try await activeLine(msisdn)
        return try await sendCode(purpose: .link, key: msisdn.e164, settings: settings, client: client) {
            code, hash, expiresAt in
            guard let (line, _) = target else {
                return CodeIssue(
                    subscriberID: nil, sessionID: session.id, target: msisdn.e164, codeHash: hash, expiresAt: expiresAt,
                    message: nil)
            }
            return CodeIssue(
                subscriberID: line.id, sessionID: session.id, target: msisdn.e164, codeHash: hash, expiresAt: expiresAt,
                message: OutgoingText(
                    to: .phone(msisdn),
                    text: messages.text(
                        "auth.sms.linkCode", in: client.language,
                        arguments: ["msisdn": session.msisdn.masked, "code": code]),
                    purpose: "auth.link", sensitive: true))
        }
    }

    /// Links the number once its code is confirmed (up to the region's limit): the session's line may then act on it.
    /// The linked number gets no rights on the session's line unless it links it too.
    public func confirmLink(_ session: AuthSession, msisdn: MSISDN, code: String, client: ClientInfo) async throws
        -> Line
    {
        let own = try await lines.line(id: session.subscriberID)
        let settings = policy(for: own)
        let outcome = try await check(
            code, purpose: .link, key: msisdn.e164, sessionID: session.id, settings: settings, client: client)
        guard case .valid(let subscriberID?, _) = outcome, let line = try await lines.line(id: subscriberID) else {
            throw error(for: outcome == .valid(subscriberID: nil, target: nil) ? .noCode : outcome)
        }
        switch try await store.link(
            line.id, to: session.subscriberID, limit: settings.linkedNumbersLimit, now: clock.now)
        {
        case .linked:
            try await store.record(
                JournalEntry(
                    subscriberID: session.subscriberID, msisdn: session.msisdn.e164, at: clock.now,
                    event: .linkAdded, client: client, detail: line.msisdn.e164),
                message: OutgoingText(
                    to: .phone(line.msisdn),
                    text: messages.text(
                        "auth.sms.linkAdded", in: client.language,
                        arguments: ["msisdn": session.msisdn.masked]),
                    purpose: "auth.linkAdded"))
            return line
        case .alreadyLinked: throw CabinetError(AuthError.linkExists, arguments: ["msisdn": line.msisdn.formatted])
        case .limitReached:
            throw CabinetError(AuthError.linkLimit, arguments: ["limit": String(settings.linkedNumbersLimit)])
        }
    }

    /// Ends a link either way: the session's line stops acting on `msisdn`, or `msisdn` stops acting on the session's
    /// line (any side may end a link at any time). The other number is told.
    public func unlink(_ session: AuthSession, msisdn: MSISDN, client: ClientInfo) async throws {
        guard let other = try await lines.line(msisdn: msisdn), other.id != session.subscriberID else {
            throw CabinetError(AuthError.linkNotFound, arguments: ["msisdn": msisdn.formatted])
        }
        let held = try await store.unlink(other.id, from: session.subscriberID)
        let revoked = try await store.unlink(session.subscriberID, from: other.id)
        guard held || revoked else {
            throw CabinetError(AuthError.linkNotFound, arguments: ["msisdn": msisdn.formatted])
        }
        try await store.record(
            JournalEntry(
                subscriberID: session.subscriberID, msisdn: session.msisdn.e164, at: clock.now,
                event: .linkRemoved, client: client, detail: msisdn.e164),
            message: OutgoingText(
                to: .phone(other.msisdn),
                text: messages.text(
                    "auth.sms.linkRemoved", in: .ru,
                    arguments: ["msisdn": session.msisdn.masked]),
                purpose: "auth.linkRemoved"))
    }

    /// The links of the session's own line, both ways, for the security page.
    public func links(_ session: AuthSession) async throws -> LineLinks {
        var held: [Line] = []
        for id in try await store.linkedLines(of: session.subscriberID) {
            if let line = try await lines.line(id: id) { held.append(line) }
        }
        var holders: [Line] = []
        for id in try await store.linkHolders(of: session.subscriberID) {
            if let line = try await lines.line(id: id) { holders.append(line) }
        }
        return LineLinks(held: held, holders: holders)
    }

    /// Ends every link, delegation and linked social login of a line whose control may have changed hands (its
    /// password was reset, its PUK used) and tells the line and each other number: whoever holds the line now may not
    /// be whoever gave those rights.
    func dropLinks(of line: Line, client: ClientInfo) async throws {
        let now = clock.now
        for delegation in try await store.delegations(owners: [line.id]) where delegation.isActive(at: now) {
            _ = try await store.revoke(
                delegation: delegation.id, owners: [line.id], now: now,
                messages: { delegation in
                    [
                        OutgoingText(
                            to: .phone(delegation.grantee),
                            text: messages.text(
                                "auth.sms.delegationRevoked.grantee", in: .ru,
                                arguments: ["owner": delegation.ownerMSISDN.masked]),
                            purpose: "auth.delegation")
                    ]
                })
        }
        for identity in try await store.identities(of: line.id) {
            _ = try await store.unlinkIdentity(provider: identity.provider, subscriber: line.id)
        }
        let partners = try await store.dropLinks(of: line.id)
        for partner in partners {
            guard let other = try await lines.line(id: partner) else { continue }
            try await store.record(
                JournalEntry(
                    subscriberID: line.id, msisdn: line.msisdn.e164, at: clock.now,
                    event: .linkRemoved, client: client, detail: other.msisdn.e164),
                message: OutgoingText(
                    to: .phone(other.msisdn),
                    text: messages.text(
                        "auth.sms.linksDropped", in: .ru,
                        arguments: ["msisdn": line.msisdn.masked]),
                    purpose: "auth.linkRemoved"))
        }
        if !partners.isEmpty {
            try await store.record(
                JournalEntry(
                    subscriberID: line.id, msisdn: line.msisdn.e164, at: clock.now, event: .linkRemoved,
                    client: client, detail: "\(partners.count) link(s) ended"),
                message: OutgoingText(
                    to: .phone(line.msisdn),
                    text: messages.text(
                        "auth.sms.linksDroppedOwn", in: client.language,
                        arguments: ["count": String(partners.count)]),
                    purpose: "auth.linkRemoved"))
        }
    }

    // MARK: Delegated access

    /// Grants `grantee` rights on the acting line (which must be the person's own or linked line). Needs a step-up.
    public func grant(
        _ session: AuthSession, on access: LineAccess, to grantee: MSISDN, scopes: Set<AccessScope>,
        through lastDay: LocalDate, client: ClientInfo
    ) async throws -> Delegation {
        // Access lasts through the given day in the line's region.
        let zone = regions.region(access.region)?.timeZone ?? .gmt
        let expiresAt = lastDay.adding(days: 1).startOfDay(in: zone)
        if case .delegated = access.relation {
            // Rights received cannot be passed on.
            throw CabinetError(AuthError.delegationNotOwner)
        }
        guard grantee != access.msisdn else { throw AuthError.invalid(AuthError.delegationSelf, field: "grantee") }
        guard !scopes.isEmpty else { throw AuthError.invalid(AuthError.delegationScopes, field: "scopes") }
        let now = clock.now
        guard expiresAt > now, expiresAt <= now.addingTimeInterval(366 * 86_400) else {
            throw AuthError.invalid(AuthError.delegationExpiry, field: "expiresAt")
        }
        let names = scopes.map(\.rawValue).sorted().joined(separator: ", ")
        let until = lastDay.description
        let delegation = try await store.grant(
            owner: access.subscriberID, ownerMSISDN: access.msisdn, grantee: grantee, scopes: scopes,
            expiresAt: expiresAt, now: now,
            messages: [
                OutgoingText(
                    to: .phone(access.msisdn),
                    text: messages.text(
                        "auth.sms.delegationGranted.owner", in: client.language,
                        arguments: ["grantee": grantee.masked, "until": until, "scopes": names]),
                    purpose: "auth.delegation"),
                // The grantee did not act: their text is in Russian, the default.
                OutgoingText(
                    to: .phone(grantee),
                    text: messages.text(
                        "auth.sms.delegationGranted.grantee", in: .ru,
                        arguments: ["owner": access.msisdn.masked, "until": until]),
                    purpose: "auth.delegation"),
            ])
        try await store.record(
            JournalEntry(
                subscriberID: access.subscriberID, msisdn: access.msisdn.e164, at: now,
                event: .delegationGranted, client: client, detail: "\(grantee.e164): \(names)"),
            message: nil)
        return delegation
    }

    /// Revokes a grant given from one of the person's lines; takes effect on the grantee's next request.
    public func revoke(_ session: AuthSession, delegation id: Int64, client: ClientInfo) async throws {
        let owners = [session.subscriberID] + (try await store.linkedLines(of: session.subscriberID))
        guard
            let revoked = try await store.revoke(
                delegation: id, owners: owners, now: clock.now,
                messages: { delegation in
                    [
                        OutgoingText(
                            to: .phone(delegation.ownerMSISDN),
                            text: messages.text(
                                "auth.sms.delegationRevoked.owner", in: client.language,
                                arguments: ["grantee": delegation.grantee.masked]),
                            purpose: "auth.delegation"),
                        // The grantee did not act: their text is in Russian, the default.
                        OutgoingText(
                            to: .phone(delegation.grantee),
                            text: messages.text(
                                "auth.sms.delegationRevoked.grantee", in: .ru,
                                arguments: ["owner": delegation.ownerMSISDN.masked]),
                            purpose: "auth.delegation"),
                    ]
                })
        else {
            throw CabinetError(AuthError.delegationNotFound)
        }
        try await store.record(
            JournalEntry(
                subscriberID: revoked.ownerID, msisdn: revoked.ownerMSISDN.e164, at: clock.now,
                event: .delegationRevoked, client: client, detail: revoked.grantee.e164), message: nil)
    }

    /// Grants given from the person's lines and grants received by the session's number.
    public func delegations(_ session: AuthSession) async throws -> (given: [Delegation], received: [Delegation]) {
        let owners = [session.subscriberID] + (try await store.linkedLines(of: session.subscriberID))
        return (
            try await store.delegations(owners: owners),
            try await store.delegations(grantee: session.msisdn, now: clock.now)
        )
    }
}
