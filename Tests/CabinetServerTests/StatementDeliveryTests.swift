import Auth
import Billing
import CabinetCore
import CabinetMessaging
import CabinetServer
import CabinetStorage
import CabinetTesting
import Foundation
import Subscribers
import Tariffs
import Testing

/// The whole way of a full statement: ordered by the subscriber, produced as PDF and CSV by the worker, sent by the
/// outbox over SMTP with STARTTLS to a real SMTP server, and the PDF there reads back with the number and totals.
@Suite(.serialized) struct StatementDeliveryTests {
    @Test(.enabled(if: PythonTools.has("aiosmtpd")), arguments: TestDatabase.available)
    func aStatementArrivesAtTheMailServerAsAReadablePDF(_ backend: TestDatabase) async throws {
        let certificate = try await TestCertificate.make()
        let server = try await SMTPTestServer.start(tls: certificate, user: "cabinet", password: "mail-secret")
        defer { server.stop() }
        let clock = ManualClock(iso8601: "2026-11-10T09:00:00Z")
        let sms = RecordingSMSSender()
        try await withRuntime(
            backend,
            configure: { configuration in
                configuration.mail = .smtp(
                    SMTPConfiguration(
                        host: "127.0.0.1", port: server.port, requireTLS: true, username: "cabinet",
                        password: "mail-secret", caFile: certificate.certificate.path))
            }, dependencies: .init(clock: clock, sms: sms, logger: .test)
        ) { runtime in
            let line = try await runtime.services.subscribers.service.provision(
                NewLine(
                    msisdn: MSISDN(e164: "+79001234567")!, region: RegionID(rawValue: "msk")!, status: .active,
                    owner: OwnerProfile(fullName: "Петрова Мария Сергеевна", email: "maria@example.com")))
            let account = try #require(
                try await runtime.services.billing.service.account(of: line.id),
                "the line got an account when provisioned")
            #expect(account.tariffID.rawValue == "moy-online")
            _ = try await runtime.services.billing.ledger.post(
                LedgerPosting(
                    externalID: "top-up-1", kind: .topUp, line: line.id,
                    amount: Money(minorUnits: 100_000, currency: .rub), counterparty: .gateway,
                    explanation: "billing.explain.topUp", allowsNegativeBalance: true, at: clock.now))
            clock.advance(by: .seconds(600))
            let report = try await runtime.services.billing.service.ingest([
                UsageEvent(
                    eventID: "call-1", msisdn: line.msisdn, kind: .call, occurredAt: clock.now, quantity: 95,
                    callKind: .offNet,
                    otherParty: "+79161234567"),
                UsageEvent(
                    eventID: "sms-1", msisdn: line.msisdn, kind: .sms, occurredAt: clock.now, quantity: 1,
                    otherParty: "+79161234567"),
            ])
            #expect(report.rated == 2)
            let access = LineAccess.owned(line.id, msisdn: line.msisdn, region: line.region)
            // The call detail goes only to an address the owner proved to read: confirm it with the code mailed there.
            let refused = await #expect(throws: CabinetError.self) {
                try await runtime.services.billing.service.orderStatement(
                    access, from: LocalDate("2026-11-01")!, to: LocalDate("2026-11-10")!, language: .ru)
            }
            #expect(refused?.code == BillingError.emailNotConfirmed)
            let auth = runtime.services.auth.service
            let client = ClientInfo(address: "127.0.0.1")
            _ = try await auth.requestLoginCode(for: line.msisdn, client: client)
            _ = try await runtime.outbox.deliverDue()
            let loginCode = try #require(sms.sent.last?.text.firstMatch(of: /\d{6}/).map { String($0.output) })
            let session = try await auth.login(msisdn: line.msisdn, code: loginCode, kind: .api, client: client).session
            _ = try await auth.requestEmailConfirmation(session, client: client)
            _ = try await runtime.outbox.deliverDue()
            let mailed = try #require(server.messages.last, "the confirmation code reached the mail server")
            let mailText = String(decoding: MIMEParts.attachments(of: mailed)[""] ?? Data(), as: UTF8.self)
            let emailCode = try #require(mailText.firstMatch(of: /\d{6}/).map { String($0.output) })
            try await auth.confirmEmail(session, code: emailCode, client: client)
            let request = try await runtime.services.billing.service.orderStatement(
                access, from: LocalDate("2026-11-01")!, to: LocalDate("2026-11-10")!,
                language: .ru)
            #expect(try await runtime.services.billing.statements.runOnce() == 1)
            #expect(try await runtime.outbox.deliverDue() >= 1)
            #expect(try await runtime.requests.request(request.id)?.status == .done)

            let message = try #require(server.messages.last, "the mail server received the statement")
            #expect(server.envelopes.last?["tls"] as? Bool == true)
            let files = MIMEParts.attachments(of: message)
            let pdf = try #require(files.first { $0.key.hasSuffix(".pdf") }?.value)
            let csv = try #require(files.first { $0.key.hasSuffix(".csv") }?.value)
            #expect(String(decoding: csv, as: UTF8.self).contains("Звонок на другие сети;+79161234567"))
            let text = try #require(
                try await PDFText.extract(pdf), "pdftotext (poppler-utils) is needed to read the PDF back")
            #expect(text.contains("+7 900 123-45-67"))
            #expect(text.contains("Петрова Мария Сергеевна"))
            #expect(text.contains("Мой онлайн"))
            #expect(text.contains("Итого"))
            #expect(text.contains("Всего списано: 0,00"), "both events came out of the package")
            let check = try await runtime.services.billing.service.checkLedger()
            #expect(check.isClean)
        }
    }
}
