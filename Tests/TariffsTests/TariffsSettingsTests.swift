import CabinetCore
import CabinetTesting
import Tariffs
import Testing

@Suite struct TariffsSettingsTests {
    static func tariff(_ id: String, status: String = "open", fee: String = "\"550.00\"") -> String {
        """
          - id: \(id)
            name: {ru: Тариф, en: Tariff}
            description: {ru: Описание, en: Description}
            fee: {amount: \(fee), period: month}
            packages: {minutes: 500, sms: 50, megabytes: 30720}
            rollover: true
            prices: {onNetMinute: "0.00", offNetMinute: "2.00", intercityMinute: "2.00", sms: "2.50", megabyte: "0.35"}
            status: \(status)
            change: either
            options: [ya-na-svyazi]
        """
    }

    @Test func readsTheCatalogue() throws {
        let (settings, problems) = SettingsProbe.read(
            TariffsSettings.self,
            yaml: "changeFee: \"0.00\"\ndefaultTariff: moy-online\ncatalog:\n" + Self.tariff("moy-online"))
        #expect(problems.isEmpty)
        let tariff = try #require(settings?.tariff(TariffID(rawValue: "moy-online")!))
        #expect(tariff.fee.amount.amountString == "550.00")
        #expect(tariff.fee.period == .month)
        #expect(tariff.packages.megabytes == 30720)
        #expect(tariff.includedOptions == [OptionID(rawValue: "ya-na-svyazi")!])
    }

    @Test func idsAreUniqueAndOneTariffIsOpen() {
        let twice = SettingsProbe.read(
            TariffsSettings.self,
            yaml: "changeFee: \"0\"\ndefaultTariff: a\ncatalog:\n" + Self.tariff("a") + "\n" + Self.tariff("a"))
        #expect(twice.problems == ["section.catalog[1].id: tariff id \"a\" is used twice"])
        let archived = SettingsProbe.read(
            TariffsSettings.self,
            yaml: "changeFee: \"0\"\ndefaultTariff: a\ncatalog:\n" + Self.tariff("a", status: "archived"))
        #expect(archived.problems == ["section.catalog: at least one tariff must be open"])
    }

    @Test func theDefaultTariffMustBeAnOpenTariffOfTheCatalogue() {
        let missing = SettingsProbe.read(TariffsSettings.self, yaml: "changeFee: \"0\"\ncatalog:\n" + Self.tariff("a"))
        #expect(missing.problems == ["section.defaultTariff: missing key 'defaultTariff'"])
        let archived = SettingsProbe.read(
            TariffsSettings.self,
            yaml: "changeFee: \"0\"\ndefaultTariff: b\ncatalog:\n" + Self.tariff("a")
                + "\n" + Self.tariff("b", status: "archived"))
        #expect(archived.problems == ["section.defaultTariff: \"b\" is not an open tariff of this region's catalog"])
    }

    @Test func pricesAreNotNegativeAndIdsAreWords() {
        let result = SettingsProbe.read(
            TariffsSettings.self,
            yaml: "changeFee: \"-1\"\ndefaultTariff: moy-online\ncatalog:\n" + Self.tariff("Moy Online", fee: "\"-5\""))
        #expect(
            result.problems == [
                "section.changeFee: must not be negative, found -1.00",
                "section.catalog[0].id: \"Moy Online\" is not an id: use lowercase letters, digits and dashes, starting with a letter",
                "section.catalog[0].fee.amount: must not be negative, found -5.00",
            ])
    }
}
