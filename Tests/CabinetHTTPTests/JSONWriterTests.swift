import CabinetCore
import CabinetHTTP
import Foundation
import Testing

/// The hand-written JSON of hot endpoints must read back exactly like `JSONEncoder.cabinet`'s.
@Suite struct JSONWriterTests {
    struct Sample: Encodable {
        struct Inner: Encodable { var amount: Money; var when: Date }
        var a: [Inner]
        var flag: Bool
        var name: String
        var number: Int64
        var optional: String?
    }

    @Test func matchesJSONEncoderByteForByte() throws {
        let dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_000_000.7),
            Date(timeIntervalSince1970: 951_782_400),
            Date(timeIntervalSince1970: -86_401),
        ]
        let sample = Sample(
            a: dates.map { .init(amount: Money(minorUnits: -12_345, currency: .kzt), when: $0) }, flag: true,
            name: "Мой \"онлайн\"\\\n\t\u{1}", number: -42, optional: nil)
        let expected = String(decoding: try JSONEncoder.cabinet.encode(sample), as: UTF8.self)
        var json = JSONWriter()
        json.beginObject()
        json.key("a")
        json.beginArray()
        for inner in sample.a {
            json.beginObject()
            json.key("amount")
            json.money(inner.amount)
            json.key("when")
            json.instant(inner.when)
            json.endObject()
        }
        json.endArray()
        json.key("flag")
        json.bool(true)
        json.field("name", sample.name)
        json.field("number", sample.number)
        json.endObject()
        #expect(json.text == expected)
    }
}
