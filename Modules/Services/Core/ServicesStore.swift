public import Billing
public import CabinetCore
public import Foundation

/// An option connected to a line.
public struct ConnectedOption: Sendable, Hashable {
    public var line: SubscriberID
    public var option: OptionID
    public var connectedAt: Date
    /// The request that connected it (`nil` for options connected by the operator's import).
    public var requestID: Int64?

    public init(line: SubscriberID, option: OptionID, connectedAt: Date, requestID: Int64?) {
        self.line = line
        self.option = option
        self.connectedAt = connectedAt
        self.requestID = requestID
    }
}

/// Connecting an option, possibly replacing others, as one change: one request record, one transaction.
public struct ConnectOrder: Sendable, Hashable {
    public var line: SubscriberID
    public var option: ServiceOption
    /// Connected options that go in the same transaction (the conflicts the subscriber agreed to replace).
    public var replacing: [OptionID]
    /// Charged at once; zero posts nothing.
    public var connectionFee: Money
    /// The option's recurring fee, from the end of the current period on (Billing's fee run charges it).
    public var recurring: RecurringCharge?
    /// The recurring fee's share of the current period, charged with the change (zero when there is none).
    public var firstPeriodFee: Money
    /// Who asked: the subscriber (`services.connect`) or the operator (`services.operatorConnect`).
    public var requestKind: String
    /// The request record's detail (the option's id, and what it replaced).
    public var detail: String
    public var at: Date

    public init(
        line: SubscriberID, option: ServiceOption, replacing: [OptionID], connectionFee: Money,
        recurring: RecurringCharge? = nil, firstPeriodFee: Money? = nil, requestKind: String, detail: String, at: Date
    ) {
        self.recurring = recurring
        self.firstPeriodFee = firstPeriodFee ?? .zero(connectionFee.currency)
        self.line = line
        self.option = option
        self.replacing = replacing
        self.connectionFee = connectionFee
        self.requestKind = requestKind
        self.detail = detail
        self.at = at
    }

    /// The ledger's permanent id of the connection fee: one charge per request, however often it is retried.
    public static func feeLedgerID(request: Int64) -> String { "option-connect:\(request)" }

    /// The key of an option's recurring charge on a line.
    public static func recurringKey(line: SubscriberID, option: OptionID) -> String {
        "option:\(line.rawValue):\(option.rawValue)"
    }

    /// What the change charges at once: the connection fee and the first period's share of the recurring fee.
    public var chargedNow: Money {
        Money(minorUnits: connectionFee.minorUnits + firstPeriodFee.minorUnits, currency: connectionFee.currency)
    }
}

/// Services' storage of options connected to lines. Each change is one transaction with its request record and
/// its ledger posting (through Billing's `LedgerTransactions`).
public protocol ServicesStore: Sendable {
    func connectedOptions(of line: SubscriberID) async throws -> [ConnectedOption]
    /// Connects `order.option` (refused with ``ServicesError/alreadyConnected`` when it is), disconnects
    /// `order.replacing`, posts the connection fee and opens a `done` request, all in one transaction; refused with
    /// ``ServicesError/insufficientFunds`` (and nothing changed) when the balance does not cover the fee.
    func connect(_ order: ConnectOrder) async throws -> ServiceRequest
    /// Disconnects an option (``ServicesError/notConnected`` when it is not) with its `done` request.
    func disconnect(_ option: OptionID, of line: SubscriberID, requestKind: String, at: Date) async throws
        -> ServiceRequest
}
