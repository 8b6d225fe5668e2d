import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Logging
import Testing

/// The SMTP client against `Scripts/smtpd.py` (aiosmtpd): STARTTLS with a certificate made for the test, AUTH,
/// attachments, dot-stuffing, and the refusals an operator must see.
@Suite(.serialized) struct SMTPMailSenderTests {
    let mail = MailMessage(
        to: "ivanov@example.com", subject: "Детализация номера +7 900 123-45-67",
        textBody: "Здравствуйте!\n.\n.. и строка с точкой в начале\nКонец",
        attachments: [
            MailAttachment(fileName: "statement.pdf", contentType: "application/pdf", data: Data("%PDF-1.4 test".utf8))
        ],
        purpose: "test")

    @Test(.enabled(if: PythonTools.has("aiosmtpd")))
    func deliversOverSTARTTLSWithAuthAndAttachments() async throws {
        let certificate = try await TestCertificate.make()
        let server = try await SMTPTestServer.start(tls: certificate, user: "cabinet", password: "s3cret")
        defer { server.stop() }
        let sender = SMTPMailSender(
            configuration: SMTPConfiguration(
                host: "127.0.0.1", port: server.port, security: .starttls, requireTLS: true, username: "cabinet",
                password: "s3cret",
                caFile: certificate.certificate.path), logger: .test)
        try await sender.send(mail, from: "Cabinet <no-reply@cabinet.local>")
        let envelope = try #require(server.envelopes.first)
        #expect(envelope["from"] as? String == "no-reply@cabinet.local")
        #expect(envelope["to"] as? [String] == ["ivanov@example.com"])
        #expect(envelope["tls"] as? Bool == true)
        #expect(envelope["login"] as? String == "cabinet")
        let message = try #require(server.messages.first)
        #expect(message.contains("Subject: =?UTF-8?B?"))
        #expect(message.contains("filename=\"statement.pdf\""))
        #expect(message.contains(Data("%PDF-1.4 test".utf8).base64EncodedString()))
        let parts = MIMEParts.attachments(of: message)
        #expect(
            parts[""].map { String(decoding: $0, as: UTF8.self) } == mail.textBody,
            "the text, dot-stuffed on the way, arrives intact")
        #expect(parts["statement.pdf"] == Data("%PDF-1.4 test".utf8))
    }

    @Test(.enabled(if: PythonTools.has("aiosmtpd")))
    func refusesAnUntrustedCertificateAWrongPasswordAndPlainTextWhenTLSIsRequired() async throws {
        let certificate = try await TestCertificate.make()
        let secured = try await SMTPTestServer.start(tls: certificate, user: "cabinet", password: "s3cret")
        defer { secured.stop() }
        let untrusted = SMTPMailSender(
            configuration: SMTPConfiguration(
                host: "127.0.0.1", port: secured.port, username: "cabinet",
                password: "s3cret"), logger: .test)
        await #expect(throws: (any Error).self, "a self-signed certificate is not trusted by default") {
            try await untrusted.send(mail, from: "no-reply@cabinet.local")
        }
        let wrongPassword = SMTPMailSender(
            configuration: SMTPConfiguration(
                host: "127.0.0.1", port: secured.port, username: "cabinet", password: "guess",
                caFile: certificate.certificate.path), logger: .test)
        await #expect(throws: SMTPError.self) { try await wrongPassword.send(mail, from: "no-reply@cabinet.local") }
        #expect(secured.messages.isEmpty)

        let plain = try await SMTPTestServer.start(tls: nil)
        defer { plain.stop() }
        let strict = SMTPMailSender(
            configuration: SMTPConfiguration(host: "127.0.0.1", port: plain.port, requireTLS: true), logger: .test)
        do {
            try await strict.send(mail, from: "no-reply@cabinet.local")
            Issue.record("sent in plain text although TLS was required")
        } catch let error as SMTPError {
            guard case .tlsNotOffered = error else { Issue.record("unexpected \(error)"); return }
        }
        let relaxed = SMTPMailSender(
            configuration: SMTPConfiguration(host: "127.0.0.1", port: plain.port, security: .none), logger: .test)
        try await relaxed.send(mail, from: "no-reply@cabinet.local")
        #expect(plain.messages.count == 1)
        await #expect(throws: SMTPError.self, "a header cannot be smuggled in through the address") {
            try await relaxed.send(
                MailMessage(to: "a@example.com\r\nBcc: b@example.com", subject: "x", textBody: "x", purpose: "t"),
                from: "no-reply@cabinet.local")
        }
    }
}
