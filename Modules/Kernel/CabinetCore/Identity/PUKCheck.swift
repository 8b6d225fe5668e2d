/// Confirms the PUK code printed in a SIM's pack, for an action that needs no login: blocking a lost SIM by its
/// number and PUK (the phone, and so its SMS codes, may be in a stranger's hands). Auth answers it, with the same
/// lock-outs as the PUK login (per client address and per SIM).
public protocol PUKCheck: Sendable {
    /// The line of `msisdn` when `puk` is its PUK. A wrong PUK, an unknown or terminated number throw the same
    /// `auth.login.failed`; too many wrong PUKs throw `auth.puk.locked` (429 with the seconds to wait).
    func confirmPUK(_ puk: String, of msisdn: MSISDN, clientAddress: String?) async throws -> SubscriberID
}
