import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetTesting
import Foundation
import Services
import ServicesTesting
import Subscribers
import SubscribersTesting
import Testing

/// Holiday suspensions on SQLite and PostgreSQL with a manual clock (test region: 2–30 days, twice a year, three
/// free days then 5.00 a day, planned at most ten days ahead): the preview's price, the fees while suspended, early
/// resume, the planned start and end at local midnights, once across a restart and with two runtimes, a block kept.
@Suite struct SuspensionTests {
    func date(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }

    /// One fee-run turn a day later, as the server does it: suspensions first, then periods and recurring fees.
    func nextDay(_ bed: ServicesTestBed, _ line: Line) async throws -> String {
        bed.billing.clock.advance(by: .seconds(86_400))
        _ = try await bed.service.runSuspensions()
        _ = try await bed.billing.service.runDueFees()
        _ = try await bed.billing.store.chargeDue(now: bed.billing.clock.now, limit: 100)
        return try await bed.billing.balance(line)
    }

    @Test(arguments: TestDatabase.available)
    func thePreviewPricesTheDaysAndRefusesWhatTheRegionDoesNotAllow(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            let access = bed.access(line)
            let preview = try await bed.service.previewSuspension(
                for: access, from: try date("2026-11-10"), until: try date("2026-11-16"))
            #expect(preview.allowed)
            #expect(preview.days == 6 && preview.freeDays == 3 && preview.chargedDays == 3)
            #expect(preview.total.amountString == "15.00")
            for (from, until, code) in [
                ("2026-11-09", "2026-11-12", ServicesError.suspensionDates),
                ("2026-11-21", "2026-11-25", ServicesError.suspensionTooFar),
                ("2026-11-11", "2026-11-12", ServicesError.suspensionTooShort),
                ("2026-11-11", "2026-12-12", ServicesError.suspensionTooLong),
                ("2026-11-12", "2026-11-12", ServicesError.suspensionDates),
            ] {
                let refused = try await bed.service.previewSuspension(
                    for: access, from: try date(from), until: try date(until))
                #expect(refused.refusal?.fieldErrors.first?.code == code, "\(from)..\(until)")
            }
        }
    }

    /// Suspended from today for six days: the tariff's daily fee stops, three days are free, then 5.00 a day; the line
    /// comes back at the resume day's midnight and pays its tariff again that very day.
    @Test(arguments: TestDatabase.available)
    func feesWhileSuspendedAreExactAndServiceResumesAtMidnight(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "daily", credit: "200.00")
            #expect(try await bed.billing.balance(line) == "187.50")
            let request = try await bed.service.suspend(
                for: bed.access(line), from: try date("2026-11-10"), until: try date("2026-11-16"))
            #expect(request.kind == "services.suspend" && request.detail == "2026-11-10..2026-11-16")
            #expect(try await bed.billing.directory.line(id: line.id)?.status == .suspended)
            var seen: [String] = []
            for _ in 1...6 { seen.append(try await nextDay(bed, line)) }
            // 11, 12 November free (10 was the first free day), 13–15 at 5.00, 16 November: active, tariff 25.00.
            #expect(seen == ["187.50", "187.50", "182.50", "177.50", "172.50", "147.50"])
            #expect(try await bed.billing.directory.line(id: line.id)?.status == .active)
            #expect(try await bed.billing.store.scheduledCharges(of: line.id).isEmpty)
            #expect(try await bed.billing.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func anEarlyResumeStopsTheFeeThatDay(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "daily", credit: "200.00")
            _ = try await bed.service.suspend(
                for: bed.access(line), from: try date("2026-11-10"), until: try date("2026-11-30"))
            for _ in 1...4 { _ = try await nextDay(bed, line) }
            #expect(try await bed.billing.balance(line) == "177.50", "13 and 14 November at 5.00")
            let resumed = try await bed.service.resume(for: bed.access(line))
            #expect(resumed.kind == "services.resume" && resumed.detail == "early")
            #expect(try await bed.billing.directory.line(id: line.id)?.status == .active)
            #expect(try await nextDay(bed, line) == "152.50", "15 November: the tariff, no suspension fee")
            let none = await #expect(throws: CabinetError.self) {
                try await bed.service.resume(for: bed.access(line))
            }
            #expect(none?.code == ServicesError.suspensionNone)
        }
    }

    /// Planned for later: nothing changes before its first day; a server that restarts meanwhile (a new service over
    /// the same database) starts and ends it; a line blocked during it stays blocked.
    @Test(arguments: TestDatabase.available)
    func aPlannedSuspensionStartsAndEndsOnItsDaysAcrossARestart(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            let other = try await bed.line("+79001234568", credit: "100.00")
            _ = try await bed.service.suspend(
                for: bed.access(line), from: try date("2026-11-12"), until: try date("2026-11-14"))
            _ = try await bed.service.suspend(
                for: bed.access(other), from: try date("2026-11-12"), until: try date("2026-11-14"))
            _ = try await nextDay(bed, line)
            #expect(try await bed.billing.directory.line(id: line.id)?.status == .active, "11 November")
            let restarted = ServicesTestBed(billing: bed.billing)
            bed.billing.clock.advance(by: .seconds(86_400))
            #expect(try await restarted.service.runSuspensions() == 2)
            #expect(try await bed.billing.directory.line(id: line.id)?.status == .suspended)
            _ = try await restarted.service.blockSIM(for: restarted.access(other), language: .ru)
            // The block ended the other line's suspension (its fee stopped); only the first one is left to end.
            bed.billing.clock.advance(by: .seconds(2 * 86_400))
            #expect(try await restarted.service.runSuspensions() == 1)
            #expect(try await restarted.service.runSuspensions() == 0)
            #expect(try await bed.billing.directory.line(id: line.id)?.status == .active)
            #expect(try await bed.billing.directory.line(id: other.id)?.status == .blocked, "the block is kept")
        }
    }

    /// Two runtimes on one database run the job at the same moment: each suspension ends once, one request each.
    @Test(arguments: TestDatabase.available)
    func twoRuntimesEndEachSuspensionOnce(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            var lines: [Line] = []
            for index in 0..<6 {
                let line = try await bed.line("+7900123450\(index)", credit: "100.00")
                _ = try await bed.service.suspend(
                    for: bed.access(line), from: try date("2026-11-10"), until: try date("2026-11-12"))
                lines.append(line)
            }
            bed.billing.clock.advance(by: .seconds(2 * 86_400))
            let first = ServicesTestBed(billing: bed.billing).service
            let second = ServicesTestBed(billing: bed.billing).service
            async let a = first.runSuspensions()
            async let b = second.runSuspensions()
            let moved = try await a + b
            #expect(moved == 6)
            for line in lines {
                let resumes = try await bed.billing.requests.requests(of: line.id, before: nil, limit: 20).filter {
                    $0.kind == "services.resume"
                }
                #expect(resumes.count == 1)
                #expect(try await bed.billing.directory.line(id: line.id)?.status == .active)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func atMostTheRegionsNumberAYearAndOneAtATime(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            let access = bed.access(line)
            _ = try await bed.service.suspend(for: access, from: try date("2026-11-12"), until: try date("2026-11-14"))
            let open = await #expect(throws: CabinetError.self) {
                try await bed.service.suspend(for: access, from: try date("2026-11-15"), until: try date("2026-11-17"))
            }
            #expect(open?.code == ServicesError.suspensionOpen)
            // A planned one cancelled does not count against the year.
            let cancelled = try await bed.service.resume(for: access)
            #expect(cancelled.detail == "cancelled")
            for (from, until) in [("2026-11-12", "2026-11-14"), ("2026-11-14", "2026-11-16")] {
                _ = try await bed.service.suspend(for: access, from: try date(from), until: try date(until))
                bed.billing.clock.advance(by: .seconds(2 * 86_400))
                #expect(try await bed.service.runSuspensions() == 1)
                #expect(try await bed.service.resume(for: access).detail == "early")
            }
            let tooOften = await #expect(throws: CabinetError.self) {
                try await bed.service.suspend(for: access, from: try date("2026-11-17"), until: try date("2026-11-19"))
            }
            #expect(tooOften?.code == ServicesError.suspensionTooOften)
        }
    }
}
