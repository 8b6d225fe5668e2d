import Billing
import BillingTesting
import CabinetCore
import CabinetTesting
import Foundation
import Subscribers
import Tariffs
import Testing

/// The tariff advisor against the ledger: four lines, one on each open tariff, live the same three months of usage
/// with a manual clock; the advice for the first prices every tariff to the kopeck as the line that ran it was charged.
@Suite struct TariffAdvisorTests {
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    /// Runs the fee scheduler at the clock's time until every line is up to date (daily tariffs catch up in steps).
    func catchUp(_ bed: BillingTestBed) async throws {
        while try await bed.service.runDueFees() > 0 {}
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func everyTariffIsPricedAsRunningItWouldHaveCharged(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend, start: "2026-08-10T09:00:00Z") { bed in
            let tariffs = ["monthly", "premium", "daily", "payg"]
            var lines: [Line] = []
            for (index, tariff) in tariffs.enumerated() {
                lines.append(try await bed.line("+7900123450\(index)", tariff: tariff, credit: "100000.00"))
            }
            // August uses up every package, so nothing rolls over into the window (which starts on 1 September).
            for (index, line) in lines.enumerated() {
                _ = try await bed.service.ingest(
                    [
                        bed.call(line, "aug-c-\(index)", seconds: 40_000),
                        bed.data(line, "aug-d-\(index)", megabytes: 12_000),
                    ]
                        + (1...80).map { bed.sms(line, "aug-s-\(index)-\($0)") })
            }
            // Three months of the same usage on each line: heavy days and quiet days, every kind of call.
            var serial = 0
            for month in ["09", "10", "11"] {
                for (day, minutes, sms, megabytes) in [("03", 95, 6, 700), ("12", 130, 1, 2_600), ("25", 7, 9, 30)] {
                    bed.clock.set(Self.at("2026-\(month)-\(day)T08:30:00Z"))
                    try await catchUp(bed)
                    for (index, line) in lines.enumerated() {
                        serial += 1
                        var events = [
                            bed.call(line, "c\(serial)-\(index)", seconds: Int64(minutes * 60 - 17)),
                            bed.call(line, "i\(serial)-\(index)", seconds: 61, kind: .intercity),
                            bed.call(line, "o\(serial)-\(index)", seconds: 300, kind: .onNet),
                            bed.data(line, "d\(serial)-\(index)", megabytes: Int64(megabytes)),
                        ]
                        events += (0..<sms).map { bed.sms(line, "s\(serial)-\(index)-\($0)") }
                        let report = try await bed.service.ingest(events)
                        #expect(report.rejected.isEmpty)
                    }
                }
            }
            bed.clock.set(Self.at("2026-12-05T09:00:00Z"))
            try await catchUp(bed)

            let advice = try await bed.service.advice(bed.access(lines[0]))
            #expect(advice.months == 3)
            #expect(advice.from == Self.at("2026-08-31T21:00:00Z"))
            #expect(advice.to == Self.at("2026-11-30T21:00:00Z"))
            #expect(advice.events == 3 * 3 * 4 + 6 + 1 + 9 + 6 + 1 + 9 + 6 + 1 + 9)
            #expect(advice.estimates.count == 4)
            // Each tariff's figure is what its line was charged in September, October and November.
            for (index, tariff) in tariffs.enumerated() {
                let months = try await bed.service.spending(bed.access(lines[index]), months: 4)
                #expect(months.map(\.month.description) == ["2026-09-01", "2026-10-01", "2026-11-01", "2026-12-01"])
                let charged = months.prefix(3).reduce(Int64(0)) { $0 + $1.total.minorUnits }
                let estimate = try #require(advice.estimates.first { $0.tariff.id.rawValue == tariff })
                #expect(estimate.total.minorUnits == charged, "\(tariff)")
                #expect(estimate.recurring.isZero)
            }
            // Cheapest first; the saving is against the current tariff, per month.
            let totals = advice.estimates.map(\.total.minorUnits)
            #expect(totals == totals.sorted())
            let current = try #require(advice.estimates.first { $0.isCurrent })
            #expect(current.tariff.id.rawValue == "monthly" && current.savingPerMonth.isZero)
            for estimate in advice.estimates {
                #expect(
                    estimate.savingPerMonth.minorUnits == current.perMonth.minorUnits - estimate.perMonth.minorUnits)
            }
            #expect(current.usedPerMonth[.sms] == 16)
        }
    }
}
