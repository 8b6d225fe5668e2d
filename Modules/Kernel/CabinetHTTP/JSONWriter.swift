public import CabinetCore
public import Foundation
import HTTPTypes
public import Hummingbird

/// Writes JSON straight into bytes, for the hottest endpoints (the dashboard): Foundation's `JSONEncoder` spends tens
/// of microseconds per response in its generic machinery, more than the rest of the request. The output matches the
/// `Encodable` responses: UTF-8, RFC 3339 instants in UTC, money as `{"amount": "…", "currency": "…"}`.
/// The caller writes keys in sorted order, as `JSONEncoder.cabinet` does.
public struct JSONWriter {
    private var bytes: [UInt8] = []
    /// Whether the innermost open container already holds a value (a comma goes before the next one).
    private var filled: [Bool] = []

    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// A comma when the open container has a value already; marks it as having one.
    private mutating func separate() {
        guard let last = filled.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) }
        filled[filled.count - 1] = true
    }

    /// Before a value: right after a key nothing is needed, in an array (or at the top) a comma may be.
    private mutating func beginValue() {
        if afterKey {
            afterKey = false
        } else {
            separate()
        }
    }

    private var afterKey = false

    public mutating func beginObject() {
        beginValue()
        bytes.append(UInt8(ascii: "{"))
        filled.append(false)
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        filled.removeLast()
    }

    public mutating func beginArray() {
        beginValue()
        bytes.append(UInt8(ascii: "["))
        filled.append(false)
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        filled.removeLast()
    }

    /// Writes `"name":`; the next call writes its value.
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String) {
        beginValue()
        appendQuoted(value)
    }

    public mutating func int(_ value: Int64) {
        beginValue()
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func bool(_ value: Bool) {
        beginValue()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func null() {
        beginValue()
        bytes.append(contentsOf: "null".utf8)
    }

    /// `"2026-11-22T09:00:00Z"` (whole seconds, as `JSONEncoder`'s `.iso8601`).
    public mutating func instant(_ date: Date) {
        beginValue()
        appendQuoted(Self.rfc3339(date))
    }

    /// `{"amount": "1234.50", "currency": "RUB"}`.
    public mutating func money(_ value: Money) {
        beginObject()
        key("amount")
        string(value.amountString)
        key("currency")
        string(value.currency.code)
        endObject()
    }

    /// Convenience: `"name": "value"`.
    public mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    /// Convenience: `"name": value` for a number.
    public mutating func field(_ name: String, _ value: Int64) {
        key(name)
        int(value)
    }

    /// The bytes as a JSON response with `no-store` semantics like ``Response/json(_:status:)``.
    public func response(status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    hex[Int(byte >> 4)], hex[Int(byte & 0x0F)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// RFC 3339 in UTC from the civil calendar, without a formatter (Howard Hinnant's days-to-civil algorithm).
    static func rfc3339(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }
}
