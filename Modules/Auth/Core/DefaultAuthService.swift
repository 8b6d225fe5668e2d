public import CabinetCore
public import Foundation
public import Logging
public import Subscribers

/// A successful login: the token the client keeps (cookie or bearer) and the session it opens.
public struct LoginResult: Sendable {
    public var token: String
    public var session: AuthSession
    /// After a PUK login the person must set a password before anything else.
    public var passwordRequired: Bool { session.passwordRequired }
}

/// An authenticated request: the session and the line it acts on.
public struct Authenticated: Sendable {
    public var session: AuthSession
    public var line: LineAccess
    /// Set when the token was rotated or the session touched in a way the client must learn (a new cookie).
    public var renewedToken: String?
}

/// Answer to "send me a code": the same for any number, known or not.
public struct CodeSent: Sendable, Hashable {
    /// When the next code may be asked for.
    public var resendAt: Date
    public var codeLength: Int
    public var expiresIn: Duration
}

/// Every way a subscriber gets in, stays in and shares access; the rules of the Auth issue live here.
///
/// Policy numbers come from the region of the line (`auth` section). Responses never tell whether a number
/// exists: unknown numbers go through the same limits, the same database writes and the same bcrypt work.
public struct DefaultAuthService: AuthService {
    let store: any AuthStore
    let lines: any SubscriberService
    let regions: RegionCatalog
    let secrets: AuthSecrets
    let hasher: any PasswordHasher
    let commonPasswords: CommonPasswords
    let push: any PushConfirmationGateway
    let providers: [IdentityProviderConfiguration]
    let providerClient: (any IdentityProviderClient)?
    let clock: any WallClock
    let logger: Logger
    /// Auth's texts (SMS, e-mail, push prompts) in Russian and English.
    let messages: MessageCatalog
    /// The site's host for the WebOTP line that ends a login code's SMS (`@host #123456`, the message's last line), so
    /// a phone's browser offers to fill the code in; `nil`: no such line. The text and the line fit one UCS-2 part (70
    /// characters) with an 8-digit code and a host of up to 19 characters.
    let webOTPHost: String?
    /// A bcrypt hash of nothing, verified when there is no real hash, so timing does not tell.
    let decoyHash: String
    /// Password and PUK checks running at once (bcrypt is the costliest thing a request can ask for).
    let hashGate = HashGate(limit: 2 * ProcessInfo.processInfo.activeProcessorCount)

    public init(
        store: any AuthStore, lines: any SubscriberService, regions: RegionCatalog, secrets: AuthSecrets,
        hasher: any PasswordHasher, commonPasswords: CommonPasswords,
        push: any PushConfirmationGateway = ManualPushGateway(),
        providers: [IdentityProviderConfiguration] = [], providerClient: (any IdentityProviderClient)? = nil,
        clock: any WallClock, logger: Logger, webOTPHost: String? = nil
    ) async {
        self.webOTPHost = webOTPHost
        self.store = store
        self.lines = lines
        self.regions = regions
        self.secrets = secrets
        self.hasher = hasher
        self.commonPasswords = commonPasswords
        self.push = push
        self.providers = providers
        self.providerClient = providerClient
        self.clock = clock
        self.logger = logger
        self.messages = (try? AuthModule.messages()) ?? MessageCatalog()
        self.decoyHash = await hasher.hash(secrets.passwordPrehash("decoy-\(SecureRandom.token(bytes: 8))"))
    }

    /// The federal defaults, used for numbers that do not exist (so the answer looks the same).
    static let fallbackPolicy = AuthSettings.Fallback.policy

    /// The line and its region's auth policy; `nil` for a number that is not an active line where Auth is on.
    func activeLine(_ msisdn: MSISDN) async throws -> (Line, AuthSettings)? {
        guard let line = try await lines.line(msisdn: msisdn), line.status == .active,
            let settings = regions.region(line.region)?.settings(for: AuthModule.self)
        else { return nil }
        return (line, settings)
    }

    /// Any line (blocked ones too) with its region's policy, for flows that must not depend on status.
    func policy(for line: Line?) -> AuthSettings {
        line.flatMap { regions.region($0.region)?.settings(for: AuthModule.self) } ?? Self.fallbackPolicy
    }

    /// The policy for a number whatever it is: its line's region, else the region whose numbering plan it falls in,
    /// else the federal defaults. An unknown number is limited like its neighbours, so limits tell nothing.
    func policy(for msisdn: MSISDN, line: Line?) -> AuthSettings {
        if let line { return policy(for: line) }
        return regions.regions(admitting: msisdn).lazy.compactMap { $0.settings(for: AuthModule.self) }.first
            ?? Self.fallbackPolicy
    }

    func limits(_ settings: AuthSettings) -> SendLimits {
        SendLimits(
            resendInterval: settings.otp.resendInterval, maxPerHour: settings.otp.maxPerHour,
            maxPerDay: settings.otp.maxPerDay, maxPerAddressPerHour: settings.otp.maxPerAddressPerHour)
    }

    func codeHash(_ code: String, purpose: CodePurpose, key: String) -> String {
        secrets.keyedHash("otp", purpose.rawValue, key, code)
    }

    /// Accepts only the digits of a code of the expected length (spaces a person types are dropped).
    func normalizedCode(_ code: String, length: Int) throws -> String {
        let digits = code.filter { !$0.isWhitespace && $0 != "-" }
        guard digits.count == length, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw AuthError.invalid(AuthError.codeFormat, field: "code", arguments: ["length": String(length)])
        }
        return digits
    }

    /// Turns a failed code check into the error a person sees.
    func error(for outcome: CodeCheckOutcome) -> CabinetError {
        let now = clock.now
        switch outcome {
        case .valid: return .internal("valid code reported as error")
        case .wrong(let remaining):
            return CabinetError(
                AuthError.codeWrong, arguments: ["remaining": String(remaining)],
                fieldErrors: [
                    FieldError(field: "code", code: AuthError.codeWrong, arguments: ["remaining": String(remaining)])
                ])
        case .noCode, .expired:
            return CabinetError(AuthError.codeExpired)
        case .exhausted:
            return CabinetError(AuthError.codeExhausted)
        case .locked(let until):
            return AuthError.tooMany(AuthError.codeLocked, retryAfter: Int(until.timeIntervalSince(now).rounded(.up)))
        case .addressLimited(let until):
            return AuthError.tooMany(
                AuthError.codeAddressLimit, retryAfter: Int(until.timeIntervalSince(now).rounded(.up)))
        }
    }

    func check(
        _ code: String, purpose: CodePurpose, key: String, sessionID: String?, settings: AuthSettings,
        client: ClientInfo, failureJournal: JournalEntry? = nil
    ) async throws -> CodeCheckOutcome {
        let digits = try normalizedCode(code, length: settings.otp.length)
        var check = CodeCheck(
            purpose: purpose, key: key, sessionID: sessionID, codeHash: codeHash(digits, purpose: purpose, key: key),
            now: clock.now, maxAttempts: settings.otp.maxAttempts,
            maxFailuresBeforeLock: settings.otp.maxFailuresBeforeLock,
            maxFailuresPerNumber: settings.otp.maxFailuresPerNumber, lockDuration: settings.otp.lockDuration,
            clientAddress: client.address,
            maxFailuresPerAddressPerHour: settings.otp.maxPerAddressPerHour * settings.otp.maxAttempts)
        check.failureJournal = failureJournal
        return try await store.checkCode(check)
    }

    /// Asks the store to record a code request and, when `issue` is given, store and send the code.
    func sendCode(
        purpose: CodePurpose, key: String, settings: AuthSettings, client: ClientInfo,
        issue: (_ code: String, _ hash: String, _ expiresAt: Date) -> CodeIssue?
    ) async throws -> CodeSent {
        let now = clock.now
        let code = SecureRandom.digits(settings.otp.length)
        let expiresAt = now.addingTimeInterval(settings.otp.lifetime.timeInterval)
        let request = CodeRequest(
            purpose: purpose, key: key, clientAddress: client.address, limits: limits(settings), now: now,
            issue: issue(code, codeHash(code, purpose: purpose, key: key), expiresAt))
        switch try await store.requestCode(request) {
        case .refused(let error): throw error
        case .accepted(let nextAt):
            return CodeSent(resendAt: nextAt, codeLength: settings.otp.length, expiresIn: settings.otp.lifetime)
        }
    }

    /// Opens a session for a line (new token, so a pre-login token can never be fixed on the person).
    func openSession(
        for line: Line, settings: AuthSettings, method: LoginMethod, kind: AuthSession.Kind,
        client: ClientInfo, passwordRequired: Bool = false
    ) async throws -> LoginResult {
        let now = clock.now
        let token = SecureRandom.token()
        let session = AuthSession(
            id: SecureRandom.token(bytes: 12), tokenHash: SecureRandom.sha256(token), subscriberID: line.id,
            msisdn: line.msisdn,
            actingSubscriberID: line.id, kind: kind, method: method, createdAt: now, lastSeenAt: now,
            expiresAt: now.addingTimeInterval(settings.session.absoluteTimeout.timeInterval),
            idleTimeout: settings.session.idleTimeout, client: client, steppedUpAt: method == .otp ? now : nil,
            passwordRequired: passwordRequired, csrfToken: SecureRandom.token(bytes: 24))
        try await store.insertSession(session)
        var alert: OutgoingText?
        // A client without a device id (an API client that sends no X-Device-Id) is known by its user agent. The
        // first login of a line is from a new device too: whoever it was, the owner hears of it.
        let device =
            client.deviceID.map { secrets.keyedHash("device", $0) }
            ?? secrets.keyedHash("agent", client.userAgent ?? "-")
        if try await store.rememberDevice(device, for: line.id, now: now) != .known, settings.newDeviceAlert {
            alert = OutgoingText(
                to: .phone(line.msisdn),
                text: messages.text("auth.sms.newDevice", in: client.language, arguments: ["device": describe(client)]),
                purpose: "auth.newDevice")
        }
        try await store.record(
            JournalEntry(
                subscriberID: line.id, msisdn: line.msisdn.e164, at: now, event: .loginSucceeded, method: method,
                client: client, detail: alert == nil ? nil : "new device"),
            message: alert)
        logger.info(
            "login", metadata: ["cabinet.msisdn": "\(line.msisdn.masked)", "cabinet.method": "\(method.rawValue)"])
        return LoginResult(token: token, session: session)
    }

    func recordFailure(_ msisdn: MSISDN, line: Line?, method: LoginMethod, client: ClientInfo, detail: String)
        async throws
    {
        try await store.record(
            JournalEntry(
                subscriberID: line?.id, msisdn: msisdn.e164, at: clock.now, event: .loginFailed, method: method,
                client: client, detail: detail),
            message: nil)
    }

    /// The browser and address of a client, for texts, in the client's language.
    func describe(_ client: ClientInfo) -> String {
        let agent =
            client.userAgent.map { String($0.prefix(40)) }
            ?? messages.text("auth.sms.unknownBrowser", in: client.language)
        return client.address.map { "\(agent), \($0)" } ?? agent
    }
}
