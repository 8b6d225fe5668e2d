import CabinetCore
import CabinetMessaging
import CabinetStorage
import CabinetTesting
import Foundation
import Testing

@Suite struct OutboxTests {
    let number = MSISDN(e164: "+79001234567")!

    func worker(
        _ database: CabinetDatabase, sms: RecordingSMSSender, mail: RecordingMailSender = .init(),
        clock: ManualClock, maxAttempts: Int = 3
    ) -> OutboxWorker {
        OutboxWorker(
            database: database, sms: sms, mail: mail, clock: clock,
            policy: .init(pollInterval: .milliseconds(20), maxAttempts: maxAttempts, baseBackoff: .seconds(5)),
            logger: .test)
    }

    @Test(arguments: TestDatabase.available)
    func aMessageIsSentOnlyIfItsTransactionCommits(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: MessagingSchema.migrations) { database throws in
            let clock = ManualClock()
            struct Rollback: Error {}
            try? await database.write { db in
                try await Outbox.enqueue(OutgoingSMS(to: number, text: "lost", purpose: "test"), on: db, now: clock.now)
                throw Rollback()
            }
            try await database.write { db in
                try await Outbox.enqueue(
                    OutgoingSMS(to: number, text: "Ваш код: 123456", purpose: "auth.otp", sensitive: true),
                    on: db, now: clock.now)
            }
            let sms = RecordingSMSSender()
            #expect(try await worker(database, sms: sms, clock: clock).deliverDue() == 1)
            #expect(sms.sent.map(\.text) == ["Ваш код: 123456"])
            let entries = try await database.read { db in try await Outbox.recent(on: db) }
            #expect(entries.count == 1)
            #expect(entries[0].status == .sent)
            // A real gateway has the code now; the database keeps no readable copy.
            #expect(entries[0].body == "[redacted]")
        }
    }

    /// An e-mail with a code (the address confirmation) is kept readable only until a real mail server has it.
    @Test(arguments: TestDatabase.available)
    func anEmailWithACodeIsRedactedOnceSent(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: MessagingSchema.migrations) { database throws in
            let clock = ManualClock()
            try await database.write { db in
                try await Outbox.enqueue(
                    MailMessage(
                        to: "a@example.org", subject: "Код", textBody: "Код подтверждения: 123456",
                        purpose: "auth.email",
                        sensitive: true), on: db, now: clock.now)
                try await Outbox.enqueue(
                    MailMessage(
                        to: "a@example.org", subject: "Выписка", textBody: "Выписка во вложении", purpose: "billing"),
                    on: db, now: clock.now)
            }
            let mail = RecordingMailSender()
            #expect(try await worker(database, sms: RecordingSMSSender(), mail: mail, clock: clock).deliverDue() == 2)
            #expect(mail.sent.map(\.textBody).contains("Код подтверждения: 123456"))
            let bodies = Set(try await database.read { db in try await Outbox.recent(on: db) }.map(\.body))
            #expect(bodies == ["[redacted]", "Выписка во вложении"])
        }
    }

    @Test(arguments: TestDatabase.available)
    func failuresAreRetriedWithBackoffThenGivenUp(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: MessagingSchema.migrations) { database throws in
            let clock = ManualClock()
            try await database.write { db in
                try await Outbox.enqueue(
                    OutgoingSMS(to: number, text: "alert", purpose: "test"), on: db, now: clock.now)
            }
            let sms = RecordingSMSSender()
            sms.failNext(10)
            let worker = worker(database, sms: sms, clock: clock, maxAttempts: 3)
            #expect(try await worker.deliverDue() == 1)
            #expect(try await worker.deliverDue() == 0, "the retry waits for its backoff")
            clock.advance(by: .seconds(7))
            #expect(try await worker.deliverDue() == 1)
            clock.advance(by: .seconds(13))
            #expect(try await worker.deliverDue() == 1)
            clock.advance(by: .seconds(3600))
            #expect(try await worker.deliverDue() == 0, "given up after 3 attempts")
            let entry = try #require(try await database.read { db in try await Outbox.recent(on: db) }.first)
            #expect(entry.status == .failed)
            #expect(entry.attempts == 3)
            #expect(entry.lastError?.contains("injectedFailure") == true)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aRetryAfterAFailureDelivers(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: MessagingSchema.migrations) { database throws in
            let clock = ManualClock()
            try await database.write { db in
                try await Outbox.enqueue(
                    OutgoingSMS(to: number, text: "hello", purpose: "test"), on: db, now: clock.now)
            }
            let sms = RecordingSMSSender()
            sms.failNext(1)
            let worker = worker(database, sms: sms, clock: clock)
            try await worker.deliverDue()
            clock.advance(by: .seconds(10))
            try await worker.deliverDue()
            #expect(sms.sent.count == 1)
            let entry = try #require(try await database.read { db in try await Outbox.recent(on: db) }.first)
            #expect(entry.status == .sent)
            #expect(entry.body == "hello")
        }
    }

    @Test(arguments: TestDatabase.available)
    func aDedupeKeyKeepsOnlyTheFirstMessage(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: MessagingSchema.migrations) { database throws in
            let clock = ManualClock()
            let first = try await database.write { db in
                try await Outbox.enqueue(
                    OutgoingSMS(to: number, text: "low balance", purpose: "billing", dedupeKey: "low:1:2026-11"),
                    on: db, now: clock.now)
            }
            let second = try await database.write { db in
                try await Outbox.enqueue(
                    OutgoingSMS(to: number, text: "low balance", purpose: "billing", dedupeKey: "low:1:2026-11"),
                    on: db, now: clock.now)
            }
            #expect(first)
            #expect(!second)
            #expect(try await database.read { db in try await Outbox.recent(on: db) }.count == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func mailKeepsItsAttachments(_ backend: TestDatabase) async throws {
        try await backend.withDatabase(migrations: MessagingSchema.migrations) { database throws in
            let clock = ManualClock()
            let pdf = Data("%PDF-1.4 fake".utf8) + Data([0, 255, 10])
            try await database.write { db in
                try await Outbox.enqueue(
                    MailMessage(
                        to: "ivan@example.com", subject: "Детализация", textBody: "Во вложении.",
                        attachments: [
                            MailAttachment(fileName: "statement.pdf", contentType: "application/pdf", data: pdf)
                        ],
                        purpose: "billing.statement"),
                    on: db, now: clock.now)
            }
            let mail = RecordingMailSender()
            try await worker(database, sms: RecordingSMSSender(), mail: mail, clock: clock).deliverDue()
            #expect(mail.sent.count == 1)
            #expect(mail.sent.first?.attachments.first?.data == pdf)
            #expect(mail.sent.first?.subject == "Детализация")
        }
    }

    @Test func theRunningWorkerDeliversAndStopsOnCancel() async throws {
        try await TestDatabase.sqlite.withDatabase(migrations: MessagingSchema.migrations) { database throws in
            let clock = ManualClock()
            let sms = RecordingSMSSender()
            let worker = worker(database, sms: sms, clock: clock)
            let task = Task { try await worker.run() }
            try await database.write { db in
                try await Outbox.enqueue(
                    OutgoingSMS(to: number, text: "nudged", purpose: "test"), on: db, now: clock.now)
            }
            worker.nudge()
            for _ in 0..<100 where sms.sent.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            #expect(sms.sent.map(\.text) == ["nudged"])
            task.cancel()
            _ = await task.result
        }
    }
}
