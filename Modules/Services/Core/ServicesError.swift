public import CabinetCore

/// Stable codes of Services' errors (message keys in `Resources/messages.json`).
public enum ServicesError: ErrorCatalogue {
    /// The region's catalogue has no such option.
    public static let optionUnknown = ErrorCode("services.option.unknown", .notFound)
    public static let alreadyConnected = ErrorCode("services.option.alreadyConnected", .conflict)
    public static let notConnected = ErrorCode("services.option.notConnected", .notFound)
    /// Included in the line's tariff: free while on it, and it cannot be disconnected.
    public static let includedInTariff = ErrorCode("services.option.includedInTariff", .rejected)
    /// Connected options conflict with the one asked for and the request did not say to replace them.
    public static let conflict = ErrorCode("services.option.conflict", .conflict)
    /// The request asked to replace options that are not in conflict, or not connected.
    public static let replaceInvalid = ErrorCode("services.option.replaceInvalid", .invalidInput)
    /// The balance does not cover the connection fee; `shortfall` says by how much.
    public static let insufficientFunds = ErrorCode("services.option.insufficientFunds", .rejected)

    public static let blackListOn = ErrorCode("services.blackList.alreadyOn", .conflict)
    public static let blackListOff = ErrorCode("services.blackList.off", .rejected)
    public static let blackListFull = ErrorCode("services.blackList.full", .rejected)
    public static let blackListHas = ErrorCode("services.blackList.has", .conflict)
    public static let blackListNotThere = ErrorCode("services.blackList.notThere", .notFound)
    /// A short service number (900, 0611): the network does not route such calls through the black list.
    public static let numberShort = ErrorCode("services.number.short", .invalidInput)
    public static let numberInvalid = ErrorCode("services.number.invalid", .invalidInput)
    /// A line's own number on its black list.
    public static let numberOwn = ErrorCode("services.number.own", .invalidInput)

    /// The line has had the region's number of settings messages today; `retryAfter` is the next local midnight.
    public static let settingsTooMany = ErrorCode("services.settings.tooMany", .tooManyRequests)

    /// The SIM is blocked already (unblocking is at an office).
    public static let alreadyBlocked = ErrorCode("services.sim.alreadyBlocked", .conflict)
    /// The operator asked to unblock a line that is not blocked.
    public static let notBlocked = ErrorCode("services.sim.notBlocked", .conflict)
    /// An unblock says why (1–500 characters).
    public static let unblockReason = ErrorCode("services.sim.reason", .invalidInput)

    /// A suspension is planned or running already.
    public static let suspensionOpen = ErrorCode("services.suspension.open", .conflict)
    /// The year has the region's number of suspensions.
    public static let suspensionTooOften = ErrorCode("services.suspension.tooOften", .rejected)
    /// The dates: in the past, too far ahead, shorter or longer than the region allows.
    public static let suspensionDates = ErrorCode("services.suspension.dates", .invalidInput)
    public static let suspensionTooShort = ErrorCode("services.suspension.tooShort", .invalidInput)
    public static let suspensionTooLong = ErrorCode("services.suspension.tooLong", .invalidInput)
    public static let suspensionTooFar = ErrorCode("services.suspension.tooFar", .invalidInput)
    /// Nothing to resume or cancel.
    public static let suspensionNone = ErrorCode("services.suspension.none", .notFound)

    public static let all: [ErrorCode] = [
        optionUnknown, alreadyConnected, notConnected, includedInTariff, conflict, replaceInvalid, insufficientFunds,
        blackListOn, blackListOff, blackListFull, blackListHas, blackListNotThere, numberShort, numberInvalid,
        numberOwn, settingsTooMany, alreadyBlocked, notBlocked, unblockReason, suspensionOpen, suspensionTooOften,
        suspensionDates, suspensionTooShort, suspensionTooLong, suspensionTooFar, suspensionNone,
    ]
}
