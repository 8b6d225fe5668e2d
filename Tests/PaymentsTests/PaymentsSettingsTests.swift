import CabinetCore
import CabinetTesting
import Foundation
import Payments
import Testing

@Suite struct PaymentsSettingsTests {
    static func yaml(tiers: String, topUpMin: String = "50.00") -> String {
        """
        topUp: {minimum: "\(topUpMin)", maximum: "15000.00"}
        promisedPayment:
          availableBelow: "100.00"
          maxActive: 1
          tiers:
        \(tiers)
        transfers: {minimum: "10.00", maxPerTransfer: "5000.00", maxPerDay: "15000.00", fee: "0.00"}
        autopay: {maxAmount: "5000.00", maxPerMonth: "15000.00"}
        anonymous: {maxPerAddressPerHour: 20, maxPerNumberPerHour: 10}
        """
    }

    static let goodTiers = """
            - {minDaysOnNetwork: 60, minAverageMonthlyTopUps: "0.00", amounts: ["50.00", "100.00"], termDays: 3, fee: "5.00"}
            - {minDaysOnNetwork: 180, minAverageMonthlyTopUps: "300.00", amounts: ["100.00", "300.00"], termDays: 7, fee: "15.00"}
        """

    @Test func readsTheRules() throws {
        let (settings, problems) = SettingsProbe.read(PaymentsSettings.self, yaml: Self.yaml(tiers: Self.goodTiers))
        #expect(problems.isEmpty)
        let rules = try #require(settings?.promisedPayment)
        #expect(rules.tiers.count == 2)
        #expect(rules.tiers[1].amounts.map(\.amountString) == ["100.00", "300.00"])
        #expect(settings?.topUp.minimum.amountString == "50.00")
        #expect(settings?.anonymous.maxPerNumberPerHour == 10)
    }

    @Test func tiersOutOfOrderAreRefused() {
        let swapped = """
                - {minDaysOnNetwork: 180, minAverageMonthlyTopUps: "300.00", amounts: ["100.00", "300.00"], termDays: 7, fee: "15.00"}
                - {minDaysOnNetwork: 60, minAverageMonthlyTopUps: "0.00", amounts: ["50.00", "100.00"], termDays: 3, fee: "5.00"}
            """
        #expect(
            SettingsProbe.read(PaymentsSettings.self, yaml: Self.yaml(tiers: swapped)).problems == [
                "section.promisedPayment.tiers[1]: tiers out of order: tier 2 must require at least what tier 1 requires and offer more"
            ])
        let unsorted = """
                - {minDaysOnNetwork: 60, minAverageMonthlyTopUps: "0.00", amounts: ["100.00", "50.00"], termDays: 3, fee: "5.00"}
            """
        #expect(
            SettingsProbe.read(PaymentsSettings.self, yaml: Self.yaml(tiers: unsorted)).problems == [
                "section.promisedPayment.tiers[0].amounts: amounts must be listed from smallest to largest"
            ])
    }

    @Test func limitsMustMakeSense() {
        #expect(
            SettingsProbe.read(PaymentsSettings.self, yaml: Self.yaml(tiers: Self.goodTiers, topUpMin: "20000.00"))
                .problems == [
                    "section.topUp.minimum: must be above zero and below maximum (15000.00)"
                ])
    }
}
