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

/// The pure pricing of one event against a tariff and buckets.
@Suite struct RaterTests {
    let tariff = TariffsFixture.settings()!.tariff(TariffID(rawValue: "monthly")!)!
    let payg = TariffsFixture.settings()!.tariff(TariffID(rawValue: "payg")!)!
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let line = SubscriberID(1)

    func event(_ kind: UsageEvent.Kind, _ quantity: Int64, call: UsageEvent.CallKind? = nil, at: Date? = nil)
        -> UsageEvent
    {
        UsageEvent(
            eventID: UUID().uuidString, msisdn: MSISDN(e164: "+79001234567")!, kind: kind, occurredAt: at ?? now,
            quantity: quantity,
            callKind: call)
    }

    func bucket(
        _ id: Int64, _ unit: PackageUnit, left: Int64, expires: TimeInterval = 86_400, source: Bucket.Source = .package,
        carried: BillingPeriod? = nil
    ) -> Bucket {
        Bucket(
            id: id, unit: unit, total: max(left, 1), left: left, validFrom: now.addingTimeInterval(-86_400),
            expiresAt: now.addingTimeInterval(expires), source: source, carriedFrom: carried)
    }

    @Test func callsAreBilledByTheStartedMinuteAndDataByTheStartedKilobyte() {
        #expect(Rater.units(of: event(.call, 1, call: .offNet)) == 60)
        #expect(Rater.units(of: event(.call, 60, call: .offNet)) == 60)
        #expect(Rater.units(of: event(.call, 61, call: .offNet)) == 120)
        #expect(Rater.units(of: event(.call, 0, call: .offNet)) == 0)
        #expect(Rater.units(of: event(.data, 1)) == 1)
        #expect(Rater.units(of: event(.data, 1025)) == 2)
        #expect(Rater.units(of: event(.sms, 1)) == 1)
    }

    @Test func theRestBeyondThePackageIsChargedAtTheTariffsPrices() {
        var buckets = [bucket(1, .seconds, left: 120)]
        let rated = Rater.rate(event(.call, 181, call: .intercity), line: line, tariff: tariff, buckets: &buckets)
        #expect(rated.units == 240 && rated.fromPackage == 120)
        #expect(rated.charged.amountString == "6.00", "two minutes beyond the package at 3.00")
        #expect(buckets[0].left == 0)

        var none: [Bucket] = []
        let data = Rater.rate(event(.data, 1_048_577), line: line, tariff: payg, buckets: &none)
        #expect(data.charged.amountString == "16.00", "a started second megabyte at 8.00")
    }

    @Test func onNetCallsFreeOnTheTariffLeaveThePackageAlone() {
        var buckets = [bucket(1, .seconds, left: 600)]
        let rated = Rater.rate(event(.call, 300, call: .onNet), line: line, tariff: tariff, buckets: &buckets)
        #expect(rated.charged.isZero && rated.fromPackage == 0)
        #expect(buckets[0].left == 600)
        var none: [Bucket] = []
        #expect(
            Rater.rate(event(.call, 300, call: .onNet), line: line, tariff: payg, buckets: &none).charged.amountString
                == "7.50")
    }

    @Test func soonestExpiringAndRolledOverUnitsGoFirst() {
        var buckets = [
            bucket(1, .sms, left: 5, expires: 3600),
            bucket(2, .sms, left: 5, expires: 100),
            bucket(3, .sms, left: 5, expires: 3600, source: .rollover),
        ]
        for _ in 0..<7 { _ = Rater.rate(event(.sms, 1), line: line, tariff: tariff, buckets: &buckets) }
        #expect(buckets.map(\.left) == [5, 0, 3])
    }

    @Test func aLateEventDrawsOnTheUnitsItsPeriodCarriedOver() {
        let november = BillingPeriod(start: now.addingTimeInterval(-30 * 86_400), end: now.addingTimeInterval(-86_400))
        // December's rollover bucket holds what November left; November's own bucket was emptied when it rolled over.
        var buckets = [
            Bucket(
                id: 1, unit: .seconds, total: 600, left: 0, validFrom: november.start, expiresAt: november.end,
                source: .package),
            Bucket(
                id: 2, unit: .seconds, total: 300, left: 300, validFrom: november.end,
                expiresAt: now.addingTimeInterval(86_400),
                source: .rollover, carriedFrom: november),
            Bucket(
                id: 3, unit: .seconds, total: 6000, left: 6000, validFrom: november.end,
                expiresAt: now.addingTimeInterval(86_400),
                source: .package),
        ]
        let late = Rater.rate(
            event(.call, 400, call: .offNet, at: november.end.addingTimeInterval(-60)), line: line, tariff: tariff,
            buckets: &buckets)
        #expect(late.fromPackage == 300)
        #expect(late.charged.amountString == "4.00", "two minutes November no longer had, at November's price")
        #expect(buckets.map(\.left) == [0, 0, 6000], "December's own package is not November's to use")
    }

    @Test func eventsAreCheckedBeforeRating() {
        let id = MSISDN(e164: "+79001234567")!
        #expect(UsageEvent(eventID: "", msisdn: id, kind: .sms, occurredAt: now, quantity: 1).validate() != nil)
        #expect(UsageEvent(eventID: "a b", msisdn: id, kind: .sms, occurredAt: now, quantity: 1).validate() != nil)
        #expect(
            UsageEvent(eventID: "x", msisdn: id, kind: .call, occurredAt: now, quantity: 10).validate() != nil,
            "no call kind")
        #expect(
            UsageEvent(eventID: "x", msisdn: id, kind: .call, occurredAt: now, quantity: -1, callKind: .onNet)
                .validate() != nil)
        #expect(UsageEvent(eventID: "x", msisdn: id, kind: .sms, occurredAt: now, quantity: 2).validate() != nil)
        #expect(UsageEvent(eventID: "x", msisdn: id, kind: .data, occurredAt: now, quantity: 10).validate() == nil)
    }
}
