public import CabinetCore
public import Foundation

/// Money sent from one line to another of the operator. It moves in two ledger steps — off the sender into the
/// `transfers` system account, then onto the recipient — each exactly once by its external id; the transfer row
/// records which steps the ledger has, and reconciliation finishes a transfer a crash interrupted.
public struct Transfer: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Recorded; the sender is not yet charged (or the charge is not yet recorded).
        case pending
        /// Charged to the sender, on its way.
        case sent
        /// On the recipient's balance.
        case done
        /// Refused for lack of funds; nothing moved.
        case refused
    }

    public var id: Int64
    public var sender: SubscriberID
    public var senderMSISDN: MSISDN
    public var recipient: SubscriberID
    public var recipientMSISDN: MSISDN
    public var amount: Money
    public var fee: Money
    public var status: Status
    /// The sender's business day (region time zone) the daily limit counts it in.
    public var day: LocalDate
    public var requestID: Int64?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, sender: SubscriberID, senderMSISDN: MSISDN, recipient: SubscriberID, recipientMSISDN: MSISDN,
        amount: Money,
        fee: Money, status: Status, day: LocalDate, requestID: Int64?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.sender = sender
        self.senderMSISDN = senderMSISDN
        self.recipient = recipient
        self.recipientMSISDN = recipientMSISDN
        self.amount = amount
        self.fee = fee
        self.status = status
        self.day = day
        self.requestID = requestID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var debitLedgerID: String { "transfer-out:\(id)" }
    public var creditLedgerID: String { "transfer-in:\(id)" }
}

/// A transfer to record: the store checks the daily limit and inserts it atomically.
public struct NewTransfer: Sendable, Hashable {
    public var sender: SubscriberID
    public var senderMSISDN: MSISDN
    public var recipient: SubscriberID
    public var recipientMSISDN: MSISDN
    public var amount: Money
    public var fee: Money
    public var day: LocalDate
    /// Sum of the sender's transfers of `day` (not refused) may not exceed this.
    public var maxPerDay: Money

    public init(
        sender: SubscriberID, senderMSISDN: MSISDN, recipient: SubscriberID, recipientMSISDN: MSISDN, amount: Money,
        fee: Money,
        day: LocalDate, maxPerDay: Money
    ) {
        self.sender = sender
        self.senderMSISDN = senderMSISDN
        self.recipient = recipient
        self.recipientMSISDN = recipientMSISDN
        self.amount = amount
        self.fee = fee
        self.day = day
        self.maxPerDay = maxPerDay
    }
}
