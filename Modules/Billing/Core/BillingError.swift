public import CabinetCore

/// Stable error codes of Billing.
public enum BillingError {
    public static let eventInvalid: ErrorCode = "billing.event.invalid"
    public static let unknownLine: ErrorCode = "billing.event.unknownLine"
    public static let beforeActivation: ErrorCode = "billing.event.beforeActivation"
    public static let eventInFuture: ErrorCode = "billing.event.inFuture"
    public static let batchTooLarge: ErrorCode = "billing.usage.batchTooLarge"
    public static let insufficientFunds: ErrorCode = "billing.insufficientFunds"
    public static let amountInvalid: ErrorCode = "billing.amountInvalid"
    public static let currencyMismatch: ErrorCode = "billing.currencyMismatch"
    public static let periodInvalid: ErrorCode = "billing.period.invalid"
    public static let periodTooOld: ErrorCode = "billing.period.tooOld"
    public static let noEmail: ErrorCode = "billing.statement.noEmail"
    public static let statementFailed: ErrorCode = "billing.statement.failed"
    public static let noAccount: ErrorCode = "billing.noAccount"
    public static let tariffMissing: ErrorCode = "billing.tariffMissing"
    public static let csvHeader: ErrorCode = "billing.csv.header"
    public static let csvRow: ErrorCode = "billing.csv.row"

    public static let all: [ErrorCode] = [
        eventInvalid, unknownLine, beforeActivation, eventInFuture, batchTooLarge, insufficientFunds, amountInvalid, currencyMismatch,
        periodInvalid, periodTooOld, noEmail, statementFailed, noAccount, tariffMissing, csvHeader, csvRow,
    ]

    static func invalidEvent(_ reason: String) -> CabinetError {
        CabinetError(eventInvalid, kind: .invalidInput, arguments: ["reason": reason])
    }
}
