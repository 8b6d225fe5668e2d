public import CabinetCore

/// Stable error codes of Auth. Each has a Russian and an English text in `Resources/messages.json`.
public enum AuthError {
    public static let required: ErrorCode = "auth.required"
    public static let passwordRequired: ErrorCode = "auth.passwordRequired"
    public static let stepUpRequired: ErrorCode = "auth.stepUpRequired"
    public static let scopeMissing: ErrorCode = "auth.scopeMissing"
    public static let accessRevoked: ErrorCode = "auth.accessRevoked"
    public static let csrf: ErrorCode = "auth.csrf"
    public static let sessionExpired: ErrorCode = "auth.sessionExpired"

    public static let codeWrong: ErrorCode = "auth.otp.wrong"
    public static let codeExpired: ErrorCode = "auth.otp.expired"
    public static let codeExhausted: ErrorCode = "auth.otp.exhausted"
    public static let codeLocked: ErrorCode = "auth.otp.locked"
    public static let codeTooSoon: ErrorCode = "auth.otp.tooSoon"
    public static let codeHourlyLimit: ErrorCode = "auth.otp.hourlyLimit"
    public static let codeDailyLimit: ErrorCode = "auth.otp.dailyLimit"
    public static let codeAddressLimit: ErrorCode = "auth.otp.addressLimit"
    public static let codeFormat: ErrorCode = "auth.otp.format"

    public static let loginFailed: ErrorCode = "auth.login.failed"
    public static let passwordDelayed: ErrorCode = "auth.password.delayed"
    public static let passwordLocked: ErrorCode = "auth.password.locked"
    public static let passwordTooShort: ErrorCode = "auth.password.tooShort"
    public static let passwordTooLong: ErrorCode = "auth.password.tooLong"
    public static let passwordCommon: ErrorCode = "auth.password.common"
    public static let passwordIsNumber: ErrorCode = "auth.password.isNumber"
    public static let passwordChangeLimit: ErrorCode = "auth.password.changeLimit"
    public static let passwordCurrentWrong: ErrorCode = "auth.password.currentWrong"
    public static let passwordProofMissing: ErrorCode = "auth.password.proofMissing"
    public static let pukLocked: ErrorCode = "auth.puk.locked"
    public static let pukFormat: ErrorCode = "auth.puk.format"

    public static let linkLimit: ErrorCode = "auth.link.limit"
    public static let linkSelf: ErrorCode = "auth.link.self"
    public static let linkExists: ErrorCode = "auth.link.exists"
    public static let linkTaken: ErrorCode = "auth.link.taken"
    public static let linkNotFound: ErrorCode = "auth.link.notFound"
    public static let lineNotAccessible: ErrorCode = "auth.line.notAccessible"

    public static let delegationSelf: ErrorCode = "auth.delegation.self"
    public static let delegationExpiry: ErrorCode = "auth.delegation.expiry"
    public static let delegationScopes: ErrorCode = "auth.delegation.scopes"
    public static let delegationNotFound: ErrorCode = "auth.delegation.notFound"
    public static let delegationNotOwner: ErrorCode = "auth.delegation.notOwner"

    public static let pushNotFound: ErrorCode = "auth.push.notFound"
    public static let pushExpired: ErrorCode = "auth.push.expired"

    public static let socialUnknownProvider: ErrorCode = "auth.social.unknownProvider"
    public static let socialState: ErrorCode = "auth.social.state"
    public static let socialNotLinked: ErrorCode = "auth.social.notLinked"
    public static let socialTaken: ErrorCode = "auth.social.taken"
    public static let socialProvider: ErrorCode = "auth.social.provider"

    public static let emailInvalid: ErrorCode = "auth.email.invalid"
    public static let emailNothingToConfirm: ErrorCode = "auth.email.nothingToConfirm"

    public static let all: [ErrorCode] = [
        required, passwordRequired, stepUpRequired, scopeMissing, accessRevoked, csrf, sessionExpired, codeWrong, codeExpired,
        codeExhausted, codeLocked, codeTooSoon, codeHourlyLimit, codeDailyLimit, codeAddressLimit, codeFormat, loginFailed,
        passwordDelayed, passwordLocked, passwordTooShort, passwordTooLong, passwordCommon, passwordIsNumber,
        passwordChangeLimit, passwordCurrentWrong, passwordProofMissing, pukLocked, pukFormat, linkLimit, linkSelf,
        linkExists, linkTaken, linkNotFound, lineNotAccessible, delegationSelf, delegationExpiry, delegationScopes,
        delegationNotFound, delegationNotOwner, pushNotFound, pushExpired, socialUnknownProvider, socialState,
        socialNotLinked, socialTaken, socialProvider, emailInvalid, emailNothingToConfirm,
    ]

    public static func tooMany(_ code: ErrorCode, retryAfter seconds: Int) -> CabinetError {
        let wait = max(1, seconds)
        return CabinetError(code, kind: .tooManyRequests, arguments: ["seconds": String(wait)], retryAfterSeconds: wait)
    }

    public static func invalid(_ code: ErrorCode, field: String, arguments: [String: String] = [:]) -> CabinetError {
        CabinetError(code, kind: .invalidInput, arguments: arguments,
                     fieldErrors: [FieldError(field: field, code: code, arguments: arguments)])
    }
}
