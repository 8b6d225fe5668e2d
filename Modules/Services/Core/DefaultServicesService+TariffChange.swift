public import CabinetCore
public import Foundation
import Logging
public import Tariffs

extension DefaultServicesService {
    /// Freed: connected and included in the new tariff (its own fee stops). Dropped: included in the current tariff
    /// and not in the new one. Removed: connected and in conflict with an option the new tariff includes.
    public func optionChanges(line: SubscriberID, region: RegionID, from: TariffID, to: TariffID) async throws
        -> [TariffOptionChange]
    {
        try await optionChanges(line: line, region: region, from: from, to: to, in: nil)
    }

    /// As above; inside `transaction` when one is given (the change's own), so no second connection is taken.
    func optionChanges(
        line: SubscriberID, region: RegionID, from: TariffID, to: TariffID, in transaction: (any WriteTransaction)?
    ) async throws -> [TariffOptionChange] {
        guard let services = regions.region(region)?.settings(for: ServicesModule.self),
            let tariffs = regions.region(region)?.settings(for: TariffsModule.self)
        else { return [] }
        let old = Set(tariffs.tariff(from)?.includedOptions ?? [])
        let new = Set(tariffs.tariff(to)?.includedOptions ?? [])
        let connected: Set<OptionID> =
            if let transaction {
                try await store.connectedOptionIDs(of: line, in: transaction)
            } else {
                Set(try await store.connectedOptions(of: line).map(\.option))
            }
        var changes: [TariffOptionChange] = []
        for option in services.options {
            let id = option.id
            if connected.contains(id), new.contains(id) {
                changes.append(TariffOptionChange(option: id, name: option.name, kind: .freed))
            } else if old.contains(id), !new.contains(id) {
                changes.append(TariffOptionChange(option: id, name: option.name, kind: .dropped))
            } else if connected.contains(id), !new.contains(id) {
                let included = new.compactMap { services.option($0) }
                let conflicting = included.contains {
                    $0.incompatibleWith.contains(id) || option.incompatibleWith.contains($0.id)
                }
                if conflicting { changes.append(TariffOptionChange(option: id, name: option.name, kind: .removed)) }
            }
        }
        return changes
    }

    /// Inside the transaction that makes `to` the line's tariff: freed and removed options are switched off with
    /// their fees (a freed one stays on as part of the tariff).
    public func apply(
        line: SubscriberID, region: RegionID, from: TariffID, to: TariffID, at instant: Date,
        in transaction: any WriteTransaction
    ) async throws {
        let changes = try await optionChanges(line: line, region: region, from: from, to: to, in: transaction)
        let released = changes.filter { $0.kind != .dropped }.map(\.option)
        guard !released.isEmpty else { return }
        try await store.release(released, of: line, in: transaction)
        logger.info(
            "options follow the tariff",
            metadata: [
                "cabinet.subscriber": "\(line.rawValue)", "cabinet.tariff": "\(to.rawValue)",
                "cabinet.released": "\(released.map(\.rawValue).joined(separator: ","))",
            ])
    }
}
