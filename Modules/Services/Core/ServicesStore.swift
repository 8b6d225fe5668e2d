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

/// Switching the black list on: its connection fee and the first day's share at once, its daily fee from then on.
public struct BlackListOrder: Sendable, Hashable {
    public var line: SubscriberID
    public var connectionFee: Money
    public var recurring: RecurringCharge?
    public var firstPeriodFee: Money
    public var at: Date

    public init(line: SubscriberID, connectionFee: Money, recurring: RecurringCharge?, firstPeriodFee: Money, at: Date)
    {
        self.line = line
        self.connectionFee = connectionFee
        self.recurring = recurring
        self.firstPeriodFee = firstPeriodFee
        self.at = at
    }

    public static func recurringKey(line: SubscriberID) -> String { "blacklist:\(line.rawValue)" }
    public var chargedNow: Money {
        Money(minorUnits: connectionFee.minorUnits + firstPeriodFee.minorUnits, currency: connectionFee.currency)
    }
}

/// A call the black list stopped, for the callee's log (once per network event id).
public struct BlockedCall: Sendable, Hashable {
    public var eventID: String
    public var line: SubscriberID
    public var caller: String
    public var kind: CallAttempt.Kind
    public var at: Date

    public init(eventID: String, line: SubscriberID, caller: String, kind: CallAttempt.Kind, at: Date) {
        self.eventID = eventID
        self.line = line
        self.caller = caller
        self.kind = kind
        self.at = at
    }
}

/// A settings SMS to send: its text, and the day's limit it must stay within.
public struct DeviceSettingsOrder: Sendable, Hashable {
    public var line: SubscriberID
    public var msisdn: MSISDN
    public var text: String
    public var maxPerDay: Int
    /// The start of the line's local day; `nextDay` its end (the limit's `Retry-After`).
    public var dayStart: Date
    public var nextDay: Date
    public var at: Date

    public init(
        line: SubscriberID, msisdn: MSISDN, text: String, maxPerDay: Int, dayStart: Date, nextDay: Date, at: Date
    ) {
        self.line = line
        self.msisdn = msisdn
        self.text = text
        self.maxPerDay = maxPerDay
        self.dayStart = dayStart
        self.nextDay = nextDay
        self.at = at
    }

    public static let requestKind = "services.settingsSms"
}

/// A lost SIM's block, recorded after Subscribers set the line's status: the request, the block's own daily fee from
/// the end of its free days, and the owner told on their contact number and e-mail.
public struct SIMBlockOrder: Sendable, Hashable {
    public var line: SubscriberID
    /// How the block was asked for (`session`, `linked`, `delegate`, `puk`), kept as the request's detail.
    public var channel: String
    /// The daily fee after the free days; `nil` when the region charges none.
    public var recurring: RecurringCharge?
    /// When the free days end (the fee's first day is the local day after).
    public var freeUntil: Date
    public var notices: [Notice]
    public var at: Date

    /// A message to the owner: an SMS to a number, or an e-mail.
    public enum Notice: Sendable, Hashable {
        case sms(to: MSISDN, text: String)
        case mail(to: String, subject: String, text: String)
    }

    public init(
        line: SubscriberID, channel: String, recurring: RecurringCharge?, freeUntil: Date, notices: [Notice], at: Date
    ) {
        self.line = line
        self.channel = channel
        self.recurring = recurring
        self.freeUntil = freeUntil
        self.notices = notices
        self.at = at
    }

    public static let requestKind = "services.simBlock"
    public static let unblockKind = "services.simUnblock"
    public static func recurringKey(line: SubscriberID) -> String { "simblock:\(line.rawValue)" }
}

/// Services' storage of options connected to lines. Each change is one transaction with its request record and
/// its ledger posting (through Billing's `LedgerTransactions`).
public protocol ServicesStore: Sendable {
    func connectedOptions(of line: SubscriberID) async throws -> [ConnectedOption]
    /// The options connected to the line, read inside another module's write `transaction` (a tariff change): a
    /// second connection taken while the transaction holds one could wait forever once every connection of the pool
    /// is such a transaction.
    func connectedOptionIDs(of line: SubscriberID, in transaction: any WriteTransaction) async throws -> Set<OptionID>
    /// Connects `order.option` (refused with ``ServicesError/alreadyConnected`` when it is), disconnects
    /// `order.replacing`, posts the connection fee and opens a `done` request, all in one transaction; refused with
    /// ``ServicesError/insufficientFunds`` (and nothing changed) when the balance does not cover the fee.
    func connect(_ order: ConnectOrder) async throws -> ServiceRequest
    /// Disconnects an option (``ServicesError/notConnected`` when it is not) with its `done` request, and credits
    /// `refund` (the unused part of a monthly fee, where the region refunds it) in the same transaction.
    func disconnect(_ option: OptionID, of line: SubscriberID, refund: Money?, requestKind: String, at: Date)
        async throws -> ServiceRequest
    /// Switches options off inside another module's transaction (a tariff change): rows and recurring fees go, no
    /// request of their own (the tariff change's request stands for them).
    func release(_ options: [OptionID], of line: SubscriberID, in transaction: any WriteTransaction) async throws
    /// The options connected to each of `lines` (the network check reads a batch at once).
    func connectedOptions(of lines: [SubscriberID]) async throws -> [SubscriberID: Set<OptionID>]

    // MARK: Black list

    func blackList(of line: SubscriberID) async throws -> BlackListState?
    /// Switches the service on: fees as one purchase (``ServicesError/insufficientFunds`` otherwise), the daily fee
    /// scheduled, entries kept from before restored (or dropped, when their keeping time is over); a `done` request.
    func connectBlackList(_ order: BlackListOrder) async throws -> ServiceRequest
    /// Switches it off: the daily fee stops, the entries are kept until `keepUntil`.
    func disconnectBlackList(of line: SubscriberID, keepUntil: Date, at: Date) async throws -> ServiceRequest
    func entries(of line: SubscriberID) async throws -> [BlackListEntry]
    /// Adds a number while the service is on, at most `maxEntries` however many add at once (the count is taken
    /// under the line's lock), posting `fee` as a purchase.
    func addEntry(_ entry: BlackListEntry, maxEntries: Int, fee: Money, at: Date) async throws -> ServiceRequest
    func removeEntry(_ number: PhoneNumber, of line: SubscriberID, at: Date) async throws -> ServiceRequest
    /// Calls the black list stopped for the line since `since`, newest first.
    func blockedCalls(of line: SubscriberID, since: Date, limit: Int) async throws -> [BlockedCall]

    // MARK: Settings by SMS

    /// How many settings messages the line asked for since `since` (the start of its local day).
    func deviceSettingsSent(to line: SubscriberID, since: Date) async throws -> Int
    /// Records the request and queues its SMS in one transaction, refused with ``ServicesError/settingsTooMany`` when
    /// the line had `order.maxPerDay` since `order.dayStart` (counted under the line's lock).
    func sendDeviceSettings(_ order: DeviceSettingsOrder) async throws -> ServiceRequest

    // MARK: A lost SIM

    /// Records a block (the line is blocked already): the request, the block's fee scheduled, the notices queued.
    func recordBlock(_ order: SIMBlockOrder) async throws -> ServiceRequest
    /// Records an unblock by the operator with its reason (the line is active again): the block's fee stops.
    func recordUnblock(of line: SubscriberID, reason: String, notices: [SIMBlockOrder.Notice], at: Date) async throws
        -> ServiceRequest
    /// When the line's latest block was recorded, if it has one.
    func lastBlock(of line: SubscriberID) async throws -> Date?

    // MARK: Holiday suspension

    /// The line's planned or running suspension.
    func openSuspension(of line: SubscriberID) async throws -> Suspension?
    /// Suspensions of the line (not cancelled) starting in `[from, to)`.
    func suspensionsStarting(of line: SubscriberID, from: Date, to: Date) async throws -> Int
    /// Records a planned suspension and its request in one transaction, refused with
    /// ``ServicesError/suspensionOpen`` when one is planned or running and ``ServicesError/suspensionTooOften`` when
    /// the year has `perYear` already (counted under the line's lock).
    func planSuspension(_ order: SuspensionOrder) async throws -> (Suspension, ServiceRequest)
    /// Planned suspensions whose start has come, and running ones whose end has.
    func dueSuspensions(now: Date, limit: Int) async throws -> [Suspension]
    /// Moves a planned suspension to running (only one caller wins), scheduling `charge` (the suspension's fee from the
    /// end of its free days) in the same transaction; `false` when somebody else did it first.
    func startSuspension(_ id: Int64, charge: RecurringCharge?, chargeFrom: Date, at: Date) async throws -> Bool
    /// Ends a running suspension or cancels a planned one (only one caller wins): its fee stops, a request records
    /// it (`detail`: `scheduled`, `early` or `blocked`; `cancelled` for one that had not begun); `nil` when it was not
    /// open any more. `wasRunning` says whether it had begun (only then may the line come back from `suspended`).
    func endSuspension(_ id: Int64, of line: SubscriberID, detail: String, at: Date) async throws
        -> (request: ServiceRequest, wasRunning: Bool)?

    // MARK: The network's check

    /// Of these (callee, caller) pairs, those the callee's active black list holds.
    func blackListed(_ pairs: [(callee: SubscriberID, caller: String)]) async throws -> Set<BlackListHit>
    /// Logs calls the black list stopped, once per event id; returns how many were new.
    @discardableResult
    func logBlocked(_ calls: [BlockedCall]) async throws -> Int
}

/// A caller found on a callee's black list.
public struct BlackListHit: Sendable, Hashable {
    public var callee: SubscriberID
    public var caller: String

    public init(callee: SubscriberID, caller: String) {
        self.callee = callee
        self.caller = caller
    }
}
