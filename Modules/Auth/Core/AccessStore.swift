public import CabinetCore
public import Foundation

public enum LinkOutcome: Sendable, Hashable {
    case linked
    case alreadyLinked
    case limitReached
}

/// Which lines a person may act on besides the one they logged in with: lines linked to it and the rights owners
/// delegated to other numbers.
///
/// A link is directed: the holder may act on the line because the line's number confirmed it with a code; the line
/// gets no rights on the holder unless it links the holder too. Either side ends it at any time.
public protocol AccessStore: Sendable {
    /// The lines `holder` may act on, oldest link first.
    func linkedLines(of holder: SubscriberID) async throws -> [SubscriberID]

    /// The lines that may act on `line`, oldest link first.
    func linkHolders(of line: SubscriberID) async throws -> [SubscriberID]

    /// Lets `holder` act on `line` unless it may already, or holds `limit` lines already.
    func link(_ line: SubscriberID, to holder: SubscriberID, limit: Int, now: Date) async throws -> LinkOutcome

    /// Ends the link that lets `holder` act on `line`; `false` when there was none.
    func unlink(_ line: SubscriberID, from holder: SubscriberID) async throws -> Bool

    /// Ends every link `line` takes part in, either side (its password was reset, its PUK used); returns the other
    /// lines of those links.
    func dropLinks(of line: SubscriberID) async throws -> [SubscriberID]

    /// Grants `scopes` on the owner's line to `grantee` until `expiresAt`, revoking the owner's earlier grant to the
    /// same number, and queues `messages` with it.
    func grant(
        owner: SubscriberID, ownerMSISDN: MSISDN, grantee: MSISDN, scopes: Set<AccessScope>, expiresAt: Date,
        now: Date, messages: [OutgoingText]
    ) async throws -> Delegation

    /// Revokes a grant given from one of `owners`, once, and queues the messages made for it; `nil` when there is
    /// no such grant, another line gave it, or it was revoked already.
    func revoke(delegation id: Int64, owners: [SubscriberID], now: Date, messages: (Delegation) -> [OutgoingText])
        async throws -> Delegation?

    /// Every grant (active, expired or revoked) given from `owners`, newest first, at most 200.
    func delegations(owners: [SubscriberID]) async throws -> [Delegation]

    /// The active grants a number received, newest first.
    func delegations(grantee: MSISDN, now: Date) async throws -> [Delegation]

    /// The newest active grant from an owner to a number.
    func activeDelegation(owner: SubscriberID, grantee: MSISDN, now: Date) async throws -> Delegation?
}
