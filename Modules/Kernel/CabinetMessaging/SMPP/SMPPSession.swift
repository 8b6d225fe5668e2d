import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One bound SMPP connection: sends requests, matches responses by sequence number, answers the SMSC's
/// enquire_link and keeps the link alive with its own.
final class SMPPSession: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<SMPPPDU>
    private let pending = Mutex<[UInt32: CheckedContinuation<SMPPPDU, any Error>]>([:])
    private let sequence = Mutex<UInt32>(0)
    private let open = Mutex(true)
    private let logger: Logger

    init(outbound: NIOAsyncChannelOutboundWriter<SMPPPDU>, logger: Logger) {
        self.outbound = outbound
        self.logger = logger
    }

    var isOpen: Bool { open.withLock { $0 } }

    func nextSequence() -> UInt32 {
        sequence.withLock { value in
            value = value >= 0x7FFF_FFFF ? 1 : value + 1
            return value
        }
    }

    /// Sends a request and waits for its response (or `timeout`).
    func request(_ command: UInt32, body: [UInt8], timeout: Duration = .seconds(10)) async throws -> SMPPPDU {
        guard isOpen else { throw SMPPError.disconnected }
        let number = nextSequence()
        let pdu = SMPPPDU(command: command, status: 0, sequence: number, body: body)
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self?.fail(number, with: SMPPError.timeout)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            pending.withLock { $0[number] = continuation }
            Task {
                do {
                    try await outbound.write(pdu)
                } catch {
                    self.fail(number, with: SMPPError.disconnected)
                }
            }
        }
    }

    private func fail(_ number: UInt32, with error: any Error) {
        pending.withLock { $0.removeValue(forKey: number) }?.resume(throwing: error)
    }

    /// Handles everything the SMSC sends until the connection ends.
    func read(_ inbound: NIOAsyncChannelInboundStream<SMPPPDU>) async {
        do {
            for try await pdu in inbound {
                if pdu.isResponse {
                    pending.withLock { $0.removeValue(forKey: pdu.sequence) }?.resume(returning: pdu)
                    continue
                }
                switch pdu.command {
                case SMPPPDU.Command.enquireLink:
                    try await outbound.write(
                        SMPPPDU(command: SMPPPDU.Command.enquireLinkResp, status: 0, sequence: pdu.sequence, body: []))
                case SMPPPDU.Command.deliverSM:
                    // Delivery receipts are acknowledged; Cabinet does not track them yet.
                    try await outbound.write(
                        SMPPPDU(command: SMPPPDU.Command.deliverSMResp, status: 0, sequence: pdu.sequence, body: [0]))
                case SMPPPDU.Command.unbind:
                    try await outbound.write(
                        SMPPPDU(command: SMPPPDU.Command.unbindResp, status: 0, sequence: pdu.sequence, body: []))
                    close()
                    return
                default:
                    try await outbound.write(
                        SMPPPDU(command: SMPPPDU.Command.genericNack, status: 0x03, sequence: pdu.sequence, body: []))
                }
            }
        } catch {
            logger.warning("SMPP connection failed", metadata: ["error": "\(error)"])
        }
        close()
    }

    /// Marks the session closed and fails every request still waiting.
    func close() {
        open.withLock { $0 = false }
        let waiting = pending.withLock { pending in
            defer { pending.removeAll() }
            return Array(pending.values)
        }
        for continuation in waiting { continuation.resume(throwing: SMPPError.disconnected) }
        outbound.finish()
    }
}
