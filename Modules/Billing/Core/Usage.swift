public import CabinetCore
public import Foundation
public import Tariffs

/// One usage record from the network: a call, an SMS or a data session. `eventID` is unique forever: the same
/// event sent twice is charged once.
public struct UsageEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable { case call, sms, data }
    public enum CallKind: String, Sendable, Hashable, CaseIterable, Codable { case onNet, offNet, intercity }

    public var eventID: String
    public var msisdn: MSISDN
    public var kind: Kind
    public var occurredAt: Date
    /// Seconds of a call, bytes of a data session, 1 for an SMS.
    public var quantity: Int64
    public var callKind: CallKind?
    public var otherParty: String?

    public init(
        eventID: String, msisdn: MSISDN, kind: Kind, occurredAt: Date, quantity: Int64, callKind: CallKind? = nil,
        otherParty: String? = nil
    ) {
        self.eventID = eventID
        self.msisdn = msisdn
        self.kind = kind
        self.occurredAt = occurredAt
        self.quantity = quantity
        self.callKind = callKind
        self.otherParty = otherParty
    }

    /// Checks the event's own fields (ids, quantities, kinds), independent of any line.
    public func validate() -> CabinetError? {
        if eventID.isEmpty || eventID.count > 128 || eventID.contains(where: { $0.isWhitespace || $0.isNewline }) {
            return CabinetError(
                BillingError.eventInvalid, arguments: ["reason": "eventId must be 1–128 characters without spaces"])
        }
        switch kind {
        case .call:
            if quantity < 0 || quantity > 86_400 { return BillingError.invalidEvent("call seconds must be 0–86400") }
            if callKind == nil { return BillingError.invalidEvent("a call needs callKind onNet, offNet or intercity") }
        case .sms:
            if quantity != 1 { return BillingError.invalidEvent("an SMS counts 1") }
        case .data:
            if quantity < 0 || quantity > 1 << 40 { return BillingError.invalidEvent("data bytes must be 0–1 TiB") }
        }
        if let other = otherParty, other.count > 32 {
            return BillingError.invalidEvent("otherParty is at most 32 characters")
        }
        return nil
    }
}

/// A package (or rolled-over) allowance of one period.
public struct Bucket: Sendable, Hashable {
    public enum Source: String, Sendable, Hashable, Codable { case package, rollover }
    public var id: Int64
    public var unit: PackageUnit
    public var total: Int64
    public var left: Int64
    public var validFrom: Date
    public var expiresAt: Date
    public var source: Source
    /// For a rollover bucket: the period whose unused units it holds. An event of that period arriving late still
    /// draws from it, so nothing is counted twice and nothing is lost.
    public var carriedFrom: BillingPeriod?

    public init(
        id: Int64, unit: PackageUnit, total: Int64, left: Int64, validFrom: Date, expiresAt: Date, source: Source,
        carriedFrom: BillingPeriod? = nil
    ) {
        self.id = id
        self.unit = unit
        self.total = total
        self.left = left
        self.validFrom = validFrom
        self.expiresAt = expiresAt
        self.source = source
        self.carriedFrom = carriedFrom
    }

    public func covers(_ instant: Date) -> Bool { validFrom <= instant && instant < expiresAt }

    /// Whether an event at `instant` may take units from this bucket.
    public func serves(_ instant: Date) -> Bool { covers(instant) || carriedFrom?.contains(instant) == true }

    public var used: Int64 { total - left }
}

/// A charged event, as statements show it.
public struct RatedEvent: Sendable, Hashable {
    public var eventID: String
    public var subscriberID: SubscriberID
    public var kind: UsageEvent.Kind
    public var callKind: UsageEvent.CallKind?
    public var occurredAt: Date
    /// Billable units: seconds rounded up to whole minutes, 1 SMS, kilobytes.
    public var units: Int64
    /// Units taken from packages.
    public var fromPackage: Int64
    /// Money charged (zero or positive, in the line's currency).
    public var charged: Money
    public var otherParty: String?

    public init(
        eventID: String, subscriberID: SubscriberID, kind: UsageEvent.Kind, callKind: UsageEvent.CallKind?,
        occurredAt: Date,
        units: Int64, fromPackage: Int64, charged: Money, otherParty: String?
    ) {
        self.eventID = eventID
        self.subscriberID = subscriberID
        self.kind = kind
        self.callKind = callKind
        self.occurredAt = occurredAt
        self.units = units
        self.fromPackage = fromPackage
        self.charged = charged
        self.otherParty = otherParty
    }
}

/// Prices one event against a tariff and the line's buckets; pure, so the store can run it inside its transaction.
public enum Rater {
    /// The billable units of an event: calls by started minute, data by started kilobyte.
    public static func units(of event: UsageEvent) -> Int64 {
        switch event.kind {
        case .call: return (event.quantity + 59) / 60 * 60
        case .sms: return 1
        case .data: return (event.quantity + 1023) / 1024
        }
    }

    public static func unit(of kind: UsageEvent.Kind) -> PackageUnit {
        switch kind {
        case .call: .seconds
        case .sms: .sms
        case .data: .kilobytes
        }
    }

    /// Rates `event`, taking units from `buckets` (soonest-expiring first) and charging the rest at the tariff's prices.
    /// Calls within the network are free and leave the package alone when the tariff prices them at zero.
    public static func rate(_ event: UsageEvent, line: SubscriberID, tariff: Tariff, buckets: inout [Bucket])
        -> RatedEvent
    {
        let units = units(of: event)
        let currency = tariff.prices.sms.currency
        if event.kind == .call, event.callKind == .onNet, tariff.prices.onNetMinute.isZero {
            return RatedEvent(
                eventID: event.eventID, subscriberID: line, kind: .call, callKind: .onNet, occurredAt: event.occurredAt,
                units: units, fromPackage: 0, charged: .zero(currency), otherParty: event.otherParty)
        }
        var needed = units
        let unit = unit(of: event.kind)
        // Soonest expiry first; of two ending together, the rolled-over units go first (they cannot roll again).
        let order = buckets.indices.sorted { a, b in
            (buckets[a].expiresAt, buckets[a].source == .rollover ? 0 : 1, buckets[a].id)
                < (buckets[b].expiresAt, buckets[b].source == .rollover ? 0 : 1, buckets[b].id)
        }
        for index in order
        where needed > 0 && buckets[index].unit == unit && buckets[index].left > 0
            && buckets[index].serves(event.occurredAt)
        {
            let take = min(needed, buckets[index].left)
            buckets[index].left -= take
            needed -= take
        }
        let minor: Int64
        switch event.kind {
        case .call:
            let price: Money =
                switch event.callKind ?? .offNet {
                case .onNet: tariff.prices.onNetMinute
                case .offNet: tariff.prices.offNetMinute
                case .intercity: tariff.prices.intercityMinute
                }
            minor = (needed / 60) * price.minorUnits
        case .sms:
            minor = needed * tariff.prices.sms.minorUnits
        case .data:
            minor = ((needed + 1023) / 1024) * tariff.prices.megabyte.minorUnits
        }
        return RatedEvent(
            eventID: event.eventID, subscriberID: line, kind: event.kind, callKind: event.callKind,
            occurredAt: event.occurredAt, units: units, fromPackage: units - needed,
            charged: Money(minorUnits: minor, currency: currency), otherParty: event.otherParty)
    }
}

/// A period of a line as rating sees it: its span, in milliseconds since 1970 as the store keeps it, and the tariff
/// that prices its events.
public struct TariffPeriod: Sendable, Hashable {
    public var tariffID: TariffID
    public var start: Int64
    public var end: Int64

    public init(tariffID: TariffID, start: Int64, end: Int64) {
        self.tariffID = tariffID
        self.start = start
        self.end = end
    }
}

extension Rater {
    /// The period whose tariff and buckets price an event at `instant` (milliseconds since 1970): the current period
    /// for anything from its start on, else the earlier period that contains it (a late event is priced as its own
    /// period was); `nil` before the line's first period, and the event is refused.
    public static func period(of instant: Int64, current: TariffPeriod, earlier: [TariffPeriod]) -> TariffPeriod? {
        instant >= current.start ? current : earlier.first { $0.start <= instant && instant < $0.end }
    }
}
