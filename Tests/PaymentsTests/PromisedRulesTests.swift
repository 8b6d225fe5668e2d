import CabinetCore
import CabinetTesting
import Foundation
import Payments
import Testing

/// The promised-payment rules alone: which tier, and every reason when none.
@Suite struct PromisedRulesTests {
    let rules: PromisedPaymentRules
    let now = Date(timeIntervalSince1970: 1_794_000_000)

    init() throws {
        let yaml = """
            topUp: {minimum: "50.00", maximum: "15000.00"}
            promisedPayment:
              availableBelow: "100.00"
              maxActive: 1
              tiers:
                - {minDaysOnNetwork: 60, minAverageMonthlyTopUps: "0.00", amounts: ["50.00", "100.00"], termDays: 3, fee: "5.00"}
                - {minDaysOnNetwork: 180, minAverageMonthlyTopUps: "300.00", amounts: ["100.00", "300.00"], termDays: 7, fee: "15.00"}
            transfers: {minimum: "10.00", maxPerTransfer: "5000.00", maxPerDay: "15000.00", fee: "0.00"}
            autopay: {maxAmount: "5000.00", maxPerMonth: "15000.00"}
            anonymous: {maxPerAddressPerHour: 20, maxPerNumberPerHour: 10}
            """
        rules = try #require(SettingsProbe.read(PaymentsSettings.self, yaml: yaml).settings).promisedPayment
    }

    func facts(days: Int, topUps: Int64 = 0, balance: Int64 = 0, active: Bool = false, lineActive: Bool = true)
        -> PromisedFacts
    {
        PromisedFacts(
            daysOnNetwork: days, averageMonthlyTopUps: Money(minorUnits: topUps, currency: .rub),
            balance: Money(minorUnits: balance, currency: .rub),
            active: active
                ? PromisedPayment(
                    id: 1, line: SubscriberID(1), amount: Money(minorUnits: 5_000, currency: .rub),
                    fee: Money(minorUnits: 500, currency: .rub), status: .active, takenAt: now,
                    dueAt: now.addingTimeInterval(86_400), requestID: nil, closedAt: nil) : nil,
            lineActive: lineActive)
    }

    @Test func theMostGenerousQualifyingTierIsOffered() {
        let basic = rules.evaluate(facts(days: 200, topUps: 29_999), now: now)
        #expect(basic.offer?.amounts.map(\.amountString) == ["50.00", "100.00"])
        #expect(basic.offer?.fee.amountString == "5.00")
        #expect(basic.offer?.dueAt == now.addingTimeInterval(3 * 86_400))
        let generous = rules.evaluate(facts(days: 180, topUps: 30_000), now: now)
        #expect(generous.offer?.amounts.map(\.amountString) == ["100.00", "300.00"])
        #expect(generous.offer?.termDays == 7)
    }

    @Test func everyReasonIsGivenWithItsFigures() {
        let young = rules.evaluate(facts(days: 12, balance: 15_000, active: true), now: now)
        #expect(young.offer == nil)
        #expect(
            young.refusals.map(\.code) == [
                PromisedRefusal.alreadyActive, PromisedRefusal.balanceHigh, PromisedRefusal.tenure,
            ])
        #expect(young.refusals.last?.arguments == ["days": "12", "required": "60"])
        #expect(young.refusals[1].arguments == ["balance": "150.00", "threshold": "100.00"])
        let blocked = rules.evaluate(facts(days: 400, lineActive: false), now: now)
        #expect(blocked.refusals.map(\.code) == [PromisedRefusal.lineInactive])
        #expect(rules.evaluate(facts(days: 60, balance: 9_999), now: now).offer != nil, "just below the threshold")
        #expect(rules.evaluate(facts(days: 60, balance: 10_000), now: now).offer == nil, "at the threshold")
    }
}
