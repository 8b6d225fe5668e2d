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

    public init(
        subscriberID: SubscriberID, region: RegionID, tariffID: TariffID, since: Date, until: Date?, requestID: Int64?
    ) {
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
    /// The tariffs in effect at `instant` of many lines (a company's page of lines) in one read; lines without one
    /// are absent.
    func tariffs(of lines: [SubscriberID], at instant: Date) async throws -> [SubscriberID: LineTariff]
    /// All spans, newest first (including one planned for later).
    func history(of line: SubscriberID) async throws -> [LineTariff]
    /// Gives a line its first tariff (provisioning, demo); refuses when it has one.
    func assignInitial(_ tariff: TariffID, to line: SubscriberID, region: RegionID, at instant: Date) async throws
    /// How many lines of a region are on each tariff at `instant` or later (a planned change counts): what removing
    /// a tariff from the region's file would strand.
    func lineCounts(region: RegionID, from instant: Date) async throws -> [TariffID: Int]
}

extension LineTariffStore {
    /// Line by line (stores kept in memory); the SQL store answers in one query.
    public func tariffs(of lines: [SubscriberID], at instant: Date) async throws -> [SubscriberID: LineTariff] {
        var result: [SubscriberID: LineTariff] = [:]
        for line in Set(lines) {
            if let tariff = try await tariff(of: line, at: instant) { result[line] = tariff }
        }
        return result
    }
}

/// Lines' tariff spans written inside another module's transaction: Billing opens an account on a tariff and changes
/// a tariff together with its fee, in one commit.
public protocol LineTariffWriter: Sendable {
    /// The span covering `instant`.
    func tariff(of line: SubscriberID, at instant: Date, in transaction: any WriteTransaction) async throws
        -> LineTariff?
    /// A span that starts after `instant` (a change waiting for the next period).
    func planned(of line: SubscriberID, after instant: Date, in transaction: any WriteTransaction) async throws
        -> LineTariff?
    /// Gives a line its first tariff; refuses when it has any span already.
    func assignInitial(
        _ tariff: TariffID, to line: SubscriberID, region: RegionID, at instant: Date,
        in transaction: any WriteTransaction) async throws
    /// Moves the line to `tariff` from `instant` on: the span in effect then ends there and any later plan is dropped.
    func switchTariff(
        of line: SubscriberID, region: RegionID, to tariff: TariffID, from instant: Date, requestID: Int64?,
        in transaction: any WriteTransaction) async throws
}

/// When a tariff change takes effect.
public enum TariffChangeTiming: String, Sendable, Hashable, CaseIterable, Codable {
    case immediately, nextPeriod
}
