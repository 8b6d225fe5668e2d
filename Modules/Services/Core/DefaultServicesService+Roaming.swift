public import CabinetCore
import Foundation

extension DefaultServicesService {
    public func roaming(for line: LineAccess, country: String, language: Language) async throws -> RoamingView {
        let settings = try self.settings(line.region)
        let roaming = settings.roaming
        let matches = roaming.countries(matching: String(country.prefix(100)), language: language).compactMap {
            found in roaming.zone(found.zone).map { RoamingView.Match(country: found, zone: $0) }
        }
        // The option that bars roaming, connected or included in the tariff, as the catalogue page shows it.
        let barredBy = try await self.catalogue(for: line).first { $0.option.bars == .roaming && $0.isConnected }
        return RoamingView(matches: matches, barredBy: barredBy)
    }
}
