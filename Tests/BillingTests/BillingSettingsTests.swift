import Billing
import CabinetCore
import CabinetTesting
import Testing

@Suite struct BillingSettingsTests {
    @Test func readsStatementPricesInTheRegionCurrency() throws {
        let yaml = """
            monthlyFeeDay: 1
            lowBalanceThreshold: "200.00"
            dailyFeesWhileRestricted: skip
            statements: {shortOnline: "0.00", fullByEmail: "100.00 KZT", historyDepthDays: 90}
            """
        let (settings, problems) = SettingsProbe.read(BillingSettings.self, yaml: yaml, currency: .kzt)
        #expect(problems.isEmpty)
        #expect(settings?.statements.fullByEmail == Money(minorUnits: 10_000, currency: .kzt))
        #expect(settings?.dailyFeesWhileRestricted == .skip)
    }

    @Test func refusesAnotherCurrencyAndImpossibleDays() {
        let yaml = """
            monthlyFeeDay: 31
            lowBalanceThreshold: "30.00 RUB"
            dailyFeesWhileRestricted: sometimes
            statements: {shortOnline: "0.00", fullByEmail: "15.00", historyDepthDays: 90}
            """
        #expect(
            SettingsProbe.read(BillingSettings.self, yaml: yaml, currency: .kzt).problems == [
                "section.monthlyFeeDay: must be between 1 and 28, found 31",
                "section.lowBalanceThreshold: currency RUB does not match the region's currency KZT",
                #"section.dailyFeesWhileRestricted: expected one of charge, skip, found "sometimes""#,
            ])
    }
}
