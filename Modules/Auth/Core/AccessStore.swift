public import CabinetCore
public import Foundation

public enum LinkOutcome: Sendable, Hashable {
    case linked
    case alreadyLinked
    case limitReached
    case memberOfAnotherGroup
}

/// Which lines a person may act on besides the one they logged in with: the linked numbers of one person (a group
/// with a root, the first line, and members) and the rights owners delegated to other numbers.
public protocol AccessStore: Sendable {
    /// The group a line belongs to: its root first, then the other members by the time they were linked (the line
    /// alone when nothing is linked).
    func linkedGroup(of subscriber: SubscriberID) async throws -> [SubscriberID]

    /// Links `member` to `root`'s group unless it is in it already, is in another group (as a member, or as a root
    /// with members), or the group has `limit` numbers already.
    func link(_ member: SubscriberID, to root: SubscriberID, limit: Int, now: Date) async throws -> LinkOutcome

    /// Removes `member` from `group` (whose first element is the root; the root itself cannot be removed);
    /// `false` when it was not a member.
    func unlink(_ member: SubscriberID, from group: [SubscriberID]) async throws -> Bool

    /// Grants `scopes` on the owner's line to `grantee` until `expiresAt`, revoking the owner's earlier grant to the
    /// same number, and queues `messages` with it.
    func grant(owner: SubscriberID, ownerMSISDN: MSISDN, grantee: MSISDN, scopes: Set<AccessScope>, expiresAt: Date,
               now: Date, messages: [OutgoingText]) async throws -> Delegation

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
