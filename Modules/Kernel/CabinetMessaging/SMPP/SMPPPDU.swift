import NIOCore

/// One SMPP 3.4 protocol data unit: a 16-byte header (length, command id, status, sequence) and a body.
struct SMPPPDU: Sendable, Equatable {
    var command: UInt32
    var status: UInt32
    var sequence: UInt32
    var body: [UInt8]

    enum Command {
        static let genericNack: UInt32 = 0x8000_0000
        static let bindTransmitter: UInt32 = 0x0000_0002
        static let bindTransmitterResp: UInt32 = 0x8000_0002
        static let submitSM: UInt32 = 0x0000_0004
        static let submitSMResp: UInt32 = 0x8000_0004
        static let deliverSM: UInt32 = 0x0000_0005
        static let deliverSMResp: UInt32 = 0x8000_0005
        static let unbind: UInt32 = 0x0000_0006
        static let unbindResp: UInt32 = 0x8000_0006
        static let enquireLink: UInt32 = 0x0000_0015
        static let enquireLinkResp: UInt32 = 0x8000_0015
    }

    enum Status {
        static let ok: UInt32 = 0x0000_0000
        /// ESME_RMSGQFUL: the SMSC's queue is full.
        static let messageQueueFull: UInt32 = 0x0000_0014
        /// ESME_RTHROTTLED: sending faster than allowed.
        static let throttled: UInt32 = 0x0000_0058
    }

    var isResponse: Bool { command & 0x8000_0000 != 0 }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(16 + body.count))
        buffer.writeInteger(command)
        buffer.writeInteger(status)
        buffer.writeInteger(sequence)
        buffer.writeBytes(body)
    }
}

/// Builds PDU bodies field by field (C-octet strings end with a zero byte).
struct SMPPBodyWriter {
    private(set) var bytes: [UInt8] = []

    mutating func cString(_ text: String) {
        bytes += Array(text.utf8) + [0]
    }

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func octets(_ value: [UInt8]) {
        bytes += value
    }
}

/// Splits the TCP stream into PDUs. NIOExtras' length-field decoder cannot be used: SMPP's length counts itself.
struct SMPPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMPPPDU

    /// Larger PDUs are refused: a submit_sm is under 300 bytes, a bogus length must not allocate gigabytes.
    static let maximumLength: UInt32 = 64 * 1024

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard length >= 16, length <= Self.maximumLength else { throw SMPPError.malformedPDU(length: length) }
        guard buffer.readableBytes >= Int(length) else { return .needMoreData }
        guard let _ = buffer.readInteger(as: UInt32.self),
            let command = buffer.readInteger(as: UInt32.self),
            let status = buffer.readInteger(as: UInt32.self),
            let sequence = buffer.readInteger(as: UInt32.self),
            let body = buffer.readBytes(length: Int(length) - 16)
        else { return .needMoreData }
        context.fireChannelRead(
            wrapInboundOut(SMPPPDU(command: command, status: status, sequence: sequence, body: body)))
        return .continue
    }
}

/// Encodes PDUs for writing.
struct SMPPFrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = SMPPPDU

    func encode(data: SMPPPDU, out: inout ByteBuffer) throws {
        data.encode(into: &out)
    }
}

enum SMPPError: Error, CustomStringConvertible {
    case malformedPDU(length: UInt32)
    case bindRefused(status: UInt32)
    case submitRefused(status: UInt32)
    case throttled
    case timeout
    case disconnected
    case notConnected(String)

    var description: String {
        switch self {
        case .malformedPDU(let length): "malformed PDU (length \(length))"
        case .bindRefused(let status): "bind refused by the SMSC (status 0x\(String(status, radix: 16)))"
        case .submitRefused(let status): "submit_sm refused (status 0x\(String(status, radix: 16)))"
        case .throttled: "the SMSC kept throttling"
        case .timeout: "no answer from the SMSC"
        case .disconnected: "the SMSC connection closed"
        case .notConnected(let reason): "cannot reach the SMSC: \(reason)"
        }
    }
}
