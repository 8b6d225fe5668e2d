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

/// A ticket's life with a manual clock, on SQLite and PostgreSQL: its number is a request record's, first-response
/// deadlines by category, replies moving the status, the reopen window and the closing after it, rating once.
@Suite struct TicketLifecycleTests {
    @Test(arguments: TestDatabase.available)
    func aTicketLivesFromNewToClosed(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let line = try await bed.line("+79001230001")
            let me = bed.access(line)
            let opened = bed.clock.now
            let ticket = try await bed.service.open(
                TicketDraft(category: "payments", subject: "Деньги не пришли", message: "Пополнил, а баланса нет"),
                on: me, language: .ru)
            #expect(ticket.status == .new)
            #expect(ticket.firstResponseDue == opened.addingTimeInterval(4 * 3600))
            // The ticket is a request record: the history lists it under the same number.
            let record = try #require(try await bed.billing.requests.request(ticket.id))
            #expect(record.kind == "support.ticket")
            #expect(record.status == .pending)
            #expect(ticket.number == record.number)

            let (agent, credentials) = try await bed.agent("petrov")
            _ = credentials
            bed.clock.advance(by: .seconds(3600))
            try await bed.service.take(ticket.id, by: agent)
            _ = try await bed.service.reply(to: ticket.id, by: agent, body: "Проверяем платёж", status: nil)
            var now = try await bed.service.thread(ticket.id, of: me).ticket
            #expect(now.status == .waitingForCustomer)
            #expect(now.firstRespondedAt == opened.addingTimeInterval(3600))
            #expect(now.isOverdue(at: bed.clock.now) == false)

            _ = try await bed.service.reply(to: ticket.id, on: me, body: "Чек в приложении", attachments: [])
            #expect(try await bed.service.thread(ticket.id, of: me).ticket.status == .inProgress)

            try await bed.service.setStatus(ticket.id, by: agent, to: .resolved)
            now = try await bed.service.thread(ticket.id, of: me).ticket
            #expect(now.status == .resolved)
            #expect(try await bed.billing.requests.request(ticket.id)?.status == .done)

            // Reopened within the region's three days, resolved again, then closed when the window ends.
            bed.clock.advance(by: .seconds(2 * 86_400))
            #expect(try await bed.service.reopen(ticket.id, on: me).status == .inProgress)
            try await bed.service.setStatus(ticket.id, by: agent, to: .resolved)
            bed.clock.advance(by: .seconds(2 * 86_400))
            #expect(try await bed.service.closeExpired() == 0)
            bed.clock.advance(by: .seconds(86_400 + 60))
            #expect(try await bed.service.closeExpired() == 1)
            #expect(try await bed.service.closeExpired() == 0)
            let closed = try await bed.service.thread(ticket.id, of: me).ticket
            #expect(closed.status == .closed)
            let refused = await #expect(throws: CabinetError.self) { try await bed.service.reopen(ticket.id, on: me) }
            #expect(refused?.code == SupportError.reopenRefused)
            let late = await #expect(throws: CabinetError.self) {
                try await bed.service.reply(to: ticket.id, on: me, body: "Ещё вопрос", attachments: [])
            }
            #expect(late?.code == SupportError.ticketClosed)

            // Rated once, 1–5.
            await #expect(throws: CabinetError.self) {
                try await bed.service.rate(ticket.id, on: me, stars: 6, comment: nil)
            }
            #expect(try await bed.service.rate(ticket.id, on: me, stars: 5, comment: "Спасибо").rating == 5)
            let again = await #expect(throws: CabinetError.self) {
                try await bed.service.rate(ticket.id, on: me, stars: 1, comment: nil)
            }
            #expect(again?.code == SupportError.ratingRefused)

            // The request's history shows each status with its time.
            let statuses = try await bed.billing.requests.events(of: ticket.id).map(\.detail)
            #expect(
                statuses == [
                    "support.status.new", "support.status.inProgress", "support.status.waitingForCustomer",
                    "support.status.inProgress", "support.status.resolved", "support.status.inProgress",
                    "support.status.resolved", "support.status.closed",
                ])
            // The conversation: the first message, both answers and the system lines, no internal notes.
            let thread = try await bed.service.thread(ticket.id, of: me)
            #expect(thread.messages.first?.body == "Пополнил, а баланса нет")
            #expect(thread.messages.contains { $0.body == "Проверяем платёж" })
        }
    }

    @Test(arguments: TestDatabase.available)
    func overdueTicketsComeFirstAndAreCounted(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let line = try await bed.line("+79001230002")
            let me = bed.access(line)
            let other = try await bed.service.open(
                TicketDraft(category: "other", subject: "Вопрос", message: "Текст"), on: me, language: .ru)
            bed.clock.advance(by: .seconds(60))
            let payment = try await bed.service.open(
                TicketDraft(category: "payments", subject: "Платёж", message: "Текст"), on: me, language: .ru)
            let (agent, _) = try await bed.agent("queue")
            #expect(try await bed.service.overdueCount() == 0)
            // The payment's 4 hours pass first, though it came later.
            bed.clock.advance(by: .seconds(5 * 3600))
            #expect(try await bed.service.overdueCount() == 1)
            var queue = try await bed.service.queue(for: agent, filter: QueueFilter(regions: []))
            #expect(queue.map(\.id) == [payment.id, other.id])
            #expect(queue.first?.isOverdue(at: bed.clock.now) == true)
            bed.clock.advance(by: .seconds(20 * 3600))
            #expect(try await bed.service.overdueCount() == 2)
            // An answer ends the overdue state.
            _ = try await bed.service.reply(to: payment.id, by: agent, body: "Ответ", status: nil)
            #expect(try await bed.service.overdueCount() == 1)
            queue = try await bed.service.queue(for: agent, filter: QueueFilter(regions: []))
            #expect(queue.first?.id == other.id)
        }
    }

    @Test(arguments: TestDatabase.available)
    func attachmentsAreCheckedByTheirBytes(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let line = try await bed.line("+79001230003")
            let me = bed.access(line)
            func open(_ files: [NewAttachment]) async throws -> Ticket {
                try await bed.service.open(
                    TicketDraft(category: "other", subject: "Скриншот", message: "Смотрите", attachments: files),
                    on: me, language: .ru)
            }
            let ticket = try await open([
                NewAttachment(fileName: "../../screen.pdf", bytes: SupportTestBed.png),
                NewAttachment(fileName: "счёт.pdf", bytes: SupportTestBed.pdf),
            ])
            let files = try await bed.service.thread(ticket.id, of: me).messages[0].attachments
            #expect(files.map(\.type) == [.png, .pdf])
            // The name is made safe and follows the bytes, not what the sender said.
            #expect(files[0].fileName == "screen.png")
            #expect(files[1].fileName == "счёт.pdf")
            let download = try await bed.service.attachment(files[0].id, of: ticket.id, line: me)
            #expect(download.bytes == SupportTestBed.png)

            let html = await #expect(throws: CabinetError.self) {
                try await open([NewAttachment(fileName: "photo.png", bytes: Array("<html><script>".utf8))])
            }
            #expect(html?.fieldErrors.first?.code == SupportError.attachmentType)
            let big = await #expect(throws: CabinetError.self) {
                try await open([
                    NewAttachment(fileName: "big.png", bytes: SupportTestBed.png + Array(repeating: 0, count: 1024))
                ])
            }
            #expect(big?.fieldErrors.first?.code == SupportError.attachmentTooLarge)
            let many = await #expect(throws: CabinetError.self) {
                try await open(Array(repeating: NewAttachment(fileName: "a.png", bytes: SupportTestBed.png), count: 3))
            }
            #expect(many?.fieldErrors.first?.code == SupportError.tooManyAttachments)
            // Nothing of a refused ticket was kept.
            #expect(try await bed.service.tickets(of: me, before: nil, limit: 10).count == 1)
        }
    }
}
