public import CabinetCore

/// Stable error codes of the line registry.
public enum SubscribersError: ErrorCatalogue {
    public static let notFound = ErrorCode("subscribers.notFound", .notFound)
    public static let alreadyExists = ErrorCode("subscribers.alreadyExists", .conflict)
    public static let unknownRegion = ErrorCode("subscribers.unknownRegion", .invalidInput)
    public static let regionDisabled = ErrorCode("subscribers.regionDisabled", .invalidInput)
    public static let outsideRegion = ErrorCode("subscribers.msisdnOutsideRegion", .invalidInput)
    public static let invalidStatus = ErrorCode("subscribers.invalidStatus", .invalidInput)
    public static let terminatedIsFinal = ErrorCode("subscribers.terminatedIsFinal", .conflict)
    public static let invalidEmail = ErrorCode("subscribers.invalidEmail", .invalidInput)
    public static let invalidDate = ErrorCode("subscribers.invalidDate", .invalidInput)
    public static let futureDate = ErrorCode("subscribers.futureActivationDate", .invalidInput)
    public static let tooLong = ErrorCode("subscribers.fieldTooLong", .invalidInput)
    public static let invalidCompany = ErrorCode("subscribers.invalidCompany", .invalidInput)
    public static let emptyPatch = ErrorCode("subscribers.emptyPatch", .invalidInput)
    public static let csvHeader = ErrorCode("subscribers.csv.header", .invalidInput)
    public static let csvUnterminatedQuote = ErrorCode("subscribers.csv.unterminatedQuote", .invalidInput)
    public static let csvTextAfterQuote = ErrorCode("subscribers.csv.textAfterQuote", .invalidInput)
    public static let csvFieldCount = ErrorCode("subscribers.csv.fieldCount", .invalidInput)

    public static let all: [ErrorCode] = [
        notFound, alreadyExists, unknownRegion, regionDisabled, outsideRegion, invalidStatus, terminatedIsFinal,
        invalidEmail, invalidDate, futureDate, tooLong, invalidCompany, emptyPatch, csvHeader, csvUnterminatedQuote,
        csvTextAfterQuote, csvFieldCount,
    ]

    static func notFound(_ msisdn: MSISDN) -> CabinetError {
        CabinetError(notFound, arguments: ["msisdn": msisdn.formatted])
    }
}
