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

/// `cabinet usage import`: bad rows reported with their line numbers, the rest rated, a second run charges nothing.
@Suite struct UsageImportTests {
    @Test(arguments: BillingTestBed.Backend.all)
    func badRowsAreReportedAndTheRestImportedOnce(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg", credit: "100.00")
            bed.clock.advance(by: .seconds(3600))
            let csv = """
                event_id,msisdn,kind,occurred_at,quantity,call_kind,other_party
                e1,+79001234567,call,2026-11-10T09:30:00Z,61,offNet,+79161234567
                e2,8 900 123-45-67,sms,2026-11-10T09:31:00+03:00,1,,
                e3,+79001234567,fax,2026-11-10T09:32:00Z,1,,
                e4,+79001234567,data,yesterday,100,,
                e5,+79001234567,data,2026-11-10T09:33:00Z,lots,,
                e6,+79001234567,data,2026-11-10T09:34:00Z,2097152,,
                "e7,+79001234567,sms
                """
            let importer = UsageImport(service: bed.service)
            let report = try await importer.run(csv: csv)
            #expect(report.rows == 7)
            #expect(report.rated == 2, "e1 and e6; e2 is before the line's activation at 12:00 MSK")
            #expect(report.failures.map(\.line) == [3, 4, 5, 6, 8])
            #expect(try await bed.balance(line) == "79.00", "100.00 − 5.00 (2 min) − 16.00 (2 MB)")
            let again = try await importer.run(csv: csv)
            #expect(again.rated == 0 && again.duplicates == 2)
            #expect(try await bed.balance(line) == "79.00")

            let wrongHeader = try await importer.run(csv: "id,number\n1,2\n")
            #expect(wrongHeader.failures.first?.error.code == BillingError.csvHeader)
        }
    }
}
