public import Foundation

/// Renders a ``MailMessage`` as an RFC 5322 message with MIME parts: UTF-8 text in base64, non-ASCII headers as
/// RFC 2047 encoded words, attachments in a `multipart/mixed` body. Shared by the `.eml` sink and SMTP.
public struct MIMEMessage: Sendable {
    public var from: String
    public var message: MailMessage
    public var date: Date
    public var messageID: String

    public init(from: String, message: MailMessage, date: Date, messageID: String) {
        self.from = from
        self.message = message
        self.date = date
        self.messageID = messageID
    }

    /// The whole message with CRLF line ends.
    public func render(boundary: String = "cabinet-\(UUID().uuidString)") -> String {
        var lines: [String] = [
            "From: \(from)",
            "To: \(message.to)",
            "Subject: \(Self.encodedWord(message.subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        let text = Self.base64Lines(Data(message.textBody.utf8))
        if message.attachments.isEmpty {
            lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", ""] + text
        } else {
            lines +=
                [
                    "Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "", "--\(boundary)",
                    "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "",
                ] + text
            for attachment in message.attachments {
                let name = Self.encodedWord(attachment.fileName)
                lines += [
                    "--\(boundary)",
                    "Content-Type: \(attachment.contentType); name=\"\(name)\"",
                    "Content-Transfer-Encoding: base64",
                    "Content-Disposition: attachment; filename=\"\(name)\"", "",
                ]
                lines += Self.base64Lines(attachment.data)
            }
            lines.append("--\(boundary)--")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `=?UTF-8?B?…?=` for anything that is not plain ASCII; plain text otherwise.
    static func encodedWord(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !$0.isASCII || $0.value < 0x20 }) else { return text }
        return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    static func base64Lines(_ data: Data) -> [String] {
        let encoded = data.base64EncodedString()
        var lines: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
