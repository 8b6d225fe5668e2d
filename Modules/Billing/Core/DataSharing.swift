public import CabinetCore
public import Foundation

/// «Делитесь гигабайтами»: gigabytes of one line's own internet package given to another line of the operator.
public struct DataShare: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var from: MSISDN
    public var to: MSISDN
    public var megabytes: Int64
    public var fee: Money
    /// The gift's bucket is valid until then (a local midnight).
    public var expiresAt: Date
    public var at: Date
    /// The giver's request record.
    public var requestID: Int64

    public init(
        id: Int64, from: MSISDN, to: MSISDN, megabytes: Int64, fee: Money, expiresAt: Date, at: Date, requestID: Int64
    ) {
        self.id = id
        self.from = from
        self.to = to
        self.megabytes = megabytes
        self.fee = fee
        self.expiresAt = expiresAt
        self.at = at
        self.requestID = requestID
    }
}

/// A share to make, with the limits it must keep.
public struct ShareOrder: Sendable, Hashable {
    public var from: SubscriberID
    public var fromNumber: MSISDN
    public var to: SubscriberID
    public var toNumber: MSISDN
    public var megabytes: Int64
    public var fee: Money
    public var expiresAt: Date
    public var maxPerDay: Int
    public var maxPerMonth: Int
    /// The giver's local day and calendar month, for the limits.
    public var dayStart: Date
    public var monthStart: Date
    /// The SMS the recipient gets.
    public var notice: String
    public var at: Date

    public init(
        from: SubscriberID, fromNumber: MSISDN, to: SubscriberID, toNumber: MSISDN, megabytes: Int64, fee: Money,
        expiresAt: Date, maxPerDay: Int, maxPerMonth: Int, dayStart: Date, monthStart: Date, notice: String, at: Date
    ) {
        self.from = from
        self.fromNumber = fromNumber
        self.to = to
        self.toNumber = toNumber
        self.megabytes = megabytes
        self.fee = fee
        self.expiresAt = expiresAt
        self.maxPerDay = maxPerDay
        self.maxPerMonth = maxPerMonth
        self.dayStart = dayStart
        self.monthStart = monthStart
        self.notice = notice
        self.at = at
    }

    public static let requestKind = "billing.share"
    public static let receivedKind = "billing.shareReceived"
}

/// Billing's storage of shares: in one transaction with both accounts locked, the units leave the giver's buckets
/// and arrive as a bucket of the recipient, the fee is posted, the limits are counted.
public protocol DataSharingStore: Sendable {
    /// Makes the share, or refuses it: ``BillingError/shareTooLittle`` (with what the package holds),
    /// ``BillingError/shareDayLimit``, ``BillingError/shareMonthLimit``, ``BillingError/insufficientFunds`` for the fee.
    func share(_ order: ShareOrder) async throws -> DataShare
    /// Shares the line gave or received, newest first.
    func shares(of line: SubscriberID, limit: Int) async throws -> [DataShare]
    /// Shares the line gave since `since`.
    func sharesGiven(by line: SubscriberID, since: Date) async throws -> Int
    /// Kilobytes of the line's own internet package (not gifts) usable now.
    func ownData(of line: SubscriberID, at: Date) async throws -> Int64
}
