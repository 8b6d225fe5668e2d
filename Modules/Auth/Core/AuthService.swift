public import CabinetCore
public import Foundation
public import Subscribers

/// What Auth does, as its HTTP target and the composition root call it: login by SMS code, password, PUK, "confirm
/// on the phone" and social providers; sessions, the journal and step-up; passwords; linked numbers and delegated
/// access; the owner's profile. ``DefaultAuthService`` is the implementation.
public protocol AuthService: ConfirmedEmails, PUKCheck, ContactNumberCheck, AccountViewJournal {
    // MARK: - Login by code, password and PUK
    /// `POST /auth/otp`: sends a login code when the number is an active line; answers the same for any number.
    func requestLoginCode(for msisdn: MSISDN, client: ClientInfo) async throws -> CodeSent
    /// Logs in with the newest login code sent to the number.
    func login(msisdn: MSISDN, code: String, kind: AuthSession.Kind, client: ClientInfo) async throws -> LoginResult
    /// Logs in with number and password. Every failure answers `auth.login.failed`, whatever the reason.
    func login(msisdn: MSISDN, password: String, kind: AuthSession.Kind, client: ClientInfo) async throws -> LoginResult
    /// Logs in with the PUK code of the SIM pack; the person must then set a password.
    func login(msisdn: MSISDN, puk: String, kind: AuthSession.Kind, client: ClientInfo) async throws -> LoginResult
    /// The operator provisions the PUK printed in the SIM pack (stored only as a slow hash).
    func provisionPUK(_ puk: String, for msisdn: MSISDN) async throws
    /// Whether a PUK is on file for the line (demo provisioning skips lines that have one).
    func hasPUK(_ msisdn: MSISDN) async throws -> Bool

    // MARK: - Passwords
    /// Checks a new password against the rules (length, common passwords, not the phone number).
    func validateNewPassword(_ password: String, for msisdn: MSISDN, policy: AuthSettings.PasswordPolicy) throws
    /// Sets or changes the password of the session's own line. At most `maxChangesPerDay` changes in 24 hours
    /// (the first password set does not count); other sessions end; the owner is told by SMS.
    func setPassword(_ password: String, session: AuthSession, proof: PasswordProof, client: ClientInfo) async throws
        -> AuthSession
    /// "Вспомнить пароль": sends a reset code (same answer for any number).
    func requestPasswordReset(for msisdn: MSISDN, client: ClientInfo) async throws -> CodeSent
    /// Sets a new password with a reset code and logs in; every other session ends and the lock is lifted.
    func resetPassword(msisdn: MSISDN, code: String, newPassword: String, kind: AuthSession.Kind, client: ClientInfo)
        async throws -> LoginResult
    /// Whether the session's line has a password (the security page offers "set" or "change").
    func hasPassword(_ session: AuthSession) async throws -> Bool

    // MARK: - "Confirm on the phone"
    /// Starts a login the subscriber confirms on the phone. An unknown number gets an id too, which never confirms.
    func startPushLogin(for msisdn: MSISDN, client: ClientInfo) async throws -> PushStarted
    /// The network's answer (the development gateway: the operator API or `cabinet auth confirm`).
    func resolvePush(id: String, confirmed: Bool) async throws
    /// Polled by the login page: opens the session once, when confirmed.
    func pollPushLogin(id: String, kind: AuthSession.Kind, client: ClientInfo) async throws -> PushProgress

    // MARK: - Sessions, journal and step-up
    /// Finds the session of a token and the line it acts on; `nil` when the token is unknown or the session has
    /// ended (idle or absolute timeout, enforced here, not by cookie expiry). Revoked access to the acting line
    /// falls back to the own line and throws `auth.accessRevoked` once.
    func authenticate(token: String) async throws -> Authenticated?
    /// A session by its public id, while it is alive.
    func session(id: String) async throws -> AuthSession?
    /// Ends this session.
    func logout(_ session: AuthSession) async throws
    /// "Выйти на всех других устройствах".
    func logoutOthers(_ session: AuthSession) async throws -> Int
    /// Ends one of the person's other sessions by its public id.
    func endSession(id: String, of session: AuthSession) async throws -> Bool
    /// Active sessions of the person, the current one first.
    func sessions(of session: AuthSession) async throws -> [AuthSession]
    /// The visit journal of the session's own line, newest first.
    func journal(of session: AuthSession, before cursor: Int64?, limit: Int) async throws -> [JournalEntry]
    /// Issues a new token for the same session (after a privilege change), so a token seen before the change is
    /// worthless after it.
    func rotate(_ session: AuthSession) async throws -> (token: String, session: AuthSession)
    /// Sends a fresh code to the session's own number before a sensitive action.
    func requestStepUpCode(_ session: AuthSession, client: ClientInfo) async throws -> CodeSent
    /// Confirms the step-up code; the session is then trusted for sensitive actions for five minutes, and its
    /// token is rotated (a privilege change).
    func confirmStepUp(_ session: AuthSession, code: String, client: ClientInfo) async throws -> (
        token: String, session: AuthSession
    )
    /// The service's clock (routes use it for step-up windows).
    var now: Date { get }

    // MARK: - Linked numbers and delegated access
    /// Own line, linked numbers and lines delegated to this person, with the current one marked.
    func accessibleLines(_ session: AuthSession) async throws -> [AccessibleLine]
    /// `POST /me/switch`: moves the session to another accessible line (a privilege change: the token rotates).
    func switchLine(_ session: AuthSession, to msisdn: MSISDN) async throws -> (
        token: String, session: AuthSession, line: LineAccess
    )
    /// Sends a code to a number the person wants to link; it proves they hold that SIM.
    func requestLink(_ session: AuthSession, msisdn: MSISDN, client: ClientInfo) async throws -> CodeSent
    /// Links the number once its code is confirmed (up to the region's limit).
    func confirmLink(_ session: AuthSession, msisdn: MSISDN, code: String, client: ClientInfo) async throws -> Line
    /// Ends a link either way: the session's line stops acting on `msisdn`, or `msisdn` stops acting on it.
    func unlink(_ session: AuthSession, msisdn: MSISDN, client: ClientInfo) async throws
    /// The links of the session's own line, both ways.
    func links(_ session: AuthSession) async throws -> LineLinks
    /// Grants `grantee` rights on the acting line (which must be the person's own or linked line). Needs a step-up.
    func grant(
        _ session: AuthSession, on access: LineAccess, to grantee: MSISDN, scopes: Set<AccessScope>,
        through lastDay: LocalDate, client: ClientInfo
    ) async throws -> Delegation
    /// Revokes a grant given from one of the person's lines; takes effect on the grantee's next request.
    func revoke(_ session: AuthSession, delegation id: Int64, client: ClientInfo) async throws
    /// Grants given from the person's lines and grants received by the session's number.
    func delegations(_ session: AuthSession) async throws -> (given: [Delegation], received: [Delegation])

    // MARK: - Profile
    /// The profile of the session's own line and whether its e-mail is confirmed.
    func profile(_ session: AuthSession) async throws -> (line: Line, emailConfirmed: Bool)
    /// The subscriber edits their profile (name, e-mail, contact number, address); a new e-mail gets a code to
    /// confirm it.
    func updateProfile(
        _ session: AuthSession, fullName: FieldChange<String>, email: FieldChange<String>,
        contactNumber: FieldChange<MSISDN>, postalAddress: FieldChange<String>, client: ClientInfo
    ) async throws -> Line
    /// Sends a confirmation code to the profile's e-mail.
    func requestEmailConfirmation(_ session: AuthSession, client: ClientInfo) async throws -> CodeSent
    func confirmEmail(_ session: AuthSession, code: String, client: ClientInfo) async throws

    // MARK: - Social login
    /// Starts a login or link: returns the provider's authorization URL with `state` and a PKCE challenge (S256),
    /// bound to `browserNonce` (a cookie of the browser that starts).
    func startSocial(
        provider id: String, intent: SocialState.Intent, session: AuthSession?, redirectURI: String,
        browserNonce: String
    ) async throws -> URL
    /// The provider sent the person back: checks `state` (once, unexpired, same provider, the same browser, same
    /// session for a link), exchanges the code with the verifier, then logs in or links the identity (and tells the
    /// line's phone of the new way in).
    func finishSocial(
        provider id: String, code: String, state: String, browserNonce: String?, session: AuthSession?,
        redirectURI: String, kind: AuthSession.Kind, client: ClientInfo
    ) async throws -> LoginResult?
    func linkedIdentities(_ session: AuthSession) async throws -> [LinkedIdentity]
    func unlinkIdentity(_ session: AuthSession, provider: String, client: ClientInfo) async throws
    /// The configured providers, for the login and security pages.
    var identityProviders: [IdentityProviderConfiguration] { get }
}

extension AuthService {
    public func journal(of session: AuthSession) async throws -> [JournalEntry] {
        try await journal(of: session, before: nil, limit: 50)
    }
}
