public import CabinetCore

/// Stable error codes of Billing.
public enum BillingError: ErrorCatalogue {
    public static let eventInvalid = ErrorCode("billing.event.invalid", .invalidInput)
    public static let unknownLine = ErrorCode("billing.event.unknownLine", .invalidInput)
    public static let beforeActivation = ErrorCode("billing.event.beforeActivation", .invalidInput)
    public static let eventInFuture = ErrorCode("billing.event.inFuture", .invalidInput)
    public static let batchTooLarge = ErrorCode("billing.usage.batchTooLarge", .invalidInput)
    public static let insufficientFunds = ErrorCode("billing.insufficientFunds", .rejected)
    public static let amountInvalid = ErrorCode("billing.amountInvalid", .invalidInput)
    public static let currencyMismatch = ErrorCode("billing.currencyMismatch", .invalidInput)
    /// A credit repeated under an external id that was posted with another amount (a payment order's number reused).
    public static let externalIDReused = ErrorCode("billing.externalIDReused", .conflict)
    public static let periodInvalid = ErrorCode("billing.period.invalid", .invalidInput)
    public static let periodTooOld = ErrorCode("billing.period.tooOld", .invalidInput)
    public static let noEmail = ErrorCode("billing.statement.noEmail", .rejected)
    /// The profile's e-mail has not been confirmed with a code sent there.
    public static let emailNotConfirmed = ErrorCode("billing.statement.emailNotConfirmed", .rejected)
    public static let statementFailed = ErrorCode("billing.statement.failed", .invalidInput)
    public static let noAccount = ErrorCode("billing.noAccount", .notFound)
    public static let tariffMissing = ErrorCode("billing.tariffMissing", .internal)
    public static let csvHeader = ErrorCode("billing.csv.header", .invalidInput)
    public static let csvRow = ErrorCode("billing.csv.row", .invalidInput)

    /// The package holds less than asked; `available` says how many megabytes it holds.
    public static let shareTooLittle = ErrorCode("billing.share.tooLittle", .rejected)
    public static let shareDayLimit = ErrorCode("billing.share.dayLimit", .rejected)
    public static let shareMonthLimit = ErrorCode("billing.share.monthLimit", .rejected)
    /// Whole gigabytes, 1 to the region's maximum.
    public static let shareAmount = ErrorCode("billing.share.amount", .invalidInput)
    /// The recipient is not a line of the operator, is blocked, is the giver, or bills in another currency.
    public static let shareRecipient = ErrorCode("billing.share.recipient", .rejected)
    /// The region does not offer sharing.
    public static let shareNotOffered = ErrorCode("billing.share.notOffered", .rejected)

    public static let all: [ErrorCode] = [
        eventInvalid, unknownLine, beforeActivation, eventInFuture, batchTooLarge, insufficientFunds, amountInvalid,
        currencyMismatch, externalIDReused,
        periodInvalid, periodTooOld, noEmail, emailNotConfirmed, statementFailed, noAccount, tariffMissing, csvHeader,
        csvRow, shareTooLittle, shareDayLimit, shareMonthLimit, shareAmount, shareRecipient, shareNotOffered,
    ]

    static func invalidEvent(_ reason: String) -> CabinetError {
        CabinetError(eventInvalid, arguments: ["reason": reason])
    }
}
