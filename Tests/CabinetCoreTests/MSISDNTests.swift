import CabinetCore
import Foundation
import Testing

@Suite struct MSISDNTests {
    @Test(arguments: [
        ("+7 912 345-67-89", "+79123456789"),
        ("89123456789", "+79123456789"),
        ("9123456789", "+79123456789"),
        ("8 (912) 345 67 89", "+79123456789"),
        ("79123456789", "+79123456789"),
        ("+7 (912) 345.67.89", "+79123456789"),
        ("  +79123456789\u{00A0}", "+79123456789"),
        ("+7 701 234 56 78", "+77012345678"),
        ("8 747 123 45 67", "+77471234567"),
        ("7771234567", "+77771234567"),
    ])
    func acceptsWhatPeopleType(input: String, expected: String) throws {
        #expect(try MSISDN(parsing: input).e164 == expected)
    }

    @Test(arguments: [
        ("", MSISDNError.empty),
        ("   ", MSISDNError.empty),
        ("+7 912 345-67-8x", MSISDNError.invalidCharacter("x")),
        ("912+3456789", MSISDNError.invalidCharacter("+")),
        ("912345678", MSISDNError.wrongLength(digits: 9)),
        ("891234567890", MSISDNError.wrongLength(digits: 12)),
        ("+7 912 345 67 8", MSISDNError.wrongLength(digits: 10)),
        ("+380 50 123 45 67", MSISDNError.unsupportedCountryCode),
        ("+7 495 123-45-67", MSISDNError.notMobile(national: "4951234567")),
        ("8 727 344 06 11", MSISDNError.notMobile(national: "7273440611")),
        ("59123456789", MSISDNError.wrongLength(digits: 11)),
    ])
    func rejectsEverythingElseWithAReason(input: String, expected: MSISDNError) {
        #expect(throws: expected) { try MSISDN(parsing: input) }
    }

    @Test func reasonsAreReadableAndCoded() {
        let error = MSISDNError.notMobile(national: "4951234567")
        #expect(error.code == "msisdn.notMobile")
        #expect(error.description.contains("+7 495"))
        let cabinet = error.cabinetError(field: "phone")
        #expect(cabinet.kind == .invalidInput)
        #expect(cabinet.fieldErrors.first?.field == "phone")
        #expect(cabinet.arguments["code"] == "495")
    }

    @Test func knowsTheNumberingPlan() throws {
        #expect(try MSISDN(parsing: "9001234567").plan == .russia)
        #expect(try MSISDN(parsing: "7011234567").plan == .kazakhstan)
    }

    @Test func formatsAndMasks() throws {
        let number = try MSISDN(parsing: "89001234567")
        #expect(number.formatted == "+7 900 123-45-67")
        #expect(number.masked == "+7 900 ***-**-67")
        #expect(number.nationalNumber == "9001234567")
    }

    @Test func storedFormMustBeExact() {
        #expect(MSISDN(e164: "+79001234567") != nil)
        #expect(MSISDN(e164: "89001234567") == nil)
        #expect(MSISDN(e164: "+74951234567") == nil)
        #expect(MSISDN(e164: "+7900123456") == nil)
    }

    @Test func codableUsesE164() throws {
        let data = try JSONEncoder().encode([try MSISDN(parsing: "8 900 123 45 67")])
        #expect(String(decoding: data, as: UTF8.self) == #"["+79001234567"]"#)
        let decoded = try JSONDecoder().decode([MSISDN].self, from: Data(#"["8 (900) 123-45-67"]"#.utf8))
        #expect(decoded.first?.e164 == "+79001234567")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([MSISDN].self, from: Data(#"["12"]"#.utf8)) }
    }
}
