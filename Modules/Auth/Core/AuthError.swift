public import CabinetCore

/// Stable error codes of Auth. Each has a Russian and an English text in `Resources/messages.json`.
public enum AuthError: ErrorCatalogue {
    public static let required = KernelError.authRequired
    public static let passwordRequired = KernelError.passwordRequired
    public static let stepUpRequired = KernelError.stepUpRequired
    public static let scopeMissing = KernelError.scopeMissing
    public static let accessRevoked = ErrorCode("auth.accessRevoked", .forbidden)
    public static let csrf = KernelError.csrf
    public static let sessionExpired = ErrorCode("auth.sessionExpired", .unauthenticated)

    public static let codeWrong = ErrorCode("auth.otp.wrong", .unauthenticated)
    public static let codeExpired = ErrorCode("auth.otp.expired", .unauthenticated)
    public static let codeExhausted = ErrorCode("auth.otp.exhausted", .unauthenticated)
    public static let codeLocked = ErrorCode("auth.otp.locked", .tooManyRequests)
    public static let codeTooSoon = ErrorCode("auth.otp.tooSoon", .tooManyRequests)
    public static let codeHourlyLimit = ErrorCode("auth.otp.hourlyLimit", .tooManyRequests)
    public static let codeDailyLimit = ErrorCode("auth.otp.dailyLimit", .tooManyRequests)
    public static let codeAddressLimit = ErrorCode("auth.otp.addressLimit", .tooManyRequests)
    public static let codeFormat = ErrorCode("auth.otp.format", .invalidInput)

    public static let loginFailed = ErrorCode("auth.login.failed", .unauthenticated)
    public static let passwordDelayed = ErrorCode("auth.password.delayed", .tooManyRequests)
    public static let passwordLocked = ErrorCode("auth.password.locked", .forbidden)
    public static let passwordTooShort = ErrorCode("auth.password.tooShort", .invalidInput)
    public static let passwordTooLong = ErrorCode("auth.password.tooLong", .invalidInput)
    public static let passwordCommon = ErrorCode("auth.password.common", .invalidInput)
    public static let passwordIsNumber = ErrorCode("auth.password.isNumber", .invalidInput)
    public static let passwordChangeLimit = ErrorCode("auth.password.changeLimit", .rejected)
    public static let passwordCurrentWrong = ErrorCode("auth.password.currentWrong", .invalidInput)
    public static let passwordProofMissing = ErrorCode("auth.password.proofMissing", .forbidden)
    /// One address sent too many wrong passwords or PUKs this hour, whatever the numbers.
    public static let passwordAddressLimit = ErrorCode("auth.password.addressLimit", .tooManyRequests)
    /// Every password check this server can afford is running: come back in a second.
    public static let passwordBusy = ErrorCode("auth.password.busy", .tooManyRequests)
    public static let pukLocked = ErrorCode("auth.puk.locked", .tooManyRequests)
    public static let pukFormat = ErrorCode("auth.puk.format", .invalidInput)

    public static let linkLimit = ErrorCode("auth.link.limit", .rejected)
    public static let linkSelf = ErrorCode("auth.link.self", .invalidInput)
    public static let linkExists = ErrorCode("auth.link.exists", .conflict)
    public static let linkTaken = ErrorCode("auth.link.taken", .conflict)
    public static let linkNotFound = ErrorCode("auth.link.notFound", .notFound)
    public static let lineNotAccessible = ErrorCode("auth.line.notAccessible", .forbidden)

    public static let delegationSelf = ErrorCode("auth.delegation.self", .invalidInput)
    public static let delegationExpiry = ErrorCode("auth.delegation.expiry", .invalidInput)
    public static let delegationScopes = ErrorCode("auth.delegation.scopes", .invalidInput)
    public static let delegationNotFound = ErrorCode("auth.delegation.notFound", .notFound)
    public static let delegationNotOwner = ErrorCode("auth.delegation.notOwner", .forbidden)

    public static let pushNotFound = ErrorCode("auth.push.notFound", .notFound)
    public static let pushExpired = ErrorCode("auth.push.expired", .rejected)

    public static let socialUnknownProvider = ErrorCode("auth.social.unknownProvider", .notFound)
    public static let socialState = ErrorCode("auth.social.state", .invalidInput)
    public static let socialNotLinked = ErrorCode("auth.social.notLinked", .unauthenticated)
    /// Unlinking a provider that is not linked to this line.
    public static let socialLinkNotFound = ErrorCode("auth.social.linkNotFound", .notFound)
    public static let socialTaken = ErrorCode("auth.social.taken", .conflict)
    public static let socialProvider = ErrorCode("auth.social.provider", .unavailable)

    public static let emailInvalid = ErrorCode("auth.email.invalid", .invalidInput)
    public static let emailNothingToConfirm = ErrorCode("auth.email.nothingToConfirm", .conflict)

    public static let all: [ErrorCode] = [
        required, passwordRequired, stepUpRequired, scopeMissing, accessRevoked, csrf, sessionExpired, codeWrong,
        codeExpired,
        codeExhausted, codeLocked, codeTooSoon, codeHourlyLimit, codeDailyLimit, codeAddressLimit, codeFormat,
        loginFailed,
        passwordDelayed, passwordLocked, passwordTooShort, passwordTooLong, passwordCommon, passwordIsNumber,
        passwordChangeLimit, passwordCurrentWrong, passwordProofMissing, passwordAddressLimit, passwordBusy, pukLocked,
        pukFormat, linkLimit, linkSelf,
        linkExists, linkTaken, linkNotFound, lineNotAccessible, delegationSelf, delegationExpiry, delegationScopes,
        delegationNotFound, delegationNotOwner, pushNotFound, pushExpired, socialUnknownProvider, socialState,
        socialNotLinked, socialLinkNotFound, socialTaken, socialProvider, emailInvalid, emailNothingToConfirm,
    ]

    public static func tooMany(_ code: ErrorCode, retryAfter seconds: Int) -> CabinetError {
        let wait = max(1, seconds)
        return CabinetError(code, arguments: ["seconds": String(wait)], retryAfterSeconds: wait)
    }

    public static func invalid(_ code: ErrorCode, field: String, arguments: [String: String] = [:]) -> CabinetError {
        CabinetError(
            code, arguments: arguments,
            fieldErrors: [FieldError(field: field, code: code, arguments: arguments)])
    }
}
