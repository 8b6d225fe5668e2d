import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import Subscribers
import Tariffs
import Testing

/// Ingestion and rating: refusals per event, exactly-once charging under concurrency, batches beyond one transaction.
@Suite struct RatingTests {
    @Test(arguments: BillingTestBed.Backend.all)
    func badEventsAreReportedByPositionAndTheRestRated(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg", credit: "100.00")
            let stranger = MSISDN(e164: "+79009999999")!
            let events = [
                bed.sms(line, "ok-1"),
                UsageEvent(eventID: "unknown", msisdn: stranger, kind: .sms, occurredAt: bed.clock.now, quantity: 1),
                bed.sms(line, "too-early", at: bed.clock.now.addingTimeInterval(-86_400)),
                bed.sms(line, "future", at: bed.clock.now.addingTimeInterval(3600)),
                UsageEvent(eventID: "bad", msisdn: line.msisdn, kind: .call, occurredAt: bed.clock.now, quantity: 10),
                bed.sms(line, "ok-2"),
            ]
            let report = try await bed.service.ingest(events)
            #expect(report.rated == 2)
            #expect(
                report.rejected.mapValues(\.code) == [
                    1: BillingError.unknownLine, 2: BillingError.beforeActivation, 3: BillingError.eventInFuture,
                    4: BillingError.eventInvalid,
                ])
            #expect(try await bed.balance(line) == "95.00")
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func overlappingBatchesFromSeveralFeedsChargeEachEventOnce(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            var lines: [Line] = []
            for index in 0..<20 {
                lines.append(
                    try await bed.line("+7900100\(String(format: "%04d", index))", tariff: "payg", credit: "500.00"))
            }
            // 2 000 events (100 per line, 2.50 each); four feeds send overlapping halves at the same time.
            let events = lines.flatMap { line in (0..<100).map { bed.sms(line, "e-\(line.id.rawValue)-\($0)") } }
            let halves = [Array(events[0..<1200]), Array(events[800...]), Array(events[400..<1600]), events.shuffled()]
            let reports = try await withThrowingTaskGroup(of: IngestReport.self) { group in
                for half in halves { group.addTask { try await bed.service.ingest(half) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(reports.map(\.rated).reduce(0, +) == 2000, "every event rated exactly once")
            #expect(reports.allSatisfy { $0.rejected.isEmpty })
            for line in lines { #expect(try await bed.balance(line) == "250.00") }
            let check = try await bed.check()
            #expect(check.isClean, "\(check)")
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func aTengeLineIsChargedInTenge(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+77011234567", region: "almaty", tariff: "payg", credit: "1000.00")
            _ = try await bed.service.ingest([bed.call(line, "kz-1", seconds: 90, kind: .intercity)])
            let balance = try await bed.billingStore.balance(of: line.id)
            #expect(balance.currency == .kzt && balance.amountString == "994.00")
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func aBatchLargerThanOneTransactionIsSplit(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg", credit: "10000.00")
            let events = (0..<(DefaultBillingService.batchSize + 10)).map { bed.data(line, "d\($0)", megabytes: 1) }
            let report = try await bed.service.ingest(events)
            #expect(report.rated == events.count)
            #expect(try await bed.balance(line) == "\(10000 - 8 * events.count).00")
            let statement = try await bed.service.shortStatement(
                bed.access(line), from: LocalDate("2026-11-10")!, to: LocalDate("2026-11-10")!,
                limit: 500)
            #expect(statement.events.count == 500 && statement.next != nil)
            #expect(statement.totals.first?.events == events.count)
            let next = try await bed.service.shortStatement(
                bed.access(line), from: LocalDate("2026-11-10")!, to: LocalDate("2026-11-10")!,
                after: statement.next, limit: 500)
            #expect(Set(next.events.map(\.eventID)).isDisjoint(with: statement.events.map(\.eventID)))
        }
    }
}
