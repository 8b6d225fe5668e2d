import CabinetCore
public import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Sends SMS to an SMSC over SMPP 3.4 as a transmitter: binds once and keeps the connection (enquire_link every
/// 30 s), reconnects with exponential backoff, sends Cyrillic as UCS-2 and long texts as concatenated parts, paces
/// itself to the allowed rate and waits out ESME_RTHROTTLED / ESME_RMSGQFUL answers.
public final class SMPPSMSSender: SMSSender {
    public struct Configuration: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var systemID: String
        public var password: String
        public var sourceAddress: String
        public var messagesPerSecond: Int
        public var enquireLinkInterval: Duration = .seconds(30)
        public var responseTimeout: Duration = .seconds(10)

        public init(
            host: String, port: Int, systemID: String, password: String, sourceAddress: String, messagesPerSecond: Int
        ) {
            self.host = host
            self.port = port
            self.systemID = systemID
            self.password = password
            self.sourceAddress = sourceAddress
            self.messagesPerSecond = max(1, messagesPerSecond)
        }
    }

    private let configuration: Configuration
    private let logger: Logger
    private let link: LinkState
    private let reference = Mutex<UInt8>(0)

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.link = LinkState(configuration: configuration, logger: logger)
    }

    public func send(_ sms: OutgoingSMS) async throws -> String? {
        let ref = reference.withLock { value in
            value &+= 1
            return value
        }
        var firstID: String?
        for part in SMPPMessageEncoding.parts(of: sms.text, reference: ref) {
            let id = try await submit(to: String(sms.to.e164.dropFirst()), part: part)
            if firstID == nil { firstID = id }
        }
        return firstID
    }

    private func submit(to destination: String, part: SMPPMessageEncoding.Part) async throws -> String {
        var body = SMPPBodyWriter()
        body.cString("")  // service_type
        let alphanumeric = configuration.sourceAddress.contains { !$0.isNumber }
        body.byte(alphanumeric ? 5 : 1)  // source_addr_ton
        body.byte(alphanumeric ? 0 : 1)  // source_addr_npi
        body.cString(String(configuration.sourceAddress.prefix(alphanumeric ? 11 : 20)))
        body.byte(1)  // dest_addr_ton: international
        body.byte(1)  // dest_addr_npi: ISDN
        body.cString(destination)
        body.byte(part.esmClass)
        body.byte(0)  // protocol_id
        body.byte(0)  // priority_flag
        body.cString("")  // schedule_delivery_time
        body.cString("")  // validity_period
        body.byte(0)  // registered_delivery
        body.byte(0)  // replace_if_present_flag
        body.byte(part.dataCoding)
        body.byte(0)  // sm_default_msg_id
        body.byte(UInt8(part.payload.count))
        body.octets(part.payload)

        var delay = Duration.milliseconds(200)
        for attempt in 1...6 {
            await link.pace()
            let session = try await link.session()
            let response = try await session.request(
                SMPPPDU.Command.submitSM, body: body.bytes, timeout: configuration.responseTimeout)
            switch response.status {
            case SMPPPDU.Status.ok:
                return String(decoding: response.body.prefix { $0 != 0 }, as: UTF8.self)
            case SMPPPDU.Status.throttled, SMPPPDU.Status.messageQueueFull:
                logger.notice(
                    "SMSC throttles; waiting",
                    metadata: ["cabinet.smpp.attempt": "\(attempt)", "cabinet.smpp.delay": "\(delay)"])
                try await Task.sleep(for: delay)
                delay *= 2
            default:
                throw SMPPError.submitRefused(status: response.status)
            }
        }
        throw SMPPError.throttled
    }

    /// Unbinds and closes the connection.
    public func shutdown() async {
        await link.unbind()
    }

    /// The connection, reopened when needed, and the pacing of submits.
    private actor LinkState {
        let configuration: Configuration
        let logger: Logger
        var current: SMPPSession?
        var connecting: Task<SMPPSession, any Error>?
        var failures = 0
        var nextConnectAt = ContinuousClock.now
        var nextSendAt = ContinuousClock.now

        init(configuration: Configuration, logger: Logger) {
            self.configuration = configuration
            self.logger = logger
        }

        /// Waits for the next send slot (messages per second the SMSC allows).
        func pace() async {
            let now = ContinuousClock.now
            let slot = max(now, nextSendAt)
            nextSendAt = slot + .milliseconds(1000 / configuration.messagesPerSecond)
            if slot > now { try? await Task.sleep(until: slot) }
        }

        func session() async throws -> SMPPSession {
            if let current, current.isOpen { return current }
            if let connecting { return try await connecting.value }
            let wait = nextConnectAt - ContinuousClock.now
            let task = Task { [configuration, logger] in
                if wait > .zero { try await Task.sleep(for: wait) }
                return try await Self.connect(configuration, logger: logger)
            }
            connecting = task
            do {
                let session = try await task.value
                current = session
                connecting = nil
                failures = 0
                return session
            } catch {
                connecting = nil
                failures += 1
                // Exponential backoff between reconnects: 1 s, 2 s, 4 s … up to a minute.
                nextConnectAt = ContinuousClock.now + .seconds(min(60, 1 << min(failures - 1, 6)))
                logger.warning(
                    "SMSC connection failed", metadata: ["error": "\(error)", "cabinet.smpp.failures": "\(failures)"])
                throw error
            }
        }

        func unbind() async {
            guard let current, current.isOpen else { return }
            _ = try? await current.request(SMPPPDU.Command.unbind, body: [], timeout: .seconds(2))
            current.close()
        }

        static func connect(_ configuration: Configuration, logger: Logger) async throws -> SMPPSession {
            let channel: NIOAsyncChannel<SMPPPDU, SMPPPDU>
            do {
                channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(5))
                    .connect(host: configuration.host, port: configuration.port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMPPFrameDecoder()))
                            try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(SMPPFrameEncoder()))
                            return try NIOAsyncChannel<SMPPPDU, SMPPPDU>(wrappingChannelSynchronously: channel)
                        }
                    }
            } catch {
                throw SMPPError.notConnected("\(error)")
            }
            let ready = AsyncStream<SMPPSession>.makeStream()
            Task {
                try await channel.executeThenClose { inbound, outbound in
                    let session = SMPPSession(outbound: outbound, logger: logger)
                    ready.continuation.yield(session)
                    ready.continuation.finish()
                    let keepAlive = Task {
                        while session.isOpen {
                            guard (try? await Task.sleep(for: configuration.enquireLinkInterval)) != nil else { return }
                            _ = try? await session.request(SMPPPDU.Command.enquireLink, body: [], timeout: .seconds(10))
                        }
                    }
                    await session.read(inbound)
                    keepAlive.cancel()
                }
            }
            var sessions = ready.stream.makeAsyncIterator()
            guard let session = await sessions.next() else { throw SMPPError.disconnected }
            var bind = SMPPBodyWriter()
            bind.cString(configuration.systemID)
            bind.cString(configuration.password)
            bind.cString("")  // system_type
            bind.byte(0x34)  // interface_version 3.4
            bind.byte(0)  // addr_ton
            bind.byte(0)  // addr_npi
            bind.cString("")  // address_range
            let response = try await session.request(
                SMPPPDU.Command.bindTransmitter, body: bind.bytes, timeout: .seconds(10))
            guard response.status == SMPPPDU.Status.ok else {
                session.close()
                throw SMPPError.bindRefused(status: response.status)
            }
            logger.info(
                "bound to the SMSC", metadata: ["cabinet.smpp.host": "\(configuration.host):\(configuration.port)"])
            return session
        }
    }
}
