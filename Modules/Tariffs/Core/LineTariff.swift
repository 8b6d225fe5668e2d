public import CabinetCore
public import Foundation

/// A line's tariff over a span of time: the current one has no end; a change planned for the next period starts later.
public struct LineTariff: Sendable, Hashable {
    public var subscriberID: SubscriberID
    public var region: RegionID
    public var tariffID: TariffID
    public var since: Date
    public var until: Date?
    /// The request that made the change (none for the tariff given at provisioning).
    public var requestID: Int64?

    public init(subscriberID: SubscriberID, region: RegionID, tariffID: TariffID, since: Date, until: Date?, requestID: Int64?) {
        self.subscriberID = subscriberID
        self.region = region
        self.tariffID = tariffID
        self.since = since
        self.until = until
        self.requestID = requestID
    }

    public func covers(_ instant: Date) -> Bool { since <= instant && (until.map { instant < $0 } ?? true) }
}

/// Where lines' tariffs are kept (Tariffs owns the table; Billing reads through this protocol).
public protocol LineTariffStore: Sendable {
    /// The tariff in effect at `instant`.
    func tariff(of line: SubscriberID, at instant: Date) async throws -> LineTariff?
    /// All spans, newest first (including one planned for later).
    func history(of line: SubscriberID) async throws -> [LineTariff]
    /// Gives a line its first tariff (provisioning, demo); refuses when it has one.
    func assignInitial(_ tariff: TariffID, to line: SubscriberID, region: RegionID, at instant: Date) async throws
}

/// When a tariff change takes effect.
public enum TariffChangeTiming: String, Sendable, Hashable, CaseIterable, Codable {
    case now, nextPeriod
}
