import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import Subscribers
import Tariffs
import TariffsStorage
import Testing

/// Preview and change of a tariff, now or from the next period, with the refusals a subscriber must understand.
@Suite struct TariffChangeTests {
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    let daily = TariffID(rawValue: "daily")!
    let premium = TariffID(rawValue: "premium")!

    @Test(arguments: BillingTestBed.Backend.all)
    func previewShowsWhatIsChargedAndWhatHappensToThePackage(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "1000.00")
            bed.clock.set(Self.at("2026-11-20T09:00:00Z"))  // noon in Moscow: half a day is left
            let now = try await bed.service.preview(line: bed.access(line), to: daily, timing: .immediately)
            #expect(now.refusal == nil)
            #expect(now.feeNow.amountString == "12.50" && now.chargeToday.amountString == "12.50")
            #expect(now.balanceAfter.amountString == "577.50")
            #expect(now.firstRegularFeeOn.description == "2026-11-21")
            guard case .replacedNow(let lost) = now.packageOutcome else { Issue.record("expected replacedNow"); return }
            #expect(Set(lost.map(\.unit)) == [.seconds, .sms, .kilobytes])

            let wrongTiming = try await bed.service.preview(line: bed.access(line), to: daily, timing: .nextPeriod)
            #expect(wrongTiming.refusal?.code == TariffsError.timingNotAllowed)

            let later = try await bed.service.preview(line: bed.access(line), to: premium, timing: .nextPeriod)
            #expect(later.refusal == nil && later.chargeToday.isZero)
            #expect(later.packageOutcome == .keptUntil(Self.at("2026-11-30T21:00:00Z")))
            #expect(later.firstRegularFeeOn.description == "2026-12-01")

            let archived = try await bed.service.preview(
                line: bed.access(line), to: TariffID(rawValue: "old")!, timing: .immediately)
            #expect(archived.refusal?.code == TariffsError.archived)
            let same = try await bed.service.preview(
                line: bed.access(line), to: TariffID(rawValue: "monthly")!, timing: .immediately)
            #expect(same.refusal?.code == TariffsError.same)
            await #expect(throws: CabinetError.self) {
                try await bed.service.preview(
                    line: bed.access(line), to: TariffID(rawValue: "nonexistent")!, timing: .immediately)
            }
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func anImmediateChangeChargesTheRestOfTheDayAndStartsAProportionalPackage(_ backend: BillingTestBed.Backend)
        async throws
    {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "1000.00")
            bed.clock.set(Self.at("2026-11-20T09:00:00Z"))
            let (request, _) = try await bed.service.change(line: bed.access(line), to: daily, timing: .immediately)
            #expect(request.status == .done && request.kind == "tariff.change")
            #expect(try await bed.balance(line) == "577.50")
            let left = try await bed.remainders(line)
            #expect(left[.seconds]?.total == 300 && left[.sms]?.total == 1 && left[.kilobytes]?.total == 102_400)

            // An event of the morning (before the change) still uses the old package; one after it uses the new one.
            bed.clock.set(Self.at("2026-11-20T10:00:00Z"))
            let report = try await bed.service.ingest([
                bed.call(line, "before", seconds: 60, at: Self.at("2026-11-20T08:00:00Z")),
                bed.call(line, "after", seconds: 60, at: Self.at("2026-11-20T09:30:00Z")),
            ])
            #expect(report.rated == 2)
            #expect(try await bed.balance(line) == "577.50")
            #expect(try await bed.remainders(line)[.seconds]?.left == 240)

            bed.clock.set(Self.at("2026-11-20T21:01:00Z"))
            #expect(try await bed.service.runDueFees() == 1)
            #expect(try await bed.balance(line) == "552.50", "the first full daily fee")
            let history = try await bed.lineTariffs.history(of: line.id)
            #expect(history.map(\.tariffID.rawValue) == ["daily", "monthly"])
            #expect(history.last?.until == Self.at("2026-11-20T09:00:00Z"))
            #expect(try await bed.requests.requests(of: line.id, before: nil, limit: 10).map(\.status) == [.done])
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func aChangeForTheNextPeriodWaitsAndIsAppliedByTheScheduler(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "1000.00")
            let (request, _) = try await bed.service.change(line: bed.access(line), to: premium, timing: .nextPeriod)
            #expect(request.status == .pending)
            let dashboard = try await bed.service.dashboard(bed.access(line))
            #expect(dashboard.plannedTariff?.id == premium)
            #expect(dashboard.nextFee?.amount.amountString == "950.00")
            #expect(dashboard.nextFee?.on.description == "2026-12-01")
            await #expect(throws: CabinetError.self, "one plan at a time") {
                try await bed.service.change(
                    line: bed.access(line), to: TariffID(rawValue: "daily")!, timing: .immediately)
            }

            bed.clock.set(Self.at("2026-11-30T21:00:30Z"))
            #expect(try await bed.service.runDueFees() == 1)
            #expect(try await bed.billingStore.account(of: line.id)?.tariffID == premium)
            #expect(try await bed.balance(line) == "-360.00", "590.00 − 950.00")
            #expect(
                try await bed.remainders(line)[.seconds]?.total == 18_000,
                "premium's package, nothing carried from another tariff")
            #expect(try await bed.requests.request(request.id)?.status == .done)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func aChangeIsRefusedWhenFundsAreShort(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg")
            let preview = try await bed.service.preview(line: bed.access(line), to: daily, timing: .immediately)
            #expect(preview.refusal?.code == TariffsError.insufficientFunds)
            do {
                _ = try await bed.service.change(line: bed.access(line), to: daily, timing: .immediately)
                Issue.record("the change went through without money")
            } catch let error as CabinetError {
                #expect(error.code == TariffsError.insufficientFunds && error.kind == .rejected)
            }
            #expect(try await bed.billingStore.account(of: line.id)?.tariffID.rawValue == "payg")
            #expect(try await bed.balance(line) == "0.00")
            // Someone who may only look at the balance cannot change the tariff.
            let viewer = LineAccess(
                subscriberID: line.id, msisdn: line.msisdn, region: line.region,
                relation: .delegated(expiresAt: bed.clock.now),
                scopes: [.viewBalance])
            await #expect(throws: CabinetError.self) {
                try await bed.service.preview(line: viewer, to: daily, timing: .immediately)
            }
        }
    }
}
