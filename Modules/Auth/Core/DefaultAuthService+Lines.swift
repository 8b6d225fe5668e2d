import Logging
public import CabinetCore
import Foundation
public import Subscribers

/// A line the session can act on, for the line switcher.
public struct AccessibleLine: Sendable, Hashable {
    public var access: LineAccess
    public var ownerName: String?
    public var isCurrent: Bool
}

extension DefaultAuthService {
    /// Own line, linked numbers and lines delegated to this person, with the current one marked.
    public func accessibleLines(_ session: AuthSession) async throws -> [AccessibleLine] {
        var result: [AccessibleLine] = []
        for id in try await store.linkedGroup(of: session.subscriberID) {
            guard let line = try await lines.line(id: id), line.status != .terminated else { continue }
            result.append(AccessibleLine(
                access: .owned(line.id, msisdn: line.msisdn, region: line.region, linked: id != session.subscriberID, status: line.status),
                ownerName: line.owner.fullName, isCurrent: id == session.actingSubscriberID))
        }
        if !result.contains(where: { $0.access.subscriberID == session.subscriberID }),
            let own = try await lines.line(id: session.subscriberID)
        {
            result.insert(AccessibleLine(access: .owned(own.id, msisdn: own.msisdn, region: own.region, status: own.status), ownerName: own.owner.fullName,
                                         isCurrent: own.id == session.actingSubscriberID), at: 0)
        }
        for delegation in try await store.delegations(grantee: session.msisdn, now: clock.now) {
            guard let line = try await lines.line(id: delegation.ownerID), line.status != .terminated else { continue }
            result.append(AccessibleLine(
                access: LineAccess(subscriberID: line.id, msisdn: line.msisdn, region: line.region,
                                   relation: .delegated(expiresAt: delegation.expiresAt), scopes: delegation.scopes,
                                   status: line.status),
                ownerName: line.owner.fullName, isCurrent: line.id == session.actingSubscriberID))
        }
        return result.sorted { ($0.access.subscriberID == session.subscriberID ? 0 : 1, $0.access.msisdn) < ($1.access.subscriberID == session.subscriberID ? 0 : 1, $1.access.msisdn) }
    }

    /// `POST /me/switch`: moves the session to another accessible line (a privilege change: the token rotates).
    public func switchLine(_ session: AuthSession, to msisdn: MSISDN) async throws -> (token: String, session: AuthSession, line: LineAccess) {
        guard let target = try await lines.line(msisdn: msisdn), let access = try await resolveAccess(session: session, to: target.id)
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
        let group = try await store.linkedGroup(of: session.subscriberID)
        if group.count - 1 >= settings.linkedNumbersLimit {
            throw CabinetError(AuthError.linkLimit, arguments: ["limit": String(settings.linkedNumbersLimit)])
        }
        let target = try await activeLine(msisdn)
        return try await sendCode(purpose: .link, key: msisdn.e164, settings: settings, client: client) { code, hash, expiresAt in
            guard let (line, _) = target else {
                return CodeIssue(subscriberID: nil, sessionID: session.id, target: msisdn.e164, codeHash: hash, expiresAt: expiresAt,
                                 message: nil)
            }
            return CodeIssue(subscriberID: line.id, sessionID: session.id, target: msisdn.e164, codeHash: hash, expiresAt: expiresAt,
                             message: OutgoingText(to: .phone(msisdn),
                                                   text: messages.text("auth.sms.linkCode", in: client.language,
                                                                       arguments: ["msisdn": session.msisdn.masked, "code": code]),
                                                   purpose: "auth.link", sensitive: true))
        }
    }

    /// Links the number once its code is confirmed (up to the region's limit).
    public func confirmLink(_ session: AuthSession, msisdn: MSISDN, code: String, client: ClientInfo) async throws -> Line {
        let own = try await lines.line(id: session.subscriberID)
        let settings = policy(for: own)
        let outcome = try await check(code, purpose: .link, key: msisdn.e164, sessionID: session.id, settings: settings, client: client)
        guard case .valid(let subscriberID?, _) = outcome, let line = try await lines.line(id: subscriberID) else {
            throw error(for: outcome == .valid(subscriberID: nil, target: nil) ? .noCode : outcome)
        }
        let group = try await store.linkedGroup(of: session.subscriberID)
        let root = group.first ?? session.subscriberID
        switch try await store.link(line.id, to: root, limit: settings.linkedNumbersLimit + 1, now: clock.now) {
        case .linked:
            try await store.record(JournalEntry(subscriberID: session.subscriberID, msisdn: session.msisdn.e164, at: clock.now,
                                                event: .linkAdded, client: client, detail: line.msisdn.e164),
                                   message: OutgoingText(to: .phone(line.msisdn),
                                                         text: messages.text("auth.sms.linkAdded", in: client.language,
                                                                             arguments: ["msisdn": session.msisdn.masked]),
                                                         purpose: "auth.linkAdded"))
            return line
        case .alreadyLinked: throw CabinetError(AuthError.linkExists, arguments: ["msisdn": line.msisdn.formatted])
        case .limitReached:
            throw CabinetError(AuthError.linkLimit, arguments: ["limit": String(settings.linkedNumbersLimit)])
        case .memberOfAnotherGroup: throw CabinetError(AuthError.linkTaken, arguments: ["msisdn": line.msisdn.formatted])
        }
    }

    /// Removes a linked number from the person's profile.
    public func unlink(_ session: AuthSession, msisdn: MSISDN, client: ClientInfo) async throws {
        let group = try await store.linkedGroup(of: session.subscriberID)
        guard let line = try await lines.line(msisdn: msisdn), group.contains(line.id), line.id != session.subscriberID,
            try await store.unlink(line.id, from: group)
        else {
            throw CabinetError(AuthError.linkNotFound, arguments: ["msisdn": msisdn.formatted])
        }
        try await store.record(JournalEntry(subscriberID: session.subscriberID, msisdn: session.msisdn.e164, at: clock.now,
                                            event: .linkRemoved, client: client, detail: msisdn.e164), message: nil)
    }

    // MARK: Delegated access

    /// Grants `grantee` rights on the acting line (which must be the person's own or linked line). Needs a step-up.
    public func grant(_ session: AuthSession, on access: LineAccess, to grantee: MSISDN, scopes: Set<AccessScope>,
                      through lastDay: LocalDate, client: ClientInfo) async throws -> Delegation {
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
            owner: access.subscriberID, ownerMSISDN: access.msisdn, grantee: grantee, scopes: scopes, expiresAt: expiresAt, now: now,
            messages: [
                OutgoingText(to: .phone(access.msisdn),
                             text: messages.text("auth.sms.delegationGranted.owner", in: client.language,
                                                 arguments: ["grantee": grantee.masked, "until": until, "scopes": names]),
                             purpose: "auth.delegation"),
                // The grantee did not act: their text is in Russian, the default.
                OutgoingText(to: .phone(grantee),
                             text: messages.text("auth.sms.delegationGranted.grantee", in: .ru,
                                                 arguments: ["owner": access.msisdn.masked, "until": until]),
                             purpose: "auth.delegation"),
            ])
        try await store.record(JournalEntry(subscriberID: access.subscriberID, msisdn: access.msisdn.e164, at: now,
                                            event: .delegationGranted, client: client, detail: "\(grantee.e164): \(names)"),
                               message: nil)
        return delegation
    }

    /// Revokes a grant given from one of the person's lines; takes effect on the grantee's next request.
    public func revoke(_ session: AuthSession, delegation id: Int64, client: ClientInfo) async throws {
        let owners = try await store.linkedGroup(of: session.subscriberID)
        guard let revoked = try await store.revoke(delegation: id, owners: owners, now: clock.now, messages: { delegation in
            [OutgoingText(to: .phone(delegation.ownerMSISDN),
                          text: messages.text("auth.sms.delegationRevoked.owner", in: client.language,
                                              arguments: ["grantee": delegation.grantee.masked]),
                          purpose: "auth.delegation"),
             // The grantee did not act: their text is in Russian, the default.
             OutgoingText(to: .phone(delegation.grantee),
                          text: messages.text("auth.sms.delegationRevoked.grantee", in: .ru,
                                              arguments: ["owner": delegation.ownerMSISDN.masked]),
                          purpose: "auth.delegation")]
        }) else {
            throw CabinetError(AuthError.delegationNotFound)
        }
        try await store.record(JournalEntry(subscriberID: revoked.ownerID, msisdn: revoked.ownerMSISDN.e164, at: clock.now,
                                            event: .delegationRevoked, client: client, detail: revoked.grantee.e164), message: nil)
    }

    /// Grants given from the person's lines and grants received by the session's number.
    public func delegations(_ session: AuthSession) async throws -> (given: [Delegation], received: [Delegation]) {
        let owners = try await store.linkedGroup(of: session.subscriberID)
        return (try await store.delegations(owners: owners), try await store.delegations(grantee: session.msisdn, now: clock.now))
    }
}
