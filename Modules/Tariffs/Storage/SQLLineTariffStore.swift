public import CabinetCore
public import CabinetStorage
public import Foundation
import SQLKit
public import Tariffs

/// Lines' tariff spans in `tariffs_line_tariff`. As a ``LineTariffWriter`` it joins a caller's transaction: Billing
/// changes a tariff and charges for it in one commit.
public struct SQLLineTariffStore: LineTariffStore, LineTariffWriter {
    let database: CabinetDatabase

    public init(database: CabinetDatabase) {
        self.database = database
    }

    static let columns: SQLQueryString = "subscriber_id, region, tariff_id, since_at, until_at, request_id"

    public func tariff(of line: SubscriberID, at instant: Date) async throws -> LineTariff? {
        try await database.read { db in try await Self.tariff(of: line, at: instant, on: db) }
    }

    public func tariffs(of lines: [SubscriberID], at instant: Date) async throws -> [SubscriberID: LineTariff] {
        guard !lines.isEmpty else { return [:] }
        let at = instant.storageMilliseconds
        let ids = SQLList(Set(lines).map { SQLBind($0.rawValue) })
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.columns) FROM tariffs_line_tariff
                WHERE subscriber_id IN (\(ids)) AND since_at <= \(bind: at) AND (until_at IS NULL OR until_at > \(bind: at))
                """
            ).all()
        }
        // Spans of one line do not overlap; should they, the latest start wins, as for one line.
        var result: [SubscriberID: LineTariff] = [:]
        for span in try rows.map(Self.decode) where (result[span.subscriberID]?.since ?? .distantPast) <= span.since {
            result[span.subscriberID] = span
        }
        return result
    }

    public func history(of line: SubscriberID) async throws -> [LineTariff] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.columns) FROM tariffs_line_tariff WHERE subscriber_id = \(bind: line.rawValue) ORDER BY since_at DESC
                """
            ).all()
        }.map(Self.decode)
    }

    public func lineCounts(region: RegionID, from instant: Date) async throws -> [TariffID: Int] {
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT tariff_id, COUNT(DISTINCT subscriber_id) AS n FROM tariffs_line_tariff
                WHERE region = \(bind: region.rawValue) AND (until_at IS NULL OR until_at > \(bind: instant.storageMilliseconds))
                GROUP BY tariff_id
                """
            ).all()
        }
        var counts: [TariffID: Int] = [:]
        for row in rows {
            guard let id = TariffID(rawValue: try row.decode(column: "tariff_id", as: String.self)) else { continue }
            counts[id] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    public func assignInitial(_ tariff: TariffID, to line: SubscriberID, region: RegionID, at instant: Date)
        async throws
    {
        try await database.write { db in
            try await Self.assignInitial(tariff, to: line, region: region, at: instant, on: db)
        }
    }

    public func tariff(of line: SubscriberID, at instant: Date, in transaction: any WriteTransaction) async throws
        -> LineTariff?
    {
        try await Self.tariff(of: line, at: instant, on: transaction.sql())
    }

    public func planned(of line: SubscriberID, after instant: Date, in transaction: any WriteTransaction) async throws
        -> LineTariff?
    {
        try await Self.planned(of: line, after: instant, on: transaction.sql())
    }

    public func assignInitial(
        _ tariff: TariffID, to line: SubscriberID, region: RegionID, at instant: Date,
        in transaction: any WriteTransaction
    ) async throws {
        try await Self.assignInitial(tariff, to: line, region: region, at: instant, on: transaction.sql())
    }

    public func switchTariff(
        of line: SubscriberID, region: RegionID, to tariff: TariffID, from instant: Date, requestID: Int64?,
        in transaction: any WriteTransaction
    ) async throws {
        try await Self.switchTariff(
            of: line, region: region, to: tariff, from: instant, requestID: requestID, on: transaction.sql())
    }

    /// The span covering `instant`.
    static func tariff(of line: SubscriberID, at instant: Date, on db: any SQLDatabase) async throws -> LineTariff? {
        let at = instant.storageMilliseconds
        return try await db.raw(
            """
            SELECT \(columns) FROM tariffs_line_tariff
            WHERE subscriber_id = \(bind: line.rawValue) AND since_at <= \(bind: at) AND (until_at IS NULL OR until_at > \(bind: at))
            ORDER BY since_at DESC LIMIT 1
            """
        ).first().map(decode)
    }

    /// A span that starts after `instant` (a change waiting for the next period).
    static func planned(of line: SubscriberID, after instant: Date, on db: any SQLDatabase) async throws -> LineTariff?
    {
        try await db.raw(
            """
            SELECT \(columns) FROM tariffs_line_tariff
            WHERE subscriber_id = \(bind: line.rawValue) AND since_at > \(bind: instant.storageMilliseconds)
            ORDER BY since_at LIMIT 1
            """
        ).first().map(decode)
    }

    /// Gives a line its first tariff; refuses when it has any span already.
    static func assignInitial(
        _ tariff: TariffID, to line: SubscriberID, region: RegionID, at instant: Date,
        on db: any SQLDatabase
    ) async throws {
        let existing =
            try await db.raw(
                """
                SELECT COUNT(*) AS n FROM tariffs_line_tariff WHERE subscriber_id = \(bind: line.rawValue)
                """
            ).first()?.decode(column: "n", as: Int.self) ?? 0
        guard existing == 0 else {
            throw CabinetError(TariffsError.alreadyAssigned, arguments: ["tariff": tariff.rawValue])
        }
        try await insert(
            LineTariff(
                subscriberID: line, region: region, tariffID: tariff, since: instant, until: nil, requestID: nil),
            on: db)
    }

    /// Moves the line to `tariff` from `instant` on: the span in effect then ends there and any later plan is dropped.
    static func switchTariff(
        of line: SubscriberID, region: RegionID, to tariff: TariffID, from instant: Date,
        requestID: Int64?, on db: any SQLDatabase
    ) async throws {
        let at = instant.storageMilliseconds
        try await db.raw(
            """
            DELETE FROM tariffs_line_tariff WHERE subscriber_id = \(bind: line.rawValue) AND since_at >= \(bind: at)
            """
        ).run()
        try await db.raw(
            """
            UPDATE tariffs_line_tariff SET until_at = \(bind: at)
            WHERE subscriber_id = \(bind: line.rawValue) AND since_at < \(bind: at) AND (until_at IS NULL OR until_at > \(bind: at))
            """
        ).run()
        try await insert(
            LineTariff(
                subscriberID: line, region: region, tariffID: tariff, since: instant, until: nil,
                requestID: requestID), on: db)
    }

    static func insert(_ span: LineTariff, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO tariffs_line_tariff (subscriber_id, region, tariff_id, since_at, until_at, request_id)
            VALUES (\(bind: span.subscriberID.rawValue), \(bind: span.region.rawValue), \(bind: span.tariffID.rawValue),
                    \(bind: span.since.storageMilliseconds), \(bind: span.until?.storageMilliseconds), \(bind: span.requestID))
            """
        ).run()
    }

    static func decode(_ row: any SQLRow) throws -> LineTariff {
        let tariff = try row.decode(column: "tariff_id", as: String.self)
        let region = try row.decode(column: "region", as: String.self)
        guard let tariffID = TariffID(rawValue: tariff), let regionID = RegionID(rawValue: region) else {
            throw CabinetError.internal("stored tariff span has an invalid id (\(tariff), \(region))")
        }
        return LineTariff(
            subscriberID: SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self)), region: regionID,
            tariffID: tariffID, since: Date(storageMilliseconds: try row.decode(column: "since_at", as: Int64.self)),
            until: try row.decode(column: "until_at", as: Int64?.self).map(Date.init(storageMilliseconds:)),
            requestID: try row.decode(column: "request_id", as: Int64?.self))
    }
}
