public import CabinetCore
public import Foundation
import Synchronization
public import Tariffs

/// Lines' tariff spans in memory, for tests of code that only reads them.
public final class InMemoryLineTariffStore: LineTariffStore {
    private let spans = Mutex<[LineTariff]>([])

    public init() {}

    public func tariff(of line: SubscriberID, at instant: Date) async throws -> LineTariff? {
        spans.withLock { $0.filter { $0.subscriberID == line && $0.covers(instant) }.max { $0.since < $1.since } }
    }

    public func history(of line: SubscriberID) async throws -> [LineTariff] {
        spans.withLock { $0.filter { $0.subscriberID == line }.sorted { $0.since > $1.since } }
    }

    public func lineCounts(region: RegionID, from instant: Date) async throws -> [TariffID: Int] {
        spans.withLock { spans in
            var lines: [TariffID: Set<SubscriberID>] = [:]
            for span in spans where span.region == region && (span.until.map { $0 > instant } ?? true) {
                lines[span.tariffID, default: []].insert(span.subscriberID)
            }
            return lines.mapValues(\.count)
        }
    }

    public func assignInitial(_ tariff: TariffID, to line: SubscriberID, region: RegionID, at instant: Date)
        async throws
    {
        try spans.withLock { spans in
            guard !spans.contains(where: { $0.subscriberID == line }) else {
                throw CabinetError(TariffsError.alreadyAssigned, arguments: ["tariff": tariff.rawValue])
            }
            spans.append(
                LineTariff(
                    subscriberID: line, region: region, tariffID: tariff, since: instant, until: nil, requestID: nil))
        }
    }
}
