import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import Subscribers
import Tariffs
import TariffsTesting
import Testing

@Suite struct BillingCalendarTests {
    let moscow = TimeZone(identifier: "Europe/Moscow")!
    func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func monthlyPeriodsRunFromFeeDayToFeeDayInTheRegionsZone() {
        let calendar = BillingCalendar(timeZone: moscow, monthlyFeeDay: 1)
        // 23:30 UTC on 31 January is already 1 February in Moscow.
        let period = calendar.period(containing: at("2026-01-31T23:30:00Z"), feePeriod: .month)
        #expect(period.start == at("2026-01-31T21:00:00Z"))
        #expect(period.end == at("2026-02-28T21:00:00Z"))
        let fifteenth = BillingCalendar(timeZone: moscow, monthlyFeeDay: 15)
        let december = fifteenth.period(containing: at("2026-01-10T12:00:00Z"), feePeriod: .month)
        #expect(december.start == at("2025-12-14T21:00:00Z"))
        #expect(december.end == at("2026-01-14T21:00:00Z"))
    }

    @Test func dailyPeriodsAreLocalDays() {
        let almaty = BillingCalendar(timeZone: TimeZone(identifier: "Asia/Almaty")!, monthlyFeeDay: 1)
        let day = almaty.period(containing: at("2026-06-01T20:00:00Z"), feePeriod: .day)
        #expect(day.length == 86_400)
        #expect(almaty.date(of: day.start).description == "2026-06-02")
    }

    @Test func prorationIsExactAndRoundsHalfUp() {
        let fee = Money(minorUnits: 60_000, currency: .rub)
        #expect(BillingCalendar.prorate(fee, part: 1_771_200, whole: 2_592_000).minorUnits == 41_000)
        #expect(BillingCalendar.prorate(fee, part: 0, whole: 2_592_000).isZero)
        #expect(BillingCalendar.prorate(fee, part: 2_592_000, whole: 2_592_000) == fee)
        #expect(BillingCalendar.prorate(Money(minorUnits: 1, currency: .rub), part: 1, whole: 2).minorUnits == 1)
    }

    @Test func aLatePeriodGetsAProportionalPackage() throws {
        let rules = BillingRules(
            regions: RegionCatalog(regions: [
                .fixture(
                    modules: ["tariffs", "billing"],
                    settings: [
                        "tariffs": TariffsFixture.settings()!,
                        "billing": SettingsProbe.read(
                            BillingSettings.self,
                            yaml:
                                "monthlyFeeDay: 1\nlowBalanceThreshold: \"30\"\ndailyFeesWhileRestricted: charge\nstatements: {shortOnline: \"0\", fullByEmail: \"30\", historyDepthDays: 180}"
                        ).settings!,
                    ])
            ]))
        let tariff = try #require(rules.tariff(TariffID(rawValue: "monthly")!, in: RegionID(rawValue: "msk")!))
        let plan = try rules.plan(tariff: tariff, region: RegionID(rawValue: "msk")!, from: at("2026-11-10T09:00:00Z"))
        #expect(plan.fee.amountString == "410.00")
        #expect(plan.packages[.seconds] == 4080)
        #expect(plan.packages[.sms] == 7)
        #expect(plan.period.end == at("2026-11-30T21:00:00Z"))
        let full = try rules.plan(tariff: tariff, region: RegionID(rawValue: "msk")!, from: at("2026-11-30T21:00:00Z"))
        #expect(full.fee.amountString == "600.00" && full.packages[.kilobytes] == 1_048_576)
    }
}
