import Corporate
import Testing

/// ИНН and КПП as the tax service defines them.
@Suite struct TaxIDTests {
    @Test(arguments: ["7707083893", "7736207543", "5024002119", " 7707 083 893 "])
    func aCompanysINNWithItsCheckDigitIsAccepted(_ text: String) {
        #expect(INN(rawValue: text) != nil)
    }

    @Test(arguments: ["7707083894", "7736207540", "770708389", "77070838930", "77O7083893", "", "٧٧٠٧٠٨٣٨٩٣"])
    func aWrongCheckDigitOrLengthOrCharacterIsRefused(_ text: String) {
        #expect(INN(rawValue: text) == nil)
    }

    @Test func aKPPHasNineCharactersWithLettersOnlyInTheReasonPlaces() {
        #expect(KPP(rawValue: "770701001")?.rawValue == "770701001")
        #expect(KPP(rawValue: "7707ab001")?.rawValue == "7707AB001")
        #expect(KPP(rawValue: "77070100") == nil)
        #expect(KPP(rawValue: "A70701001") == nil)
        #expect(KPP(rawValue: "7707010011") == nil)
        #expect(KPP(rawValue: "7707ЖЖ001") == nil)
    }
}
