public import Foundation

/// Confirms the PUK code printed in a SIM's pack, for an action that needs no login: blocking a lost SIM by its
/// number and PUK (the phone, and so its SMS codes, may be in a stranger's hands). Auth answers it, with the same
/// lock-outs as the PUK login (per client address and per SIM).
public protocol PUKCheck: Sendable {
    /// The line of `msisdn` when `puk` is its PUK. A wrong PUK, an unknown or terminated number throw the same
    /// `auth.login.failed`; too many wrong PUKs throw `auth.puk.locked` (429 with the seconds to wait).
    func confirmPUK(_ puk: String, of msisdn: MSISDN, clientAddress: String?) async throws -> SubscriberID
}

/// The second way to block a lost SIM without a login, when its PUK is not at hand: a code sent to the owner's contact
/// number (the one in the line's profile, never the lost SIM). Auth answers it with the login code's limits.
public protocol ContactNumberCheck: Sendable {
    /// Sends a code to `contact` when it is the contact number of the line `msisdn` (active or suspended), and answers
    /// the same for any pair of numbers, so the answer tells nobody whose contact number is whose. Returns when
    /// another code may be asked for.
    func sendBlockCode(for msisdn: MSISDN, to contact: MSISDN, clientAddress: String?, language: Language)
        async throws -> Date
    /// The line whose code `code` is, sent for this pair of numbers; a wrong code counts against the pair and the
    /// address as a login code does. Codes and their limits are the pair's own: login codes asked for the lost phone
    /// (by whoever holds it) neither use them up nor replace them.
    func confirmBlockCode(_ code: String, for msisdn: MSISDN, contact: MSISDN, clientAddress: String?) async throws
        -> SubscriberID
}
