import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetMessaging
import CabinetStorage
import CabinetTesting
import Foundation
import Subscribers
import Tariffs
import Testing

/// The full statement: ordered at the region's price, produced by the worker, mailed through the outbox; refunded when
/// it cannot be produced.
@Suite struct StatementTests {
    /// A renderer that fails, to prove the refund.
    struct Broken: StatementRenderer {
        func render(_ statement: FullStatement, texts: BillingTexts) throws -> StatementFile {
            throw CabinetError.internal("disk full")
        }
    }

    func producer(_ bed: BillingTestBed, renderers: [any StatementRenderer]) -> StatementProducer {
        StatementProducer(
            store: bed.billingStore, rules: bed.rules, lines: bed.directory, renderers: renderers, texts: bed.texts,
            clock: bed.clock,
            logger: .test)
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func anOrderedStatementIsChargedProducedAndMailed(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg", credit: "100.00")
            _ = try await bed.service.ingest([bed.call(line, "c1", seconds: 61), bed.sms(line, "s1")])
            let request = try await bed.service.orderStatement(
                bed.access(line), from: LocalDate("2026-11-01")!, to: LocalDate("2026-11-10")!,
                language: .ru)
            #expect(request.status == .processing && request.kind == "billing.statement")
            #expect(try await bed.balance(line) == "62.50", "100.00 − 5.00 − 2.50 − 30.00")

            #expect(try await producer(bed, renderers: [StatementCSVRenderer()]).runOnce() == 1)
            #expect(try await bed.requests.request(request.id)?.status == .done)
            let queued = try await bed.queuedMessages(to: "owner@example.com")
            #expect(queued.count == 1 && queued.first?.subject?.contains("+7 900 123-45-67") == true)
            #expect(queued.first?.purpose == "billing.statement")
            let mail = try await bed.deliverMail()
            #expect(mail.map(\.to) == ["owner@example.com"])
            let attachment = try #require(mail.first?.attachments.first)
            #expect(attachment.fileName == "statement-9001234567-2026-11-01-2026-11-10.csv")
            let csv = String(decoding: attachment.data, as: UTF8.self)
            #expect(csv.contains("Звонок на другие сети;+79161234567;2 мин;0 мин;5.00;RUB"))
            #expect(try await producer(bed, renderers: [StatementCSVRenderer()]).runOnce() == 0, "sent once")
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func aStatementThatCannotBeProducedIsRefunded(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg", credit: "100.00")
            let request = try await bed.service.orderStatement(
                bed.access(line), from: LocalDate("2026-11-01")!, to: LocalDate("2026-11-10")!,
                language: .en)
            #expect(try await bed.balance(line) == "70.00")
            let broken = producer(bed, renderers: [Broken()])
            for attempt in 1...StatementProducer.maxAttempts {
                _ = try await broken.runOnce()
                bed.clock.advance(by: .seconds(301))  // the lease of the failed attempt runs out
                let status = try await bed.requests.request(request.id)?.status
                #expect(status == (attempt < StatementProducer.maxAttempts ? .processing : .failed))
            }
            #expect(try await bed.balance(line) == "100.00", "the 30.00 came back")
            let refund = try await bed.billingStore.movements(of: line.id, query: MovementQuery(kinds: [.refund]))
            #expect(refund.count == 1)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func ordersAreRefusedWithoutMoneyWithoutAnAddressOrBeyondTheHistoryDepth(_ backend: BillingTestBed.Backend)
        async throws
    {
        try await BillingTestBed.with(backend) { bed in
            let poor = try await bed.line("+79001234567", tariff: "payg", credit: "10.00")
            let from = LocalDate("2026-11-01")!
            let to = LocalDate("2026-11-10")!
            await #expect(throws: CabinetError.self) {
                try await bed.service.orderStatement(bed.access(poor), from: from, to: to, language: .ru)
            }
            #expect(try await bed.balance(poor) == "10.00")
            let silent = try await bed.line("+79001234568", tariff: "payg", credit: "100.00", email: nil)
            do {
                _ = try await bed.service.orderStatement(bed.access(silent), from: from, to: to, language: .ru)
                Issue.record("ordered without an e-mail address")
            } catch let error as CabinetError {
                #expect(error.code == BillingError.noEmail)
            }
            // An address the owner has not confirmed gets nothing.
            let unconfirmed = try await bed.line(
                "+79001234569", tariff: "payg", credit: "100.00", email: "x@example.com")
            bed.emails.only([:])
            let refused = await #expect(throws: CabinetError.self) {
                try await bed.service.orderStatement(bed.access(unconfirmed), from: from, to: to, language: .ru)
            }
            #expect(refused?.code == BillingError.emailNotConfirmed)
            #expect(try await bed.balance(unconfirmed) == "100.00", "nothing charged")
            bed.emails.only([unconfirmed.id: "X@example.com"])
            _ = try await bed.service.orderStatement(bed.access(unconfirmed), from: from, to: to, language: .ru)
            do {
                _ = try await bed.service.shortStatement(bed.access(silent), from: LocalDate("2025-01-01")!, to: to)
                Issue.record("a statement reached beyond the history depth")
            } catch let error as CabinetError {
                #expect(error.code == BillingError.periodTooOld)
            }
            await #expect(throws: CabinetError.self) {
                try await bed.service.shortStatement(bed.access(silent), from: to, to: from)
            }
            #expect(try await bed.check().isClean)
        }
    }
}
