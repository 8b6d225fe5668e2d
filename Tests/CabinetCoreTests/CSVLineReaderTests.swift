import CabinetCore
import Testing

@Suite struct CSVLineReaderTests {
    @Test func readsRecordsWithTheirLines() {
        let text = "\u{FEFF}msisdn,region\r\n+79001234567,msk\r\n\r\n\"8 (900) 765-43-21\",\"spb\"\n"
        let records = Array(CSVLineReader(text: text))
        #expect(
            records == [
                .success(.init(line: 1, fields: ["msisdn", "region"])),
                .success(.init(line: 2, fields: ["+79001234567", "msk"])),
                .success(.init(line: 4, fields: ["8 (900) 765-43-21", "spb"])),
            ])
    }

    @Test func detectsSemicolonsAndQuotes() {
        let text = "a;b;c\n\"x; y\";\"он сказал \"\"да\"\"\";\n"
        let records = Array(CSVLineReader(text: text))
        #expect(records.last == .success(.init(line: 2, fields: ["x; y", "он сказал \"да\"", ""])))
    }

    @Test func quotedLineBreaksKeepTheStartingLine() {
        let text = "name,address\n\"Иванов\",\"Москва,\nул. Тверская, 1\"\nnext,row\n"
        let records = Array(CSVLineReader(text: text))
        #expect(records[1] == .success(.init(line: 2, fields: ["Иванов", "Москва,\nул. Тверская, 1"])))
        #expect(records[2] == .success(.init(line: 4, fields: ["next", "row"])))
    }

    @Test func anUnterminatedQuoteIsReportedAndReadingGoesOn() {
        let text = "a,b\n\"broken,1\n2,3\n"
        let records = Array(CSVLineReader(text: text))
        #expect(records.count == 3)
        #expect(records[1] == .failure(.unterminatedQuote(line: 2)))
        #expect(records[2] == .success(.init(line: 3, fields: ["2", "3"])))
    }

    @Test func textAfterAClosingQuoteIsReported() {
        let records = Array(CSVLineReader(text: "a,b\n\"x\"y,1\nok,2\n"))
        #expect(records[1] == .failure(.textAfterClosingQuote(line: 2)))
        #expect(records[2] == .success(.init(line: 3, fields: ["ok", "2"])))
    }
}
