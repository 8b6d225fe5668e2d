import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetTesting
import Foundation
import Services
import ServicesStorage
import ServicesTesting
import Subscribers
import SubscribersTesting
import Testing

/// The black list on SQLite and PostgreSQL: its fees, numbers in every form people type, its limit under
/// concurrency, keeping the numbers after it is switched off, and the network's check with every reason.
@Suite struct BlackListTests {
    @Test(arguments: TestDatabase.available)
    func numbersAreAddedInEveryFormWithTheirFeesAndLimit(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            let access = bed.access(line)
            let off = await #expect(throws: CabinetError.self) {
                try await bed.service.addToBlackList("+7 900 111-22-33", label: nil, for: access)
            }
            #expect(off?.code == ServicesError.blackListOff)
            _ = try await bed.service.connectBlackList(for: access)
            // 10.00 to connect and half of today's 1.00 (from noon in Moscow).
            #expect(try await bed.billing.balance(line) == "89.50")
            for typed in ["8 (495) 123-45-67", "+44 7911 123456", "9001112233"] {
                _ = try await bed.service.addToBlackList(typed, label: "спам", for: access)
            }
            #expect(try await bed.billing.balance(line) == "83.50", "2.00 per number")
            let numbers = try await bed.store.entries(of: line.id).map(\.number.e164).sorted()
            #expect(numbers == ["+447911123456", "+74951234567", "+79001112233"])
            for (typed, code) in [
                ("900", ServicesError.numberShort), ("0611", ServicesError.numberShort),
                ("hello", ServicesError.numberInvalid), ("+7 900 123-45-67", ServicesError.numberOwn),
            ] {
                let refused = await #expect(throws: CabinetError.self) {
                    try await bed.service.addToBlackList(typed, label: nil, for: access)
                }
                #expect(refused?.fieldErrors.first?.code == code, "\(typed)")
            }
            let twice = await #expect(throws: CabinetError.self) {
                try await bed.service.addToBlackList("+74951234567", label: nil, for: access)
            }
            #expect(twice?.code == ServicesError.blackListHas)
            #expect(try await bed.billing.balance(line) == "83.50", "refusals charge nothing")

            // Ten adds at once against a limit of five (three taken): exactly two more get in.
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        (try? await bed.service.addToBlackList("+7 916 000-00-\(10 + index)", label: nil, for: access))
                            != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 2)
            #expect(try await bed.store.entries(of: line.id).count == 5)
            #expect(try await bed.billing.balance(line) == "79.50")
            let added = try #require(
                try await bed.store.entries(of: line.id).first { $0.number.e164.hasPrefix("+7916") })
            _ = try await bed.service.removeFromBlackList(added.number.e164, for: access)
            #expect(try await bed.store.entries(of: line.id).count == 4)
            #expect(try await bed.billing.balance(line) == "79.50", "removing is free")
            #expect(try await bed.billing.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func switchingOffKeepsTheNumbersForTheRetentionTime(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            let access = bed.access(line)
            _ = try await bed.service.connectBlackList(for: access)
            _ = try await bed.service.addToBlackList("+74951234567", label: nil, for: access)
            // A blocked SIM (maybe in a thief's hands) is looked at, not changed.
            let blocked = LineAccess.owned(line.id, msisdn: line.msisdn, region: line.region, status: .blocked)
            let refused = await #expect(throws: CabinetError.self) {
                try await bed.service.addToBlackList("+74957654321", label: nil, for: blocked)
            }
            #expect(refused?.code == KernelError.lineBlocked)
            _ = try await bed.service.disconnectBlackList(for: access)
            #expect(try await bed.billing.store.scheduledCharges(of: line.id).isEmpty, "no daily fee while off")
            #expect(try await bed.service.blackList(for: access).entries.count == 1)
            bed.billing.clock.advance(by: .seconds(10 * 86_400))
            _ = try await bed.service.connectBlackList(for: access)
            #expect(try await bed.service.blackList(for: access).entries.count == 1, "restored within 30 days")
            _ = try await bed.service.disconnectBlackList(for: access)
            bed.billing.clock.advance(by: .seconds(31 * 86_400))
            _ = try await bed.service.connectBlackList(for: access)
            #expect(try await bed.service.blackList(for: access).entries.isEmpty, "kept no longer than 30 days")
        }
    }

    func attempt(
        _ id: String, _ from: String, _ to: String, kind: CallAttempt.Kind = .voice, roaming: Bool = false,
        at: Date
    ) throws -> CallAttempt {
        CallAttempt(
            id: id, from: try #require(PhoneNumber(network: from)), to: try #require(PhoneNumber(network: to)),
            kind: kind,
            at: at, roaming: roaming)
    }

    @Test(arguments: TestDatabase.available)
    func theNetworkCheckAnswersEveryReasonAndLogsOnce(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let alice = try await bed.line("+79001234567", credit: "100.00")
            let bob = try await bed.line("+79001234568", credit: "100.00")
            let broke = try await bed.line("+79001234569", credit: "1.00")
            let lost = try await bed.line("+79001234560", credit: "100.00")
            let now = bed.billing.clock.now
            _ = try await bed.service.connectBlackList(for: bed.access(alice))
            _ = try await bed.service.addToBlackList("+74951234567", label: nil, for: bed.access(alice))
            for ban in ["roaming-ban", "intl-call-ban", "premium-sms-ban"] {
                _ = try await bed.service.connect(try bed.option(ban), for: bed.access(bob), replacing: [])
            }
            _ = try await bed.billing.store.post(
                LedgerPosting(
                    externalID: "usage-broke", kind: .usage, line: broke.id,
                    amount: Money(minorUnits: -500, currency: .rub), counterparty: .revenue,
                    explanation: "billing.explain.usage", allowsNegativeBalance: true, at: now))
            _ = try await bed.billing.lines.update(msisdn: lost.msisdn, with: LinePatch(status: .blocked))

            let batch = [
                try attempt("e1", "+74951234567", "+79001234567", at: now),
                try attempt("e2", "+79001234568", "+79001234567", roaming: true, at: now),
                try attempt("e3", "+79001234568", "+447911123456", at: now),
                try attempt("e4", "+79001234568", "+79001234567", kind: .sms, at: now),
                try attempt("e5", "+79001234567", "+74951234567", at: now),
                try attempt("e6", "+79001234569", "+79001234567", at: now),
                try attempt("e7", "+79001234560", "+79001234567", at: now),
                try attempt("e8", "+74951234567", "+79001234560", at: now),
                try attempt("e9", "+74951234567", "+74957654321", at: now),
                try attempt("e10", "+79001234568", "7900", kind: .sms, at: now),
                try attempt("e11", "+79001234567", "7900", kind: .sms, at: now),
            ].compactMap { $0 }
            let answers = try await bed.service.check(batch)
            let reasons = Dictionary(uniqueKeysWithValues: answers.map { ($0.id, $0.reason?.rawValue ?? "allow") })
            #expect(reasons["e1"] == "blackList")
            #expect(reasons["e2"] == "barring.roaming")
            #expect(reasons["e3"] == "barring.international")
            #expect(reasons["e4"] == "allow", "an SMS between two lines")
            #expect(reasons["e5"] == "allow", "the black list stops incoming calls only")
            #expect(reasons["e6"] == "line.restricted")
            #expect(reasons["e7"] == "line.blocked", "a lost SIM calls nobody")
            #expect(reasons["e8"] == "line.blocked", "and is called by nobody")
            #expect(reasons["e9"] == "unknownLine")
            #expect(reasons["e10"] == "barring.premiumSms")
            #expect(reasons["e11"] == "allow", "no ban on this line")
            // The blocked-call log has e1 once, however often the network asks again.
            _ = try await bed.service.check(batch)
            let log = try await bed.store.blockedCalls(of: alice.id, since: now.addingTimeInterval(-60), limit: 10)
            #expect(log.map(\.eventID) == ["e1"])
            let view = try await bed.service.blackList(for: bed.access(alice))
            #expect(view.blocked.first?.count == 1 && view.blocked.first?.number == "+74951234567")
        }
    }
}
