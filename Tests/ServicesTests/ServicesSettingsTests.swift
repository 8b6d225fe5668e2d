import CabinetCore
import CabinetTesting
import Foundation
import Services
import Testing

@Suite struct ServicesSettingsTests {
    static let yaml = """
        options:
          - id: ya-na-svyazi
            name: {ru: Я на связи, en: I'm Reachable}
            description: {ru: SMS о пропущенных, en: Missed calls}
            kind: missedCalls
            connectionFee: "0.00"
            fee: {amount: "1.50", period: day}
          - id: roaming-ban
            name: {ru: Запрет роуминга, en: Roaming ban}
            description: {ru: Запрет, en: Ban}
            kind: barring
            bars: roaming
            connectionFee: "0.00"
            incompatibleWith: [international-roaming]
        blackList: {connectionFee: "0.00", dailyFee: "1.50", feePerNumber: "1.50", maxEntries: 300, retentionDays: 30}
        refundUnusedMonthlyFee: false
        simBlock: {freeDays: 2, dailyFee: "1.00"}
        suspension: {minDays: 2, maxDays: 30, perYear: 2, freeDays: 3, dailyFee: "5.00", maxDaysAhead: 10}
        deviceSettings: {apn: internet.test, mmsc: "http://mms.test", mmsProxy: "10.0.0.1:8080", maxPerDay: 3}
        """

    @Test func readsOptionsAndBlackList() throws {
        let (settings, problems) = SettingsProbe.read(ServicesSettings.self, yaml: Self.yaml)
        #expect(problems.isEmpty)
        let services = try #require(settings)
        #expect(services.options.count == 2)
        #expect(services.options[0].fee?.amount.amountString == "1.50")
        #expect(services.options[1].fee == nil)
        #expect(services.blackList.maxEntries == 300)
    }

    /// The settings SMS's values are what a phone accepts: an APN without spaces, an http(s) MMS centre, a proxy with
    /// its port, and a daily limit in range.
    @Test func deviceSettingsAreChecked() {
        let good = SettingsProbe.read(ServicesSettings.self, yaml: Self.yaml)
        #expect(good.settings?.deviceSettings.apn == "internet.test")
        #expect(good.settings?.deviceSettings.maxPerDay == 3)
        for bad in [
            (
                "apn: internet.test", "apn: \"internet test\"",
                #"section.deviceSettings.apn: must be 1–100 characters without spaces, found "internet test""#
            ),
            (
                "mmsc: \"http://mms.test\"", "mmsc: \"mms.test\"",
                #"section.deviceSettings.mmsc: must be an http:// or https:// address, found "mms.test""#
            ),
            (
                "mmsProxy: \"10.0.0.1:8080\"", "mmsProxy: \"10.0.0.1\"",
                #"section.deviceSettings.mmsProxy: must be host:port with a port 1–65535, found "10.0.0.1""#
            ),
            ("maxPerDay: 3", "maxPerDay: 0", "section.deviceSettings.maxPerDay: must be between 1 and 20, found 0"),
        ] {
            let result = SettingsProbe.read(
                ServicesSettings.self, yaml: Self.yaml.replacingOccurrences(of: bad.0, with: bad.1))
            #expect(result.problems == [bad.2])
        }
    }

    @Test func kindsAreChecked() {
        let result = SettingsProbe.read(
            ServicesSettings.self, yaml: Self.yaml.replacingOccurrences(of: "kind: barring", with: "kind: magic"))
        #expect(
            result.problems == [
                "section.options[1].kind: expected one of missedCalls, ringback, barring, boost, other, found \"magic\""
            ])
    }

    /// A barring option says what the network check bars for it; no other option may.
    @Test func barringOptionsSayWhatTheyBar() {
        let missing = SettingsProbe.read(
            ServicesSettings.self, yaml: Self.yaml.replacingOccurrences(of: "    bars: roaming\n", with: ""))
        #expect(
            missing.problems == [
                "section.options[1]: a barring option says what it bars: bars: roaming, international or premiumSms"
            ])
        let misplaced = SettingsProbe.read(
            ServicesSettings.self,
            yaml: Self.yaml.replacingOccurrences(of: "kind: missedCalls", with: "kind: missedCalls\n    bars: roaming"))
        #expect(misplaced.problems == ["section.options[0].bars: only an option of kind barring bars anything"])
        let read = SettingsProbe.read(ServicesSettings.self, yaml: Self.yaml).settings
        #expect(read?.options[1].bars == .roaming)
        #expect(read?.blackList.retentionDays == 30)
    }
}
