/// Reads CSV text record by record and says on which line each record starts, so an import can report
/// "line 17: …" and go on with the next record.
///
/// RFC 4180 quoting (`"a, b"`, doubled `""`, line breaks inside quotes), `,` or `;` as the separator
/// (Russian spreadsheets write `;`), a UTF-8 BOM and CRLF line ends are accepted. A record with an
/// unterminated quote is reported as malformed and reading resumes on the next line. CSV.swift, the mirrored
/// CSV library, stops at the first malformed record and does not report line numbers, hence this reader.
public struct CSVLineReader: Sequence {
    public struct Record: Sendable, Hashable {
        /// The 1-based line the record starts on.
        public var line: Int
        public var fields: [String]

        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    public enum Problem: Error, Sendable, Hashable {
        case unterminatedQuote(line: Int)
        case textAfterClosingQuote(line: Int)

        /// The line the unreadable record starts on.
        public var line: Int {
            switch self {
            case .unterminatedQuote(let line), .textAfterClosingQuote(let line): line
            }
        }
    }

    private let lines: [Substring]
    public let separator: Character

    /// - Parameter separator: `nil` picks `;` when the first line has more `;` than `,`.
    public init(text: String, separator: Character? = nil) {
        var body = Substring(text)
        if body.first == "\u{FEFF}" { body = body.dropFirst() }
        var split: [Substring] = []
        var start = body.startIndex
        var index = body.startIndex
        while index < body.endIndex {
            let character = body[index]
            if character == "\n" || character == "\r\n" || character == "\r" {
                split.append(body[start..<index])
                start = body.index(after: index)
            }
            index = body.index(after: index)
        }
        if start < body.endIndex { split.append(body[start...]) }
        self.lines = split
        if let separator {
            self.separator = separator
        } else {
            let first = split.first ?? ""
            self.separator = first.filter { $0 == ";" }.count > first.filter { $0 == "," }.count ? ";" : ","
        }
    }

    public func makeIterator() -> Iterator { Iterator(lines: lines, separator: separator) }

    public struct Iterator: IteratorProtocol {
        let lines: [Substring]
        let separator: Character
        var position = 0

        /// Each element is a record or the problem that made its lines unreadable. Blank lines are skipped.
        public mutating func next() -> Result<Record, Problem>? {
            while position < lines.count, lines[position].allSatisfy({ $0 == " " || $0 == "\t" }) { position += 1 }
            guard position < lines.count else { return nil }
            let startLine = position + 1
            var fields: [String] = []
            var field = ""
            var inQuotes = false
            var afterQuote = false
            var lineIndex = position
            while lineIndex < lines.count {
                for character in lines[lineIndex] {
                    if inQuotes {
                        if character == "\"" {
                            inQuotes = false
                            afterQuote = true
                        } else {
                            field.append(character)
                        }
                    } else if character == "\"" {
                        if afterQuote {  // a doubled quote inside a quoted field
                            field.append("\"")
                            inQuotes = true
                            afterQuote = false
                        } else if field.isEmpty {
                            inQuotes = true
                        } else {
                            field.append(character)
                        }
                    } else if character == separator {
                        fields.append(field)
                        field = ""
                        afterQuote = false
                    } else if afterQuote {
                        if character == " " { continue }
                        position = lineIndex + 1
                        return .failure(.textAfterClosingQuote(line: startLine))
                    } else {
                        field.append(character)
                    }
                }
                if inQuotes {
                    field.append("\n")
                    lineIndex += 1
                    continue
                }
                fields.append(field)
                position = lineIndex + 1
                return .success(Record(line: startLine, fields: fields))
            }
            // Ran out of lines inside quotes: report, and resume right after the record's first line.
            position = startLine
            return .failure(.unterminatedQuote(line: startLine))
        }
    }
}
