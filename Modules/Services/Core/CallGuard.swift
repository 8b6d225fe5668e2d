public import CabinetCore
public import Foundation

/// A rule another module adds to the network's call check (Corporate's quotas): which of the calling lines may not
/// make paid outgoing attempts of a kind now. Asked once per batch, for the batch's active calling lines only.
public protocol CallGuard: Sendable {
    /// The kinds each line is refused (lines absent or with an empty set pass), with the reason to answer.
    func refusals(of callers: [SubscriberID], at now: Date) async throws -> [SubscriberID: CallGuardRefusal]
}

/// What a ``CallGuard`` refuses for one line.
public struct CallGuardRefusal: Sendable, Hashable {
    public var kinds: Set<CallAttempt.Kind>
    public var reason: CallDecision.Reason

    public init(kinds: Set<CallAttempt.Kind>, reason: CallDecision.Reason) {
        self.kinds = kinds
        self.reason = reason
    }
}
