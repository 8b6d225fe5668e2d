extension Money {
    /// The API form: `"1234.50"`, `"-0.05"`; always every minor digit, a dot, no grouping.
    public var amountString: String {
        let perMajor = currency.minorUnitsPerMajor
        let magnitude = minorUnits.magnitude
        let major = magnitude / UInt64(perMajor)
        let minor = magnitude % UInt64(perMajor)
        let sign = minorUnits < 0 ? "-" : ""
        guard currency.minorUnitDigits > 0 else { return "\(sign)\(major)" }
        let minorText = String(minor)
        let padded = String(repeating: "0", count: currency.minorUnitDigits - minorText.count) + minorText
        return "\(sign)\(major).\(padded)"
    }

    /// The display form: `1 234,50 ₽`, `-15,00 ₸`. Groups and the sign are separated by a no-break space
    /// (U+00A0) so an amount never wraps across lines.
    public var displayString: String {
        let api = amountString
        let negative = api.hasPrefix("-")
        let unsigned = negative ? String(api.dropFirst()) : api
        let parts = unsigned.split(separator: ".", omittingEmptySubsequences: false)
        let integer = Array(parts[0])
        var grouped = ""
        for (index, digit) in integer.enumerated() {
            if index > 0, (integer.count - index) % 3 == 0 { grouped.append(Money.noBreakSpace) }
            grouped.append(digit)
        }
        let fraction = parts.count > 1 ? "," + parts[1] : ""
        return (negative ? "-" : "") + grouped + fraction + String(Money.noBreakSpace) + currency.symbol
    }

    static let noBreakSpace: Character = "\u{00A0}"

    /// Parses the API form (`"1234.50"`, `"1234.5"`, `"1234"`, `"-10.00"`) exactly, without floating point.
    public init(parsing text: String, currency: Currency) throws(MoneyError) {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        var body = Substring(trimmed)
        var negative = false
        if body.first == "-" {
            negative = true
            body = body.dropFirst()
        }
        let pieces = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integerPart = pieces[0]
        let fractionPart = pieces.count > 1 ? pieces[1] : ""
        guard !integerPart.isEmpty, integerPart.allSatisfy(\.isASCIIDigit),
            fractionPart.allSatisfy(\.isASCIIDigit), pieces.count == 1 || !fractionPart.isEmpty
        else { throw .malformed(text) }
        guard fractionPart.count <= currency.minorUnitDigits else {
            throw .tooManyFractionDigits(allowed: currency.minorUnitDigits)
        }
        var value: Int64 = 0
        for digit in integerPart + fractionPart.padding(to: currency.minorUnitDigits) {
            guard let d = digit.wholeNumberValue else { throw .malformed(text) }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (added, o2) = shifted.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { throw .overflow }
            value = added
        }
        self.init(minorUnits: negative ? -value : value, currency: currency)
    }

    /// Parses the display form a person may paste back: `1 234,50 ₽`, `1234,5`, `15 ₸`. The currency sign or code,
    /// when present, must match `currency`.
    public init(parsingDisplay text: String, currency: Currency) throws(MoneyError) {
        var body = text.trimmingWhitespace()
        for other in Currency.all where other != currency {
            if body.hasSuffix(other.symbol) || body.uppercased().hasSuffix(other.code) {
                throw .currencyMismatch(currency, other)
            }
        }
        if body.hasSuffix(currency.symbol) { body = String(body.dropLast(currency.symbol.count)) }
        if body.uppercased().hasSuffix(currency.code) { body = String(body.dropLast(currency.code.count)) }
        let compact = body.filter { !$0.isWhitespace }.replacingComma()
        guard !compact.isEmpty else { throw .empty }
        try self.init(parsing: compact, currency: currency)
    }
}

extension Money: Codable {
    private enum CodingKeys: String, CodingKey { case amount, currency }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let currency = try container.decode(Currency.self, forKey: .currency)
        let amount = try container.decode(String.self, forKey: .amount)
        do {
            try self.init(parsing: amount, currency: currency)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .amount, in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(amountString, forKey: .amount)
        try container.encode(currency, forKey: .currency)
    }
}

extension Substring {
    fileprivate func padding(to length: Int) -> String {
        self.count >= length ? String(self) : String(self) + String(repeating: "0", count: length - self.count)
    }
}

extension String {
    fileprivate func replacingComma() -> String {
        String(map { $0 == "," ? "." : $0 })
    }
}
