import Billing
import CabinetCore
import CabinetTesting
import Foundation
import Payments
import PaymentsTesting
import Subscribers
import Testing

/// Saved cards and auto-payment on every backend (SQL and memory): consent, default card, threshold and schedule
/// triggers charged once each (also when two schedulers run at once), the monthly cap, retries with backoff and the SMS
/// at the end.
@Suite struct AutopayTests {
    func rub(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .rub) }

    func spend(_ bed: PaymentsTestBed, _ line: Line, _ minor: Int64, _ id: String) async throws {
        _ = try await bed.ledger.post(
            LedgerPosting(
                externalID: id, kind: .optionFee, line: line.id, amount: rub(-minor), counterparty: .revenue,
                explanation: "billing.explain.adjustment", allowsNegativeBalance: true, at: bed.clock.now))
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func aCardIsKeptOnlyWithConsentAndPaysAgainByToken(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            try await bed.topUp(line, "100.00")
            #expect(try await bed.service.cards(of: line.id).isEmpty, "no consent, no card")
            try await bed.topUp(line, "100.00", saveCard: true)
            try await bed.topUp(line, "100.00", card: "4000 0000 0000 0002", saveCard: true)
            let cards = try await bed.service.cards(of: line.id)
            #expect(cards.map(\.maskedCard) == ["•••• 4242"], "a declined card is not kept")
            #expect(cards.first?.isDefault == true)
            #expect(cards.first?.token.contains("4242 4242") == false)
            let paid = try await bed.service.payWithCard(
                try #require(cards.first).id, line: line.id, amount: rub(25_000))
            #expect(paid.status == .succeeded)
            #expect(try await bed.balance(line) == "450.00")
            try await bed.topUp(line, "100.00", card: "5555 5555 5555 4444", saveCard: true)
            let both = try await bed.service.cards(of: line.id)
            #expect(both.count == 2)
            try await bed.service.setDefaultCard(both[1].id, of: line.id)
            #expect(try await bed.service.cards(of: line.id).first?.maskedCard == "•••• 4444")
            try await bed.service.deleteCard(both[1].id, of: line.id)
            #expect(
                try await bed.service.cards(of: line.id).map { "\($0.maskedCard) \($0.isDefault)" } == [
                    "•••• 4242 true"
                ])
            let stranger = try await bed.line("+79001234568")
            await #expect(throws: CabinetError.self, "another line's card") {
                try await bed.service.payWithCard(both[0].id, line: stranger.id, amount: rub(10_000))
            }
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func aThresholdChargesOncePerDipWithinTheMonthlyCap(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            await #expect(throws: CabinetError.self, "no card yet") {
                try await bed.service.setAutopay(
                    AutopayRule(
                        line: line.id, kind: .threshold, threshold: rub(10_000), dayOfMonth: nil,
                        amount: rub(30_000), monthlyCap: rub(70_000), updatedAt: .distantPast))
            }
            try await bed.topUp(line, "50.00", saveCard: true)
            _ = try await bed.service.setAutopay(
                AutopayRule(
                    line: line.id, kind: .threshold, threshold: rub(10_000), dayOfMonth: nil,
                    amount: rub(30_000), monthlyCap: rub(70_000), updatedAt: .distantPast))
            // Two schedulers at once: one charge.
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask { try await bed.service.runAutopay() }
                group.addTask { try await bed.service.runAutopay() }
                try await group.waitForAll()
            }
            #expect(try await bed.balance(line) == "350.00")
            #expect(try await bed.service.runAutopay() == 0, "above the threshold now")
            try await spend(bed, line, 30_000, "s1")
            bed.clock.advance(by: .seconds(60))
            try await bed.service.runAutopay()
            #expect(try await bed.balance(line) == "350.00")
            try await spend(bed, line, 30_000, "s2")
            bed.clock.advance(by: .seconds(60))
            try await bed.service.runAutopay()
            #expect(try await bed.balance(line) == "50.00", "600 spent this month; 300 more would pass the cap of 700")
            #expect(try await bed.store.lastTrigger(of: line.id)?.status == .skipped)
            let sms = try await bed.messages(to: "+79001234567")
            #expect(sms.last?.body.contains("700,00") == true)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func aScheduleChargesOnceAMonthAndSwitchesOff(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            try await bed.topUp(line, "50.00", saveCard: true)
            _ = try await bed.service.setAutopay(
                AutopayRule(
                    line: line.id, kind: .schedule, threshold: nil, dayOfMonth: 15,
                    amount: rub(20_000), monthlyCap: rub(20_000), updatedAt: .distantPast))
            #expect(try await bed.service.runAutopay() == 0, "the 10th: not yet")
            bed.clock.advance(by: .seconds(5 * 86_400))
            #expect(try await bed.service.runAutopay() == 1)
            #expect(try await bed.service.runAutopay() == 0, "once a month")
            #expect(try await bed.balance(line) == "250.00")
            bed.clock.advance(by: .seconds(31 * 86_400))
            try await bed.service.disableAutopay(of: line.id)
            #expect(try await bed.service.runAutopay() == 0, "switched off")
            #expect(try await bed.balance(line) == "250.00")
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func aFailingCardIsRetriedWithBackoffThenTheSubscriberIsTold(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            // A card that paid once and is declined now: the sandbox decides by the token's last digits.
            let card = try await bed.store.saveCard(
                line: line.id, gateway: "sandbox", token: "tok_0002_abcdef", maskedCard: "•••• 0002",
                at: bed.clock.now)
            #expect(card.isDefault)
            _ = try await bed.service.setAutopay(
                AutopayRule(
                    line: line.id, kind: .threshold, threshold: rub(10_000), dayOfMonth: nil,
                    amount: rub(30_000), monthlyCap: rub(100_000), updatedAt: .distantPast))
            #expect(try await bed.service.runAutopay() == 1)
            #expect(try await bed.service.runAutopay() == 0, "the retry waits an hour")
            bed.clock.advance(by: .seconds(3600))
            #expect(try await bed.service.runAutopay() == 1)
            bed.clock.advance(by: .seconds(6 * 3600))
            #expect(try await bed.service.runAutopay() == 1)
            #expect(try await bed.store.lastTrigger(of: line.id)?.status == .failed)
            #expect(try await bed.store.lastTrigger(of: line.id)?.attempts == 3)
            #expect(try await bed.messages(to: "+79001234567").last?.body.contains("•••• 0002") == true)
            bed.clock.advance(by: .seconds(3600))
            #expect(try await bed.service.runAutopay() == 0, "a day's pause after a failed occasion")
            #expect(try await bed.balance(line) == "0.00")
            #expect(
                try await bed.service.history(of: line.id, before: nil, limit: 10).map(\.status) == [
                    .declined, .declined, .declined,
                ])
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func aBalanceChangeReportedByBillingIsActedOnAtOnce(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            let other = try await bed.line("+79001234568")
            try await bed.topUp(line, "150.00", saveCard: true)
            _ = try await bed.service.setAutopay(
                AutopayRule(
                    line: line.id, kind: .threshold, threshold: rub(10_000), dayOfMonth: nil,
                    amount: rub(30_000), monthlyCap: rub(100_000), updatedAt: .distantPast))
            try await spend(bed, line, 10_000, "s1")
            #expect(try await bed.service.runAutopay(changed: [other.id]) == 0, "another line changed")
            #expect(try await bed.service.runAutopay(changed: [line.id]) == 1)
            #expect(try await bed.balance(line) == "350.00")
            let watch = BalanceWatch()
            await watch.add([line.id, other.id])
            let first = await watch.next(now: bed.clock.now, interval: 60)
            #expect(first.fullScan, "the first look is a full scan")
            await watch.add([line.id])
            let second = await watch.next(now: bed.clock.now, interval: 60)
            #expect(!second.fullScan)
            #expect(second.lines == [line.id])
        }
    }
}
