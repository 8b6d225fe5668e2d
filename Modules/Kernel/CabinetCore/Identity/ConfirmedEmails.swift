/// Whether the owner of a line has proven they read an e-mail address (a code sent there was entered). Auth knows;
/// a module that sends private documents by e-mail (call-detail statements) asks before it sends, so that a profile
/// edited by somebody else does not send them to a stranger.
public protocol ConfirmedEmails: Sendable {
    func isConfirmed(email: String, of line: SubscriberID) async throws -> Bool
}
