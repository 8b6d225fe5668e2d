import Foundation
import Support
import Testing

@Suite struct TOTPTests {
    /// RFC 6238 appendix B: the SHA-1 secret is the ASCII text "12345678901234567890".
    let rfcSecret = Array("12345678901234567890".utf8)

    @Test(
        arguments: [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] as [(Int64, String)])
    func rfc6238Vectors(time: Int64, code: String) {
        let totp = TOTP(secret: rfcSecret, digits: 8)
        let date = Date(timeIntervalSince1970: TimeInterval(time))
        #expect(totp.code(at: date) == code)
        #expect(totp.matchingStep(code, at: date, window: 0) == TOTP.step(at: date))
    }

    @Test func sixDigitCodesAreTheLastSixDigits() {
        let totp = TOTP(secret: rfcSecret)
        #expect(totp.code(at: Date(timeIntervalSince1970: 59)) == "287082")
        // The leading zero of a short number is kept.
        #expect(totp.code(at: Date(timeIntervalSince1970: 1_111_111_109)) == "081804")
    }

    @Test func steps() {
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 0)) == 0)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 59)) == 1)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 60)) == 2)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 59), period: 60) == 0)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: -1)) == -1)
        #expect(TOTP.step(at: .distantFuture) > 0)
    }

    @Test func windowAcceptsNeighbouringStepsOnly() {
        let totp = TOTP(secret: rfcSecret)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let step = TOTP.step(at: now)
        for offset in -1...1 {
            #expect(totp.matchingStep(totp.code(forStep: step + Int64(offset)), at: now) == step + Int64(offset))
        }
        for offset in [-2, 2] {
            #expect(totp.matchingStep(totp.code(forStep: step + Int64(offset)), at: now) == nil)
        }
        #expect(totp.matchingStep(totp.code(forStep: step + 2), at: now, window: 2) == step + 2)
        #expect(totp.matchingStep(totp.code(forStep: step + 1), at: now, window: 0) == nil)
    }

    @Test func malformedCodesAreRefused() {
        let totp = TOTP(secret: rfcSecret)
        let date = Date(timeIntervalSince1970: 59)
        #expect(totp.matchingStep("287082", at: date) == 1)
        for code in ["28708", "2870820", "0287082", "28708a", " 287082", "287082 ", "２８７０８２", "٢٨٧٠٨٢", ""] {
            #expect(totp.matchingStep(code, at: date) == nil, "\(code)")
        }
    }

    @Test func generatedSecretsAreFreshAndOfRecommendedLength() {
        let first = TOTP.generateSecret()
        let second = TOTP.generateSecret()
        #expect(first.count == 20)
        #expect(first != second)
    }

    @Test func provisioningURI() {
        let totp = TOTP(secret: rfcSecret)
        #expect(
            totp.provisioningURI(issuer: "Cabinet", account: "agent@example.com")
                == "otpauth://totp/Cabinet:agent%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                + "&issuer=Cabinet&algorithm=SHA1&digits=6&period=30")
        let encoded = totp.provisioningURI(issuer: "Мой оператор", account: "a:b c")
        #expect(encoded.hasPrefix("otpauth://totp/%D0%9C%D0%BE%D0%B9%20%D0%BE"))
        #expect(encoded.contains(":a%3Ab%20c?secret="))
        let eightDigits = TOTP(secret: rfcSecret, digits: 8)
        #expect(eightDigits.provisioningURI(issuer: "C", account: "a").hasSuffix("&digits=8&period=30"))
    }
}

@Suite struct Base32Tests {
    @Test(arguments: [
        ("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
    }

    @Test func decodingIsLenientAboutCaseSpacesAndPadding() {
        #expect(Base32.decode("mzxw 6ytb oi======") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW6YQ=") == Array("foob".utf8))
    }

    @Test func decodingRefusesWhatIsNotBase32() {
        #expect(Base32.decode("MZXW1") == nil)  // 1 is not in the alphabet
        #expect(Base32.decode("MZXW6-YTB") == nil)
        #expect(Base32.decode("MZXWÖ") == nil)
        #expect(Base32.decode("M") == nil)  // no encoder ends with a lone character
    }

    @Test func roundTrip() {
        for _ in 0..<20 {
            let secret = TOTP.generateSecret()
            #expect(Base32.decode(Base32.encode(secret)) == secret)
        }
        let all = (0...255).map { UInt8($0) }
        #expect(Base32.decode(Base32.encode(all)) == all)
    }
}

@Suite struct RussianStemmerTests {
    @Test(arguments: [
        ("пополнить", "пополн"), ("баланса", "баланс"), ("тарифы", "тариф"), ("роуминге", "роуминг"),
        // From Snowball's sample vocabulary (snowball-data, russian/voc.txt and output.txt).
        ("вавилон", "вавилон"), ("важная", "важн"), ("важнее", "важн"), ("вагоны", "вагон"),
        ("абонировался", "абонирова"), ("авиация", "авиац"), ("административный", "административн"),
        ("аристократическою", "аристократическ"), ("анализирующей", "анализир"), ("апельсинничаешь", "апельсиннича"),
    ])
    func snowballStems(word: String, stem: String) {
        #expect(RussianStemmer.stem(word) == stem)
    }

    @Test func searchFindsRelatedForms() {
        let query = RussianStemmer.stem("пополнить")
        #expect(RussianStemmer.stem("пополнение").hasPrefix(query))
        #expect(RussianStemmer.stem("Пополнения").hasPrefix(query))
    }

    @Test func caseAndYo() {
        #expect(RussianStemmer.stem("БАЛАНСА") == "баланс")
        #expect(RussianStemmer.stem("ёлки") == RussianStemmer.stem("елки"))
        // A decomposed ё (е + combining diaeresis) is the same letter.
        #expect(RussianStemmer.stem("\u{0435}\u{0308}лки") == RussianStemmer.stem("елки"))
    }

    @Test func nonCyrillicWordsAreOnlyLowercased() {
        #expect(RussianStemmer.stem("Roaming") == "roaming")
        #expect(RussianStemmer.stem("5G") == "5g")
        #expect(RussianStemmer.stem("") == "")
    }
}

@Suite struct AttachmentTypeTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D]
    static let samples: [(AttachmentType, [UInt8])] = [
        (.png, png),
        (.jpeg, [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]),
        (.gif, Array("GIF87a\u{1}\u{0}".utf8)),
        (.gif, Array("GIF89a\u{1}\u{0}".utf8)),
        (.webp, Array("RIFF".utf8) + [0x24, 0x00, 0x00, 0x00] + Array("WEBPVP8 ".utf8)),
        (.pdf, Array("%PDF-1.7\n".utf8)),
    ]

    @Test func sniffsEveryAcceptedType() {
        for (type, bytes) in Self.samples {
            #expect(AttachmentType.sniff(bytes) == type)
            #expect(AttachmentType.sniff(Data(bytes)) == type)
        }
        #expect(Set(Self.samples.map(\.0)) == Set(AttachmentType.allCases))
    }

    @Test(arguments: [
        "<html><script>alert(1)</script>", "%PD", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>",
        "<?xml version=\"1.0\"?><svg/>", "#!/bin/sh", "PK\u{3}\u{4}", "RIFF\u{0}\u{0}\u{0}\u{0}WAVEfmt ", "RIFF", "",
        " %PDF-1.7", "GIF88a",
    ])
    func refusesEverythingElse(text: String) {
        #expect(AttachmentType.sniff(Array(text.utf8)) == nil)
    }

    @Test func typeComesFromBytesNotName() {
        let type = AttachmentType.sniff(Self.png)
        #expect(type == .png)
        #expect(type.map { AttachmentType.safeFileName("report.pdf", type: $0) } == "report.png")
    }

    @Test func mediaTypesAndExtensions() {
        #expect(AttachmentType.png.mediaType == "image/png")
        #expect(AttachmentType.jpeg.mediaType == "image/jpeg")
        #expect(AttachmentType.jpeg.fileExtension == "jpg")
        #expect(AttachmentType.pdf.mediaType == "application/pdf")
        #expect(AttachmentType.webp.mediaType == "image/webp")
    }

    @Test func safeFileNames() {
        #expect(AttachmentType.safeFileName("../../etc/passwd.png", type: .png) == "passwd.png")
        #expect(AttachmentType.safeFileName("..\\..\\boot.ini", type: .pdf) == "boot.pdf")
        #expect(AttachmentType.safeFileName("отчёт за май.pdf", type: .pdf) == "отчёт за май.pdf")
        #expect(AttachmentType.safeFileName("", type: .gif) == "attachment.gif")
        #expect(AttachmentType.safeFileName("../", type: .jpeg) == "attachment.jpg")
        #expect(AttachmentType.safeFileName("\"><img src=x>.png", type: .png) == "img srcx.png")
        #expect(AttachmentType.safeFileName("a\r\nSet-Cookie: x.png", type: .png) == "aSet-Cookie x.png")
        #expect(AttachmentType.safeFileName("photo.JPEG", type: .jpeg) == "photo.jpg")
        #expect(AttachmentType.safeFileName(".htaccess", type: .png) == "attachment.png")
        #expect(AttachmentType.safeFileName("v1.2 notes", type: .pdf) == "v1.2 notes.pdf")
    }

    @Test func longNamesAreShortened() {
        let long = String(repeating: "скриншот", count: 37) + ".png"
        #expect(long.count == 300)
        let name = AttachmentType.safeFileName(long, type: .pdf)
        #expect(name.count == 100)
        #expect(name.hasSuffix("шот.pdf"))
        #expect(name.hasPrefix("скриншотскриншот"))
        // A letter carrying many combining marks is one character but counts by its scalars.
        let marked = AttachmentType.safeFileName(String(repeating: "a\u{0301}\u{0302}\u{0303}", count: 100), type: .png)
        #expect(marked.unicodeScalars.count <= 100)
    }
}
