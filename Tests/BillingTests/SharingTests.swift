import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Subscribers
import SubscribersTesting
import Tariffs
import Testing

/// «Делитесь гигабайтами» on SQLite and PostgreSQL (test region: 1–3 GB, valid two days, 5.00 a share, two a day,
/// three a month): exact to the megabyte, both sides' packages and records, the recipient's SMS, the limits, refusals
/// with their reasons, concurrent shares never taking more than the package holds, the gift expiring at the
/// recipient's local midnight.
@Suite struct SharingTests {
    func msisdn(_ text: String) throws -> MSISDN { try #require(MSISDN(e164: text)) }

    @Test(arguments: TestDatabase.available)
    func gigabytesMoveExactlyWithTheFeeAndTheRecords(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let giver = try await bed.line("+79001234567", tariff: "premium", credit: "1000.00")
            let taker = try await bed.line("+79001234568", tariff: "payg")
            let before = try #require(try await bed.remainders(giver)[.kilobytes])
            let share = try await bed.service.share(2, from: bed.access(giver), to: taker.msisdn, language: .ru)
            #expect(share.megabytes == 2_048 && share.fee.amountString == "5.00")
            let after = try #require(try await bed.remainders(giver)[.kilobytes])
            #expect(before.left - after.left == 2 * 1_048_576, "exactly 2 GB left the package")
            let gift = try #require(try await bed.remainders(taker)[.kilobytes])
            #expect(gift.left == 2 * 1_048_576 && gift.total == 2 * 1_048_576)
            #expect(
                try await bed.balance(giver) == "345.83", "1000.00, the premium's 649.17 for the month's rest, 5.00")
            // Moscow noon of 10 November, valid two days: to the midnight that begins 12 November.
            #expect(share.expiresAt == ISO8601DateFormatter().date(from: "2026-11-11T21:00:00Z"))
            let sms = try await bed.messages(to: "+79001234568")
            #expect(sms.map(\.body) == ["+7 900 123-45-67 дарит вам 2 ГБ интернета до 2026-11-11 включительно."])
            let given = try await bed.requests.requests(of: giver.id, before: nil, limit: 5).map(\.kind)
            let received = try await bed.requests.requests(of: taker.id, before: nil, limit: 5).map(\.kind)
            #expect(given.contains("billing.share") && received.contains("billing.shareReceived"))
            #expect(try await bed.service.sharing(for: bed.access(taker)).recent.count == 1)
            // Both balance histories show it: the giver's fee, the recipient's 0.00 line naming the giver.
            let giverLines = try await bed.store.movements(
                of: giver.id, query: MovementQuery(kinds: [.dataShare], limit: 5))
            let takerLines = try await bed.store.movements(
                of: taker.id, query: MovementQuery(kinds: [.dataShare], limit: 5))
            #expect(giverLines.map(\.amount.amountString) == ["-5.00"])
            #expect(takerLines.map(\.amount.amountString) == ["0.00"])
            #expect(takerLines.first?.arguments["from"] == "+7 900 123-45-67")
            // The gift ends at that midnight.
            bed.clock.set(try #require(ISO8601DateFormatter().date(from: "2026-11-11T21:00:01Z")))
            #expect(try await bed.remainders(taker)[.kilobytes] == nil)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func refusalsSayWhy(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let giver = try await bed.line("+79001234567", tariff: "premium", credit: "1000.00")
            let taker = try await bed.line("+79001234568", tariff: "payg")
            let blocked = try await bed.line("+79001234569", tariff: "payg")
            _ = try await bed.lines.update(msisdn: blocked.msisdn, with: LinePatch(status: .blocked))
            let almaty = try await bed.line("+77011234567", region: "almaty", tariff: "payg")
            let access = bed.access(giver)
            for (to, gigabytes, code) in [
                (blocked.msisdn, 1, BillingError.shareRecipient), (almaty.msisdn, 1, BillingError.shareRecipient),
                (giver.msisdn, 1, BillingError.shareRecipient),
                (try msisdn("+79009999999"), 1, BillingError.shareRecipient),
                (taker.msisdn, 4, BillingError.shareAmount), (taker.msisdn, 0, BillingError.shareAmount),
            ] {
                let refused = await #expect(throws: CabinetError.self) {
                    try await bed.service.share(gigabytes, from: access, to: to, language: .ru)
                }
                #expect((refused?.fieldErrors.first?.code ?? refused?.code) == code, "\(to) \(gigabytes)")
            }
            // 20.5 of 30 days of 5 GB. Two shares today, then the day's limit.
            let package = try #require(try await bed.remainders(giver)[.kilobytes]).left
            _ = try await bed.service.share(1, from: access, to: taker.msisdn, language: .ru)
            let tooMuch = await #expect(throws: CabinetError.self) {
                try await bed.service.share(3, from: access, to: taker.msisdn, language: .ru)
            }
            #expect(tooMuch?.code == BillingError.shareTooLittle)
            #expect(tooMuch?.arguments["available"] == String((package - 1_048_576) / 1_024))
            _ = try await bed.service.share(1, from: access, to: taker.msisdn, language: .ru)
            let day = await #expect(throws: CabinetError.self) {
                try await bed.service.share(1, from: access, to: taker.msisdn, language: .ru)
            }
            #expect(day?.code == BillingError.shareDayLimit)
            // The next day: the third of the month goes, the fourth does not (the month is checked before the package).
            bed.clock.advance(by: .seconds(86_400))
            _ = try await bed.service.share(1, from: access, to: taker.msisdn, language: .ru)
            let month = await #expect(throws: CabinetError.self) {
                try await bed.service.share(1, from: access, to: taker.msisdn, language: .ru)
            }
            #expect(month?.code == BillingError.shareMonthLimit)
            // The fee is a purchase: a line that cannot pay it shares nothing.
            let poor = try await bed.line("+79001234571", tariff: "premium", credit: "3.00")
            let fee = await #expect(throws: CabinetError.self) {
                try await bed.service.share(1, from: bed.access(poor), to: taker.msisdn, language: .ru)
            }
            #expect(fee?.code == BillingError.insufficientFunds)
            #expect(try await bed.check().isClean)
        }
    }

    /// Three shares of 2 GB at once from a package of 3.4 GB: exactly one goes through.
    @Test(arguments: TestDatabase.available)
    func concurrentSharesNeverTakeMoreThanThePackageHolds(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let giver = try await bed.line("+79001234567", tariff: "premium", credit: "1000.00")
            let takers = [
                try await bed.line("+79001234568", tariff: "payg"), try await bed.line("+79001234569", tariff: "payg"),
                try await bed.line("+79001234570", tariff: "payg"),
            ]
            let service = bed.service
            let access = bed.access(giver)
            let package = try #require(try await bed.remainders(giver)[.kilobytes]).left
            let made = await withTaskGroup(of: Bool.self) { group in
                for taker in takers {
                    group.addTask {
                        (try? await service.share(2, from: access, to: taker.msisdn, language: .ru)) != nil
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(made == 1)
            let left = try #require(try await bed.remainders(giver)[.kilobytes])
            #expect(left.left == package - 2 * 1_048_576)
            #expect(try await bed.check().isClean)
        }
    }
}
