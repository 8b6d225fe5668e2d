import Services
import Testing

/// Numbers as stored rows and the network carry them: E.164, or a provider's short number.
@Suite struct PhoneNumberTests {
    @Test(arguments: ["+74951234567", "+447911123456", "+12025550123", "+123456789012345"])
    func e164IsTakenAsItIs(_ text: String) throws {
        #expect(try #require(PhoneNumber(e164: text)).e164 == text)
        #expect(try #require(PhoneNumber(network: text)).e164 == text)
    }

    @Test(arguments: [
        "", "+", "74951234567", "+7495123456a", "+7 495 123 45 67", "+1234567", "+1234567890123456",
        "+\u{0667}\u{0664}\u{0669}\u{0665}\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}\u{0667}",
        "+７４９５１２３４５６７", "++74951234567",
    ])
    func anythingElseIsNotE164(_ text: String) {
        #expect(PhoneNumber(e164: text) == nil)
    }

    @Test func theNetworkMaySendAShortNumber() throws {
        #expect(try #require(PhoneNumber(network: "900")).isShort)
        #expect(try #require(PhoneNumber(network: "12345678")).e164 == "12345678")
        for text in ["12", "123456789", "9 00", "９００", "90a", ""] {
            #expect(PhoneNumber(network: text) == nil, "\(text)")
        }
        #expect(try #require(PhoneNumber(network: "+447911123456")).isInternational)
    }
}
