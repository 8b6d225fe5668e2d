public import CabinetCore

/// The `auth` section of a region file: one-time code, password, PUK and session policy.
public struct AuthSettings: ModuleSettings, Hashable {
    /// SMS one-time codes.
    public struct OTPPolicy: Sendable, Hashable {
        /// Digits in a code: 6 by default; 4 only with at most 3 tries per code and 10 failures before a lock.
        public var length: Int
        /// How long a code is valid (at most 10 minutes).
        public var lifetime: Duration
        /// Wrong entries that kill one code.
        public var maxAttempts: Int
        /// Minimum time between two codes to one number.
        public var resendInterval: Duration
        public var maxPerHour: Int
        public var maxPerDay: Int
        /// Consecutive wrong codes (across codes) for one number from one client address before that address is
        /// locked out of the number's codes for ``lockDuration``.
        public var maxFailuresBeforeLock: Int
        public var lockDuration: Duration
        /// Wrong codes for one number from every address before the codes sent so far stop working for
        /// ``lockDuration``; a code sent after that still works, so strangers cannot lock the owner out.
        public var maxFailuresPerNumber: Int = 100
        /// Codes requested from one client address per hour.
        public var maxPerAddressPerHour: Int
    }

    public struct PasswordPolicy: Sendable, Hashable {
        public var minLength: Int
        public var maxChangesPerDay: Int
        /// Consecutive failures after which each try is delayed.
        public var delayFromFailure: Int
        /// Consecutive failures that lock password login (a locked password never blocks SMS login).
        public var lockAfterFailures: Int
        /// Wrong passwords and PUKs one client address may send in an hour, whatever the numbers; then it waits.
        public var maxFailuresPerAddressPerHour: Int = 30
    }

    public struct SessionPolicy: Sendable, Hashable {
        public var idleTimeout: Duration
        public var absoluteTimeout: Duration
    }

    public var otp: OTPPolicy
    public var password: PasswordPolicy
    public var session: SessionPolicy
    /// Wrong PUK entries from one address that lock PUK login of the SIM from there for ``pukLockDuration``; three
    /// times as many from anywhere lock it for everyone for as long (the SIM itself blocks after 10).
    public var pukMaxFailures: Int
    /// How long a PUK lock lasts (it ends by itself; the operator can also lift it).
    public var pukLockDuration: Duration = .seconds(86_400)
    /// Numbers one person may link to a profile.
    public var linkedNumbersLimit: Int
    /// How long a "press 1 to confirm" login request waits.
    public var pushConfirmationLifetime: Duration
    /// Whether a login from a new device sends an SMS alert.
    public var newDeviceAlert: Bool

    /// The federal defaults as values (what `_defaults.yaml` ships), for numbers that are not lines: the
    /// answer to an unknown number must look like the answer to a known one.
    public enum Fallback {
        public static let policy = AuthSettings(
            otp: OTPPolicy(
                length: 6, lifetime: .seconds(600), maxAttempts: 5, resendInterval: .seconds(60), maxPerHour: 5,
                maxPerDay: 10, maxFailuresBeforeLock: 20, lockDuration: .seconds(3600), maxPerAddressPerHour: 30),
            password: PasswordPolicy(minLength: 8, maxChangesPerDay: 2, delayFromFailure: 5, lockAfterFailures: 100),
            session: SessionPolicy(idleTimeout: .seconds(1800), absoluteTimeout: .seconds(43_200)),
            pukMaxFailures: 10, linkedNumbersLimit: 5, pushConfirmationLifetime: .seconds(120), newDeviceAlert: true)
    }

    public init(
        otp: OTPPolicy, password: PasswordPolicy, session: SessionPolicy, pukMaxFailures: Int,
        linkedNumbersLimit: Int, pushConfirmationLifetime: Duration, newDeviceAlert: Bool
    ) {
        self.otp = otp
        self.password = password
        self.session = session
        self.pukMaxFailures = pukMaxFailures
        self.linkedNumbersLimit = linkedNumbersLimit
        self.pushConfirmationLifetime = pushConfirmationLifetime
        self.newDeviceAlert = newDeviceAlert
    }

    public init?(from section: ConfigObject) {
        let otp = section.requireObject("otp") { o -> OTPPolicy? in
            let length = o.requireInt("length", in: 4...8)
            let lifetime = o.requirePositiveDuration("lifetime")
            let attempts = o.requireInt("maxAttempts", in: 1...10)
            let resend = o.requirePositiveDuration("resendInterval")
            let perHour = o.requireInt("maxPerHour", in: 1...60)
            let perDay = o.requireInt("maxPerDay", in: 1...200)
            let failures = o.requireInt("maxFailuresBeforeLock", in: 1...100)
            let lock = o.requirePositiveDuration("lockDuration")
            let perAddress = o.requireInt("maxPerAddressPerHour", in: 1...10_000)
            let perNumber = o.requireInt("maxFailuresPerNumber", in: 1...10_000)
            if let failures, let perNumber, perNumber < failures {
                o.child("maxFailuresPerNumber")?.problem("must not be below maxFailuresBeforeLock (\(failures))")
                return nil
            }
            if let lifetime, lifetime > .seconds(600) {
                o.child("lifetime")?.problem("must be at most 10m: a one-time code lives no longer than 10 minutes")
                return nil
            }
            if let length, length < 6 {
                // Four digits are 13 bits; only tight limits keep guessing odds acceptable (reliability §2).
                if let attempts, attempts > 3 {
                    o.child("maxAttempts")?.problem(
                        "a \(length)-digit code allows at most 3 tries per code, found \(attempts)")
                    return nil
                }
                if let failures, failures > 10 {
                    o.child("maxFailuresBeforeLock")?.problem(
                        "a \(length)-digit code allows at most 10 failures before the lock, found \(failures)")
                    return nil
                }
                if let perNumber, perNumber > 30 {
                    o.child("maxFailuresPerNumber")?.problem(
                        "a \(length)-digit code allows at most 30 failures per number, found \(perNumber)")
                    return nil
                }
            }
            if let perHour, let perDay, perHour > perDay {
                o.child("maxPerHour")?.problem("must not exceed maxPerDay (\(perDay))")
                return nil
            }
            guard let length, let lifetime, let attempts, let resend, let perHour, let perDay, let failures, let lock,
                let perAddress, let perNumber
            else { return nil }
            return OTPPolicy(
                length: length, lifetime: lifetime, maxAttempts: attempts, resendInterval: resend, maxPerHour: perHour,
                maxPerDay: perDay, maxFailuresBeforeLock: failures, lockDuration: lock, maxFailuresPerNumber: perNumber,
                maxPerAddressPerHour: perAddress)
        }
        let password = section.requireObject("password") { p -> PasswordPolicy? in
            let minLength = p.requireInt("minLength", in: 8...64)
            let changes = p.requireInt("maxChangesPerDay", in: 1...10)
            let delay = p.requireInt("delayFromFailure", in: 1...100)
            let lock = p.requireInt("lockAfterFailures", in: 1...100)
            let perAddress = p.requireInt("maxFailuresPerAddressPerHour", in: 1...10_000)
            if let delay, let lock, delay > lock {
                p.child("delayFromFailure")?.problem("must not exceed lockAfterFailures (\(lock))")
                return nil
            }
            guard let minLength, let changes, let delay, let lock, let perAddress else { return nil }
            return PasswordPolicy(
                minLength: minLength, maxChangesPerDay: changes, delayFromFailure: delay, lockAfterFailures: lock,
                maxFailuresPerAddressPerHour: perAddress)
        }
        let session = section.requireObject("session") { s -> SessionPolicy? in
            let idle = s.requirePositiveDuration("idleTimeout")
            let absolute = s.requirePositiveDuration("absoluteTimeout")
            if let idle, let absolute, idle > absolute {
                s.child("idleTimeout")?.problem("must not be longer than absoluteTimeout")
                return nil
            }
            guard let idle, let absolute else { return nil }
            return SessionPolicy(idleTimeout: idle, absoluteTimeout: absolute)
        }
        let puk = section.requireInt("pukMaxFailures", in: 1...10)
        let pukLock = section.requirePositiveDuration("pukLockDuration")
        let linked = section.requireInt("linkedNumbersLimit", in: 1...20)
        let push = section.requirePositiveDuration("pushConfirmationLifetime")
        let alert = section.require("newDeviceAlert", Bool.self)
        guard let otp, let password, let session, let puk, let pukLock, let linked, let push, let alert else {
            return nil
        }
        self.pukLockDuration = pukLock
        self.otp = otp
        self.password = password
        self.session = session
        self.pukMaxFailures = puk
        self.linkedNumbersLimit = linked
        self.pushConfirmationLifetime = push
        self.newDeviceAlert = alert
    }
}
