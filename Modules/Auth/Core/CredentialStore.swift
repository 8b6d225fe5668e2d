public import CabinetCore
public import Foundation

/// What a line's person proved or holds: the password and the PUK (bcrypt hashes), the social identities linked to
/// the line, and the confirmed e-mail address.
public protocol CredentialStore: Sendable {
    /// The stored password hash of a line, if a password was ever set.
    func passwordHash(of subscriber: SubscriberID) async throws -> String?

    /// Stores a password hash unless `maxChangesPerDay` changes happened in the last 24 hours (returns `false`);
    /// `nil` sets it without counting (the first password, or a reset by SMS). A counted change is remembered
    /// for the next 24 hours.
    func setPassword(_ hash: String, for subscriber: SubscriberID, now: Date, maxChangesPerDay: Int?) async throws
        -> Bool

    /// The stored PUK hash of a line, if the operator provisioned one.
    func pukHash(of subscriber: SubscriberID) async throws -> String?

    /// Stores (or replaces) the PUK hash of a line.
    func setPUK(_ hash: String, for subscriber: SubscriberID, now: Date) async throws

    /// The line a provider's subject is linked to.
    func identity(provider: String, subject: String) async throws -> LinkedIdentity?

    /// The social identities linked to a line, by provider.
    func identities(of subscriber: SubscriberID) async throws -> [LinkedIdentity]

    /// Links a social identity; `false` when the subject is linked already or the line has one of this provider.
    func linkIdentity(_ identity: LinkedIdentity) async throws -> Bool

    /// Removes the line's identity of a provider; `false` when there was none.
    func unlinkIdentity(provider: String, subscriber: SubscriberID) async throws -> Bool

    /// The e-mail address the line's person confirmed by a code, if any.
    func confirmedEmail(of subscriber: SubscriberID) async throws -> String?

    /// Records a confirmed e-mail address (replacing an earlier one).
    func confirmEmail(_ email: String, for subscriber: SubscriberID, now: Date) async throws
}
