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

/// Who may do what, tried with the wrong caller on both backends: another line, a delegate who may only look, an
/// agent of another region, a disabled agent.
@Suite struct SupportAccessTests {
    @Test(arguments: TestDatabase.available)
    func noOneElseReadsALinesTicketOrItsFiles(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let owner = bed.access(try await bed.line("+79001231001"))
            let stranger = bed.access(try await bed.line("+79001231002"))
            let ticket = try await bed.service.open(
                TicketDraft(
                    category: "other", subject: "Личное", message: "Паспорт",
                    attachments: [NewAttachment(fileName: "p.png", bytes: SupportTestBed.png)]),
                on: owner, language: .ru)
            let file = try #require(try await bed.service.thread(ticket.id, of: owner).messages[0].attachments.first)

            for attempt in [
                { _ = try await bed.service.thread(ticket.id, of: stranger) },
                { _ = try await bed.service.attachment(file.id, of: ticket.id, line: stranger) },
                { _ = try await bed.service.reply(to: ticket.id, on: stranger, body: "Я", attachments: []) },
                { _ = try await bed.service.messages(of: ticket.id, line: stranger, after: nil) },
            ] as [@Sendable () async throws -> Void] {
                let error = await #expect(throws: CabinetError.self) { try await attempt() }
                #expect(error?.code == SupportError.ticketNotFound)
            }
            #expect(try await bed.service.tickets(of: stranger, before: nil, limit: 10).isEmpty)
            // A file id of the line's own other ticket does not open through this one.
            let second = try await bed.service.open(
                TicketDraft(category: "other", subject: "Второе", message: "Текст"), on: owner, language: .ru)
            let wrongPair = await #expect(throws: CabinetError.self) {
                try await bed.service.attachment(file.id, of: second.id, line: owner)
            }
            #expect(wrongPair?.code == SupportError.attachmentNotFound)

            // A delegate who may only look reads but does not write in the owner's name.
            var looker = owner
            looker.relation = .delegated(expiresAt: bed.clock.now.addingTimeInterval(86_400))
            looker.scopes = [.viewBalance]
            #expect(try await bed.service.thread(ticket.id, of: looker).ticket.id == ticket.id)
            let write = await #expect(throws: CabinetError.self) {
                try await bed.service.reply(to: ticket.id, on: looker, body: "От делегата", attachments: [])
            }
            #expect(write?.code == KernelError.scopeMissing)
            // A blocked line may still write to support (that is when it is needed).
            var blocked = owner
            blocked.status = .blocked
            _ = try await bed.service.reply(to: ticket.id, on: blocked, body: "SIM потеряна", attachments: [])
        }
    }

    @Test(arguments: TestDatabase.available)
    func agentsSeeOnlyTheirRegionsAndNotesStayInternal(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let moscow = bed.access(try await bed.line("+79001232001"))
            let almaty = bed.access(try await bed.line("+77011232001", region: "almaty"))
            let msk = try await bed.service.open(
                TicketDraft(category: "other", subject: "Москва", message: "Текст"), on: moscow, language: .ru)
            let kz = try await bed.service.open(
                TicketDraft(category: "other", subject: "Алматы", message: "Текст"), on: almaty, language: .ru)
            let (mskAgent, _) = try await bed.agent("msk-agent", regions: ["msk"])
            let (kzAgent, _) = try await bed.agent("kz-agent", regions: ["almaty"])

            #expect(try await bed.service.queue(for: mskAgent, filter: QueueFilter(regions: [])).map(\.id) == [msk.id])
            // Asking for another region's queue gives nothing, not that region.
            let foreign = QueueFilter(regions: [try #require(RegionID(rawValue: "almaty"))])
            #expect(try await bed.service.queue(for: mskAgent, filter: foreign).isEmpty)
            for attempt in [
                { _ = try await bed.service.view(kz.id, by: mskAgent) },
                { try await bed.service.take(kz.id, by: mskAgent) },
                { _ = try await bed.service.reply(to: kz.id, by: mskAgent, body: "Ответ", status: nil) },
                { _ = try await bed.service.note(on: kz.id, by: mskAgent, body: "Заметка") },
            ] as [@Sendable () async throws -> Void] {
                let error = await #expect(throws: CabinetError.self) { try await attempt() }
                #expect(error?.code == SupportError.ticketNotFound)
            }
            // Handing over to an agent of another region is refused.
            try await bed.service.take(msk.id, by: mskAgent)
            let handover = await #expect(throws: CabinetError.self) {
                try await bed.service.handOver(msk.id, by: mskAgent, to: kzAgent.login)
            }
            #expect(handover?.code == SupportError.agentNotFound)
            // Another agent of the region may not take an assigned ticket; a supervisor may reassign it.
            let (colleague, _) = try await bed.agent("colleague")
            let (supervisor, _) = try await bed.agent("chief", role: .supervisor)
            let taken = await #expect(throws: CabinetError.self) { try await bed.service.take(msk.id, by: colleague) }
            #expect(taken?.code == SupportError.agentForbidden)
            let notTheirs = await #expect(throws: CabinetError.self) {
                try await bed.service.handOver(msk.id, by: colleague, to: colleague.login)
            }
            #expect(notTheirs?.code == SupportError.agentForbidden)
            try await bed.service.handOver(msk.id, by: supervisor, to: colleague.login)
            #expect(try await bed.service.view(msk.id, by: colleague).thread.ticket.assignedAgent == colleague.id)

            // An internal note is the agents' only.
            _ = try await bed.service.note(on: msk.id, by: colleague, body: "Проверить платёж в шлюзе")
            let seen = try await bed.service.thread(msk.id, of: moscow).messages.map(\.body)
            #expect(!seen.contains("Проверить платёж в шлюзе"))
            #expect(try await bed.service.view(msk.id, by: colleague).thread.messages.contains { $0.isInternal })
        }
    }

    @Test(arguments: TestDatabase.available)
    func ofTwoAgentsTakingATicketAtOnceOneGetsIt(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let line = bed.access(try await bed.line("+79001232101"))
            let ticket = try await bed.service.open(
                TicketDraft(category: "other", subject: "Кто возьмёт", message: "Текст"), on: line, language: .ru)
            var agents: [Agent] = []
            for index in 0..<6 { agents.append(try await bed.agent("taker\(index)").agent) }
            let taken = await withTaskGroup(of: Bool.self) { group in
                for agent in agents {
                    group.addTask { (try? await bed.service.take(ticket.id, by: agent)) != nil }
                }
                var count = 0
                for await ok in group where ok { count += 1 }
                return count
            }
            #expect(taken == 1)
            let owner = try #require(try await bed.service.ticket(ticket.id, by: agents[0]).assignedAgent)
            #expect(agents.contains { $0.id == owner })
        }
    }

    @Test(arguments: TestDatabase.available)
    func everyLookAtALineIsJournaledWhileTheTicketIsOpen(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let line = try await bed.line("+79001233001", credit: "150.00")
            let me = bed.access(line)
            let ticket = try await bed.service.open(
                TicketDraft(category: "payments", subject: "Баланс", message: "Текст"), on: me, language: .ru)
            let (agent, _) = try await bed.agent("viewer")
            let view = try await bed.service.view(ticket.id, by: agent)
            let context = try #require(view.context)
            #expect(context.dashboard?.balance.amountString == "150.00")
            #expect(context.openRequests.map(\.id).contains(ticket.id))
            _ = try await bed.service.view(ticket.id, by: agent)
            #expect(bed.views.all.count == 2)
            #expect(
                bed.views.all.allSatisfy { $0.line == line.id && $0.agent == agent.name && $0.ticket == ticket.number })
            let journal = try await bed.store.journal(ofTicket: ticket.id).filter { $0.action == "ticket.view" }
            #expect(journal.count == 2)
            // Once resolved, the line's context is no longer shown, and no look is recorded.
            try await bed.service.setStatus(ticket.id, by: agent, to: .resolved)
            let after = try await bed.service.view(ticket.id, by: agent)
            #expect(after.context == nil)
            #expect(bed.views.all.count == 2)
        }
    }
}
