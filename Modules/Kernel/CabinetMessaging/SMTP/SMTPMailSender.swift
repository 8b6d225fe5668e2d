import Foundation
public import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// How to reach the operator's mail server.
public struct SMTPConfiguration: Sendable, Hashable {
    public enum Security: String, Sendable, Hashable, CaseIterable {
        /// Upgrade with STARTTLS when the server offers it; refuse to send without TLS when `requireTLS` is set.
        case starttls
        /// TLS from the first byte (port 465).
        case tls
        /// Plain text (a relay on the same host).
        case none
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// Send only over TLS (with `starttls`: fail when the server does not offer it).
    public var requireTLS: Bool
    public var username: String?
    public var password: String?
    /// A PEM file of CA certificates to trust instead of the system's.
    public var caFile: String?
    /// The name given in EHLO.
    public var helloName: String
    public var timeout: Duration

    public init(
        host: String, port: Int = 587, security: Security = .starttls, requireTLS: Bool = false,
        username: String? = nil,
        password: String? = nil, caFile: String? = nil, helloName: String = "cabinet.local",
        timeout: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.requireTLS = requireTLS
        self.username = username
        self.password = password
        self.caFile = caFile
        self.helloName = helloName
        self.timeout = timeout
    }
}

/// Why a message was not accepted.
public enum SMTPError: Error, CustomStringConvertible, Sendable {
    case unexpectedReply(command: String, code: Int, text: String)
    case connectionClosed(during: String)
    case tlsNotOffered
    case authenticationNotOffered
    case invalidAddress(String)

    public var description: String {
        switch self {
        case .unexpectedReply(let command, let code, let text): "SMTP \(command): \(code) \(text)"
        case .connectionClosed(let during): "SMTP server closed the connection during \(during)"
        case .tlsNotOffered: "the SMTP server does not offer STARTTLS and TLS is required"
        case .authenticationNotOffered: "the SMTP server offers no AUTH PLAIN or LOGIN"
        case .invalidAddress(let address): "invalid e-mail address \(address)"
        }
    }
}

/// Sends e-mail to an SMTP server (RFC 5321): EHLO, STARTTLS when offered (or TLS from the start), AUTH PLAIN or
/// LOGIN when credentials are configured, one message per connection with MIME attachments. A failure throws, and the
/// outbox retries the message later.
public struct SMTPMailSender: MailSender {
    let configuration: SMTPConfiguration
    let logger: Logger

    public init(configuration: SMTPConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func send(_ mail: MailMessage, from sender: String) async throws {
        let recipient = try Self.address(mail.to)
        let from = try Self.address(sender)
        guard !mail.subject.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw SMTPError.invalidAddress(mail.subject)
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caFile { tls.trustRoots = .file(caFile) }
        let context = try NIOSSLContext(configuration: tls)
        let configuration = configuration
        // SNI carries names only; for an address NIOSSL checks the certificate against the peer's IP instead.
        let serverName: String? =
            configuration.host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? nil : configuration.host
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if configuration.security == .tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let message = MIMEMessage(
            from: sender, message: mail, date: Date(),
            messageID: "\(UUID().uuidString.lowercased())@\(configuration.helloName)"
        ).render()
        // A server that stops answering is cut off: closing the channel ends the conversation with an error.
        let watchdog = Task { [channel = channel.channel] in
            guard (try? await Task.sleep(for: configuration.timeout)) != nil else { return }
            channel.close(promise: nil)
        }
        defer { watchdog.cancel() }
        try await channel.executeThenClose { inbound, outbound in
            var session = SMTPSession(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            try await session.expect([220], after: "greeting")
            var capabilities = try await session.command("EHLO \(configuration.helloName)", expect: [250])
            var secured = configuration.security == .tls
            if configuration.security == .starttls {
                if capabilities.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) {
                    _ = try await session.command("STARTTLS", expect: [220])
                    // The handler is made on the channel's event loop: it is not Sendable and never leaves that thread.
                    let pipeline = channel.channel.pipeline
                    try await channel.channel.eventLoop.submit {
                        try pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: serverName),
                            position: .first)
                    }.get()
                    capabilities = try await session.command("EHLO \(configuration.helloName)", expect: [250])
                    secured = true
                } else if configuration.requireTLS {
                    throw SMTPError.tlsNotOffered
                }
            }
            if let username = configuration.username {
                let mechanisms =
                    capabilities.first { $0.uppercased().hasPrefix("AUTH") }.map {
                        $0.uppercased().split(separator: " ")
                    } ?? []
                let password = configuration.password ?? ""
                if mechanisms.contains("PLAIN") {
                    let token = Data(("\0" + username + "\0" + password).utf8).base64EncodedString()
                    _ = try await session.command("AUTH PLAIN \(token)", expect: [235], secret: true)
                } else if mechanisms.contains("LOGIN") {
                    _ = try await session.command("AUTH LOGIN", expect: [334])
                    _ = try await session.command(
                        Data(username.utf8).base64EncodedString(), expect: [334], secret: true)
                    _ = try await session.command(
                        Data(password.utf8).base64EncodedString(), expect: [235], secret: true)
                } else {
                    throw SMTPError.authenticationNotOffered
                }
            }
            _ = try await session.command("MAIL FROM:<\(from)>", expect: [250])
            _ = try await session.command("RCPT TO:<\(recipient)>", expect: [250, 251])
            _ = try await session.command("DATA", expect: [354])
            try await session.write(Self.dotStuffed(message) + ".\r\n")
            _ = try await session.expect([250], after: "message")
            _ = try? await session.command("QUIT", expect: [221])
            logger.debug(
                "mail sent over SMTP",
                metadata: ["cabinet.tls": "\(secured)", "cabinet.bytes": "\(message.utf8.count)"])
        }
    }

    /// The bare address of `Name <address>` or `address`; refuses anything that could break the envelope.
    static func address(_ text: String) throws -> String {
        var address = text.trimmingCharacters(in: .whitespaces)
        if let open = address.lastIndex(of: "<"), let close = address.lastIndex(of: ">"), open < close {
            address = String(address[address.index(after: open)..<close])
        }
        guard !address.isEmpty, address.contains("@"),
            !address.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" || $0 == " " })
        else { throw SMTPError.invalidAddress(text) }
        return address
    }

    /// A line starting with "." gets another "." (RFC 5321 §4.5.2).
    static func dotStuffed(_ message: String) -> String {
        message.split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
            .joined(separator: "\r\n")
    }
}

/// One SMTP conversation: commands and multi-line replies over the channel, whatever TLS sits below.
struct SMTPSession {
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var buffer: [UInt8] = []

    init(
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.inbound = inbound
        self.outbound = outbound
    }

    mutating func write(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// Sends a command and checks the reply code; returns the reply's lines (EHLO capabilities).
    mutating func command(_ line: String, expect codes: Set<Int>, secret: Bool = false) async throws -> [String] {
        try await write(line + "\r\n")
        let name = secret ? "AUTH" : String(line.prefix { $0 != " " && $0 != ":" })
        return try await expect(codes, after: name)
    }

    /// Reads one (possibly multi-line) reply.
    @discardableResult
    mutating func expect(_ codes: Set<Int>, after command: String) async throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try await readLine(during: command)
            lines.append(line.count > 4 ? String(line.dropFirst(4)) : "")
            let code = Int(line.prefix(3)) ?? 0
            guard line.count >= 4, line[line.index(line.startIndex, offsetBy: 3)] == "-" else {
                guard codes.contains(code) else {
                    throw SMTPError.unexpectedReply(command: command, code: code, text: lines.joined(separator: " "))
                }
                return lines
            }
        }
    }

    private mutating func readLine(during command: String) async throws -> String {
        while true {
            if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<end])
                buffer.removeFirst(end + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard buffer.count < 64 * 1024 else {
                throw SMTPError.unexpectedReply(command: command, code: 0, text: "reply too long")
            }
            guard let chunk = try await inbound.next() else { throw SMTPError.connectionClosed(during: command) }
            buffer += chunk.readableBytesView
        }
    }
}
