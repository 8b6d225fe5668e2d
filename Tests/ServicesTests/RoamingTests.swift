import BillingTesting
import CabinetCore
import CabinetTesting
import Foundation
import Services
import ServicesTesting
import Testing

/// Roaming prices: a country found by code or by the start of its Russian or English name (or of a later word), the
/// zone's prices in the region's currency, the roaming ban named when the line has it; the catalogue validated.
@Suite struct RoamingTests {
    @Test(arguments: TestDatabase.available)
    func countriesAreFoundInBothLanguagesWithTheirZonesPrices(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            let access = bed.access(line)
            func codes(_ query: String, _ language: Language = .ru) async throws -> [String] {
                try await bed.service.roaming(for: access, country: query, language: language).matches.map(
                    \.country.code)
            }
            #expect(try await codes("каз") == ["KZ"])
            #expect(try await codes("Kaz", .en) == ["KZ"])
            #expect(try await codes("kz") == ["KZ"])
            #expect(try await codes("т") == ["TH", "TR"], "Таиланд, Турция in Russian order")
            #expect(try await codes("t", .en) == ["TH", "TR"])
            #expect(try await codes("объединенные") == ["AE"], "ё and е alike")
            #expect(try await codes("эмираты") == ["AE"], "a later word of the name")
            #expect(try await codes("атлантида").isEmpty)
            #expect(try await codes("").count == 4)

            let view = try await bed.service.roaming(for: access, country: "турц", language: .ru)
            let turkey = try #require(view.matches.first)
            #expect(turkey.zone.id == "world")
            #expect(turkey.zone.prices.outgoingMinute.amountString == "149.00")
            #expect(view.barredBy == nil)

            // The roaming ban is named while it is on.
            _ = try await bed.service.connect(try bed.option("roaming-ban"), for: access, replacing: [])
            let barred = try await bed.service.roaming(for: access, country: "KZ", language: .en)
            #expect(barred.barredBy?.option.id.rawValue == "roaming-ban")

            // Almaty's prices are in tenge.
            let almaty = try await bed.line("+77011234567", region: "almaty")
            let kz = try await bed.service.roaming(for: bed.access(almaty), country: "TR", language: .ru)
            #expect(kz.matches.first?.zone.prices.megabyte.currency == .kzt)
        }
    }

    @Test func theCatalogueIsValidated() throws {
        let yaml = """
            roaming:
              zones:
                - {id: cis, name: {ru: "СНГ", en: "CIS"},
                   prices: {incomingMinute: "9.00", outgoingMinute: "29.00", sms: "9.00", megabyte: "-15.00"}}
              countries:
                - {code: KZ, name: {ru: "Казахстан", en: "Kazakhstan"}, zone: cis}
                - {code: tr, name: {ru: "Турция", en: "Turkey"}, zone: cis}
            """
        let (_, problems) = SettingsProbe.read(RoamingCatalogueProbe.self, yaml: yaml)
        #expect(
            problems == [
                "section.roaming.zones[0].prices.megabyte: must not be negative, found -15.00",
                #"section.roaming.countries[1].code: must be an ISO 3166-1 code of two capital letters, found "tr""#,
            ])
    }
}

/// The roaming catalogue read as a section of its own.
struct RoamingCatalogueProbe: ModuleSettings {
    var catalogue: RoamingCatalogue
    init?(from section: ConfigObject) {
        guard let catalogue = section.require("roaming", RoamingCatalogue.self) else { return nil }
        self.catalogue = catalogue
    }
}
