import CabinetMessaging
import CabinetTesting
import Foundation
import Testing

@Suite struct MIMEMessageTests {
    @Test func rendersCyrillicSubjectAndAttachments() throws {
        let pdf = Data((0..<200).map { UInt8($0 % 256) })
        let message = MailMessage(
            to: "ivan@example.com", subject: "Детализация за ноябрь",
            textBody: "Здравствуйте!\nВо вложении детализация.",
            attachments: [MailAttachment(fileName: "детализация.pdf", contentType: "application/pdf", data: pdf)],
            purpose: "test")
        let text = MIMEMessage(
            from: "Cabinet <no-reply@cabinet.local>", message: message,
            date: Date(timeIntervalSince1970: 1_795_000_000), messageID: "x@cabinet.local"
        )
        .render(boundary: "BOUNDARY")
        #expect(text.contains("Subject: =?UTF-8?B?\(Data("Детализация за ноябрь".utf8).base64EncodedString())?=\r\n"))
        #expect(text.contains("Content-Type: multipart/mixed; boundary=\"BOUNDARY\""))
        #expect(text.contains("Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"))
        #expect(text.hasSuffix("--BOUNDARY--\r\n"))
        // The attachment decodes back to the same bytes.
        let parts = text.components(separatedBy: "--BOUNDARY\r\n")
        let attachment = try #require(parts.last)
        let body = attachment.components(separatedBy: "\r\n\r\n")[1].replacingOccurrences(of: "--BOUNDARY--", with: "")
        let decoded = Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: ""))
        #expect(decoded == pdf)
        #expect(text.split(separator: "\r\n").allSatisfy { $0.count <= 998 })
    }

    @Test func theFileSinkWritesEmlFiles() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sink = FileMailSender(directory: folder, clock: ManualClock())
        try await sink.send(
            MailMessage(to: "a@b.example", subject: "Hi", textBody: "text", purpose: "test"), from: "x@y.example")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.count == 1)
        #expect(files[0].hasSuffix(".eml"))
        let content = try String(contentsOf: folder.appendingPathComponent(files[0]), encoding: .utf8)
        #expect(content.contains("To: a@b.example"))
    }
}
