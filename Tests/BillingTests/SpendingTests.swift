import Billing
import BillingTesting
import CabinetCore
import CabinetTesting
import Foundation
import Subscribers
import Testing

/// The spending the charts draw, on SQLite, PostgreSQL and the in-memory store: fees from the ledger, usage by kind
/// from the rated events, each in its calendar month of the region, to the kopeck.
@Suite struct SpendingTests {
    @Test(arguments: BillingTestBed.Backend.all)
    func monthsByKind(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend, start: "2026-11-10T09:00:00Z") { bed in
            // Opened on 10 November: the prorated fee 410.00 of `monthly` (600.00) is November's.
            let line = try await bed.line("+79001234567", credit: "1000.00")
            let access = bed.access(line)
            // Beyond the package: 10 SMS of the 7 included, three at 2.50 each.
            _ = try await bed.service.ingest((1...10).map { bed.sms(line, "s\($0)") })
            var months = try await bed.service.spending(access, months: 3)
            #expect(months.map(\.month.description) == ["2026-09-01", "2026-10-01", "2026-11-01"])
            #expect(months[0].total.isZero && months[1].total.isZero)
            #expect(months[2].amount(.fees).amountString == "410.00")
            #expect(months[2].amount(.sms).amountString == "7.50")
            #expect(months[2].amount(.calls).isZero && months[2].amount(.internet).isZero)
            #expect(months[2].total.amountString == "417.50")

            // December: its full fee is December's; November's figures stay.
            bed.clock.set(ISO8601DateFormatter().date(from: "2026-12-01T00:05:00Z")!)
            _ = try await bed.service.runDueFees()
            months = try await bed.service.spending(access, months: 2)
            #expect(months.map(\.month.description) == ["2026-11-01", "2026-12-01"])
            #expect(months[0].total.amountString == "417.50")
            #expect(months[1].amount(.fees).amountString == "600.00")
            // Only whoever may look at the line.
            var stranger = access
            stranger.scopes = []
            await #expect(throws: CabinetError.self) { try await bed.service.spending(stranger, months: 1) }
        }
    }
}
