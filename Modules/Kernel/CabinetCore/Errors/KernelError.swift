/// Error codes the kernel itself throws: malformed requests, HTTP routing, storage, the operator key, the checks of
/// a session that CabinetHTTP makes before any module sees the request, phone numbers and amounts.
///
/// The `auth.*` codes here are thrown by the kernel's request context; Auth's catalogue refers to the same
/// constants, so each code is still declared once.
public enum KernelError: ErrorCatalogue {
    public static let `internal` = ErrorCode("internal", .internal)
    public static let requestInvalid = ErrorCode("request.invalid", .invalidInput)
    public static let malformedBody = ErrorCode("request.malformedBody", .invalidInput)
    public static let tooLarge = ErrorCode("request.tooLarge", .invalidInput)
    public static let unsupportedMediaType = ErrorCode("request.unsupportedMediaType", .invalidInput)
    public static let cursorInvalid = ErrorCode("request.cursorInvalid", .invalidInput)
    public static let limitInvalid = ErrorCode("request.limitInvalid", .invalidInput)
    public static let requestNotFound = ErrorCode("request.notFound", .notFound)
    public static let idempotencyKeyRequired = ErrorCode("request.idempotencyKeyRequired", .invalidInput)
    public static let idempotencyKeyInvalid = ErrorCode("request.idempotencyKeyInvalid", .invalidInput)
    public static let idempotencyKeyReused = ErrorCode("request.idempotencyKeyReused", .rejected)
    public static let idempotencyInProgress = ErrorCode("request.idempotencyInProgress", .conflict)
    public static let notFound = ErrorCode("http.notFound", .notFound)
    public static let methodNotAllowed = ErrorCode("http.methodNotAllowed", .invalidInput)
    public static let rateLimited = ErrorCode("rate.limited", .tooManyRequests)
    public static let operatorUnauthorized = ErrorCode("operator.unauthorized", .unauthenticated)
    public static let storageInUse = ErrorCode("storage.inUse", .conflict)
    public static let storageSchemaNewer = ErrorCode("storage.schemaNewer", .unavailable)
    public static let storageUnavailable = ErrorCode("storage.unavailable", .unavailable)
    public static let moduleDisabled = ErrorCode("module.disabled", .notFound)
    public static let regionUnknown = ErrorCode("region.unknown", .invalidInput)

    public static let authRequired = ErrorCode("auth.required", .unauthenticated)
    public static let passwordRequired = ErrorCode("auth.passwordRequired", .forbidden)
    public static let stepUpRequired = ErrorCode("auth.stepUpRequired", .forbidden)
    public static let scopeMissing = ErrorCode("auth.scopeMissing", .forbidden)
    public static let csrf = ErrorCode("auth.csrf", .forbidden)
    /// The line is blocked (a lost SIM): its sessions may look, not spend or change.
    public static let lineBlocked = ErrorCode("line.blocked", .forbidden)
    /// The line is suspended: its sessions may look, not spend or change.
    public static let lineSuspended = ErrorCode("line.suspended", .forbidden)

    public static let msisdnEmpty = ErrorCode("msisdn.empty", .invalidInput)
    public static let msisdnInvalidCharacter = ErrorCode("msisdn.invalidCharacter", .invalidInput)
    public static let msisdnWrongLength = ErrorCode("msisdn.wrongLength", .invalidInput)
    public static let msisdnUnsupportedCountryCode = ErrorCode("msisdn.unsupportedCountryCode", .invalidInput)
    public static let msisdnNotMobile = ErrorCode("msisdn.notMobile", .invalidInput)

    public static let moneyCurrencyMismatch = ErrorCode("money.currencyMismatch", .invalidInput)
    public static let moneyOverflow = ErrorCode("money.overflow", .invalidInput)
    public static let moneyEmpty = ErrorCode("money.empty", .invalidInput)
    public static let moneyMalformed = ErrorCode("money.malformed", .invalidInput)
    public static let moneyTooManyFractionDigits = ErrorCode("money.tooManyFractionDigits", .invalidInput)
    public static let moneyUnknownCurrency = ErrorCode("money.unknownCurrency", .invalidInput)

    public static let fieldInvalid = ErrorCode("field.invalid", .invalidInput)
    public static let fieldRequired = ErrorCode("field.required", .invalidInput)
    public static let fieldTooLong = ErrorCode("field.tooLong", .invalidInput)

    public static let all: [ErrorCode] = [
        `internal`, requestInvalid, malformedBody, tooLarge, unsupportedMediaType, cursorInvalid, limitInvalid,
        requestNotFound,
        idempotencyKeyRequired, idempotencyKeyInvalid, idempotencyKeyReused, idempotencyInProgress, notFound,
        methodNotAllowed,
        rateLimited, operatorUnauthorized, storageInUse, storageSchemaNewer, storageUnavailable, moduleDisabled,
        regionUnknown,
        authRequired, passwordRequired, stepUpRequired, scopeMissing, csrf, lineBlocked, lineSuspended, msisdnEmpty,
        msisdnInvalidCharacter,
        msisdnWrongLength, msisdnUnsupportedCountryCode, msisdnNotMobile, moneyCurrencyMismatch, moneyOverflow,
        moneyEmpty,
        moneyMalformed, moneyTooManyFractionDigits, moneyUnknownCurrency, fieldInvalid, fieldRequired, fieldTooLong,
    ]
}
