import Billing
import BillingTesting
import CabinetCore
import CabinetTesting
import Foundation
import Subscribers
import Support
import SupportStorage
import SupportTesting
import Testing

/// A compensation request names a movement of the line's balance history; an approval credits the line once through
/// Billing's ledger (`compensation:<ticket>`), in the transaction that resolves the ticket.
@Suite struct CompensationTests {
    /// A line charged 60.00 for a statement-like fee: the movement to dispute.
    func chargedLine(_ bed: SupportTestBed, _ number: String) async throws -> (LineAccess, LedgerMovement) {
        let line = try await bed.line(number, credit: "200.00")
        let access = bed.access(line)
        _ = try await bed.billing.billingStore.post(
            LedgerPosting(
                externalID: "test-charge:\(number)", kind: .optionFee, line: line.id,
                amount: Money(minorUnits: -6_000, currency: .rub), counterparty: .revenue,
                explanation: "billing.explain.fee", allowsNegativeBalance: false, at: bed.clock.now))
        let movement = try #require(
            try await bed.billing.service.history(access, query: MovementQuery(limit: 10)).first {
                $0.externalID == "test-charge:\(number)"
            })
        return (access, movement)
    }

    func dispute(_ bed: SupportTestBed, _ line: LineAccess, _ movement: LedgerMovement, _ amount: Int64) async throws
        -> Ticket
    {
        try await bed.service.open(
            TicketDraft(
                category: "payments", subject: "Лишнее списание", message: "Не подключал",
                compensation: (movement.entryID, Money(minorUnits: amount, currency: .rub))),
            on: line, language: .ru)
    }

    @Test(arguments: TestDatabase.available)
    func concurrentApprovalsCreditOnce(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let (line, movement) = try await chargedLine(bed, "+79001234001")
            let ticket = try await dispute(bed, line, movement, 5_000)
            #expect(ticket.kind == .compensation)
            #expect(try await bed.billing.requests.request(ticket.id)?.kind == "support.compensation")
            let (first, _) = try await bed.agent("first")
            let (second, _) = try await bed.agent("second")
            let agents = [first, second, first, second, first, second]
            let outcomes = await withTaskGroup(of: String.self) { group in
                for agent in agents {
                    group.addTask {
                        do {
                            try await bed.service.approveCompensation(
                                ticket.id, by: agent, amount: Money(minorUnits: 5_000, currency: .rub))
                            return "ok"
                        } catch let error as CabinetError {
                            return error.code.rawValue
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                var all: [String] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter { $0 == "ok" }.count == 1)
            #expect(outcomes.filter { $0 == SupportError.compensationDecided.rawValue }.count == agents.count - 1)
            // 200.00 − 60.00 + 50.00, credited once; the history explains it and names the ticket.
            #expect(
                try await bed.billing.balance(try #require(try await bed.billing.lines.line(msisdn: line.msisdn)))
                    == "190.00")
            let credit = try #require(
                try await bed.billing.service.history(line, query: MovementQuery(limit: 10)).first {
                    $0.externalID == Compensation.externalID(ticket: ticket.id)
                })
            #expect(credit.explanation == "support.explain.compensation")
            #expect(credit.arguments["ticket"] == ticket.number)
            let decided = try await bed.service.thread(ticket.id, of: line).ticket
            #expect(decided.status == .resolved)
            guard case .approved(let amount, _)? = decided.compensation?.decision else {
                Issue.record("not approved")
                return
            }
            #expect(amount.minorUnits == 5_000)
            #expect(try await bed.billing.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theAgentsLimitTheMovementAndTheLineBoundARequest(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let (line, movement) = try await chargedLine(bed, "+79001234002")
            let (stranger, _) = try await chargedLine(bed, "+79001234003")
            // More than the movement, another line's movement, a movement that does not exist.
            let tooMuch = await #expect(throws: CabinetError.self) { try await dispute(bed, line, movement, 6_001) }
            #expect(tooMuch?.fieldErrors.first?.code == SupportError.amountInvalid)
            let notTheirs = await #expect(throws: CabinetError.self) {
                try await dispute(bed, stranger, movement, 1_000)
            }
            #expect(notTheirs?.code == SupportError.movementNotFound)
            var missing = movement
            missing.entryID = 999_999
            await #expect(throws: CabinetError.self) { try await dispute(bed, line, missing, 1_000) }

            let ticket = try await dispute(bed, line, movement, 6_000)
            let twice = await #expect(throws: CabinetError.self) { try await dispute(bed, line, movement, 100) }
            #expect(twice?.code == SupportError.compensationOpen)

            // Never more than was disputed, whoever approves.
            let (agent, _) = try await bed.agent("limited")
            let (chief, _) = try await bed.agent("chief", role: .supervisor)
            let above = await #expect(throws: CabinetError.self) {
                try await bed.service.approveCompensation(
                    ticket.id, by: agent, amount: Money(minorUnits: 6_001, currency: .rub))
            }
            #expect(above?.fieldErrors.first?.code == SupportError.amountInvalid)
            try await bed.service.rejectCompensation(ticket.id, by: chief, reason: "Услуга была подключена вами")
            let after = try await bed.service.thread(ticket.id, of: line).ticket
            #expect(after.status == .resolved)
            let retry = await #expect(throws: CabinetError.self) {
                try await bed.service.approveCompensation(
                    ticket.id, by: chief, amount: Money(minorUnits: 100, currency: .rub))
            }
            #expect(retry?.code == SupportError.compensationDecided)
            #expect(
                try await bed.billing.balance(try #require(try await bed.billing.lines.line(msisdn: line.msisdn)))
                    == "140.00")
            // A rejected dispute frees the movement for a new request.
            _ = try await dispute(bed, line, movement, 100)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aChargeIsCompensatedOnceAndOnlyACharge(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let (line, movement) = try await chargedLine(bed, "+79001234005")
            // A credit (the top-up that opened the line) cannot be disputed.
            let topUp = try #require(
                try await bed.billing.service.history(line, query: MovementQuery(limit: 10)).first {
                    $0.amount.isPositive
                })
            let credit = await #expect(throws: CabinetError.self) { try await dispute(bed, line, topUp, 100) }
            #expect(credit?.code == SupportError.movementNotFound)

            let ticket = try await dispute(bed, line, movement, 6_000)
            let (agent, _) = try await bed.agent("decider")
            // Only a decision resolves a compensation request.
            let undecided = await #expect(throws: CabinetError.self) {
                try await bed.service.setStatus(ticket.id, by: agent, to: .resolved)
            }
            #expect(undecided?.code == SupportError.compensationUndecided)
            await #expect(throws: CabinetError.self) {
                try await bed.service.reply(to: ticket.id, by: agent, body: "Решено", status: .resolved)
            }
            try await bed.service.approveCompensation(
                ticket.id, by: agent, amount: Money(minorUnits: 6_000, currency: .rub))
            // Approved once: the same charge cannot be disputed again.
            let again = await #expect(throws: CabinetError.self) { try await dispute(bed, line, movement, 6_000) }
            #expect(again?.code == SupportError.compensationOpen)
            #expect(
                try await bed.billing.balance(try #require(try await bed.billing.lines.line(msisdn: line.msisdn)))
                    == "200.00")
            // Control characters never reach a ticket.
            let nul = await #expect(throws: CabinetError.self) {
                try await bed.service.open(
                    TicketDraft(category: "other", subject: "Тема\u{0}", message: "Текст"), on: line, language: .ru)
            }
            #expect(nul?.fieldErrors.first?.code == SupportError.subjectInvalid)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aboveTheAgentLimitASupervisorApproves(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234004", credit: "500.00")
            let access = bed.access(line)
            _ = try await bed.billing.billingStore.post(
                LedgerPosting(
                    externalID: "big-charge", kind: .optionFee, line: line.id,
                    amount: Money(minorUnits: -30_000, currency: .rub), counterparty: .revenue,
                    explanation: "billing.explain.fee", allowsNegativeBalance: false, at: bed.clock.now))
            let movement = try #require(
                try await bed.billing.service.history(access, query: MovementQuery(limit: 5)).first {
                    $0.externalID == "big-charge"
                })
            let ticket = try await dispute(bed, access, movement, 30_000)
            let (agent, _) = try await bed.agent("agent")
            let (chief, _) = try await bed.agent("chief", role: .supervisor)
            // The test region's agents may approve up to 100.00.
            let refused = await #expect(throws: CabinetError.self) {
                try await bed.service.approveCompensation(
                    ticket.id, by: agent, amount: Money(minorUnits: 10_001, currency: .rub))
            }
            #expect(refused?.code == SupportError.supervisorRequired)
            try await bed.service.approveCompensation(
                ticket.id, by: chief, amount: Money(minorUnits: 30_000, currency: .rub))
            #expect(try await bed.billing.balance(line) == "500.00")
        }
    }
}
