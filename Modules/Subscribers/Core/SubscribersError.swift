public import CabinetCore

/// Stable error codes of the line registry.
public enum SubscribersError {
    public static let notFound: ErrorCode = "subscribers.notFound"
    public static let alreadyExists: ErrorCode = "subscribers.alreadyExists"
    public static let unknownRegion: ErrorCode = "subscribers.unknownRegion"
    public static let regionDisabled: ErrorCode = "subscribers.regionDisabled"
    public static let outsideRegion: ErrorCode = "subscribers.msisdnOutsideRegion"
    public static let invalidStatus: ErrorCode = "subscribers.invalidStatus"
    public static let terminatedIsFinal: ErrorCode = "subscribers.terminatedIsFinal"
    public static let invalidEmail: ErrorCode = "subscribers.invalidEmail"
    public static let invalidDate: ErrorCode = "subscribers.invalidDate"
    public static let futureDate: ErrorCode = "subscribers.futureActivationDate"
    public static let tooLong: ErrorCode = "subscribers.fieldTooLong"
    public static let invalidCompany: ErrorCode = "subscribers.invalidCompany"
    public static let emptyPatch: ErrorCode = "subscribers.emptyPatch"
    public static let csvHeader: ErrorCode = "subscribers.csv.header"
    public static let csvUnterminatedQuote: ErrorCode = "subscribers.csv.unterminatedQuote"
    public static let csvTextAfterQuote: ErrorCode = "subscribers.csv.textAfterQuote"
    public static let csvFieldCount: ErrorCode = "subscribers.csv.fieldCount"

    public static let all: [ErrorCode] = [
        notFound, alreadyExists, unknownRegion, regionDisabled, outsideRegion, invalidStatus, terminatedIsFinal,
        invalidEmail, invalidDate, futureDate, tooLong, invalidCompany, emptyPatch, csvHeader, csvUnterminatedQuote,
        csvTextAfterQuote, csvFieldCount,
    ]

    static func notFound(_ msisdn: MSISDN) -> CabinetError {
        CabinetError(notFound, kind: .notFound, arguments: ["msisdn": msisdn.formatted])
    }
}
