public import Auth
public import CabinetCore
public import CabinetMessaging
public import Logging

/// What the composition root may be given instead of the real thing (tests inject a clock and recording senders).
public struct CabinetDependencies: Sendable {
    public var clock: any WallClock
    /// `nil`: the development sink (SMS in the log and the outbox).
    public var sms: (any SMSSender)?
    /// `nil`: `.eml` files in the configured mail folder.
    public var mail: (any MailSender)?
    public var logger: Logger
    /// `nil`: the development gateway (confirm through the operator API or `cabinet auth push`).
    public var push: (any PushConfirmationGateway)?
    /// `nil`: bcrypt at the configured cost.
    public var passwordHasher: (any PasswordHasher)?

    public init(
        clock: any WallClock = SystemClock(), sms: (any SMSSender)? = nil, mail: (any MailSender)? = nil,
        logger: Logger = Logger(label: "cabinet"), push: (any PushConfirmationGateway)? = nil,
        passwordHasher: (any PasswordHasher)? = nil
    ) {
        self.clock = clock
        self.sms = sms
        self.mail = mail
        self.logger = logger
        self.push = push
        self.passwordHasher = passwordHasher
    }
}
