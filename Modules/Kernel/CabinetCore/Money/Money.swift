/// An amount of money: whole minor units (kopecks, tiyn) in one currency. Never a floating-point number.
///
/// Arithmetic is checked: adding amounts of different currencies or overflowing `Int64` throws instead of
/// producing a wrong number. JSON carries `{"amount": "1234.50", "currency": "RUB"}`.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    /// The amount in minor units (1 rouble = 100).
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Zero in a currency.
    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Whole major units (roubles) without a fraction, checked for overflow.
    public init(major: Int64, currency: Currency) throws(MoneyError) {
        let (value, overflow) = major.multipliedReportingOverflow(by: currency.minorUnitsPerMajor)
        guard !overflow else { throw .overflow }
        self.init(minorUnits: value, currency: currency)
    }

    public var isNegative: Bool { minorUnits < 0 }
    public var isZero: Bool { minorUnits == 0 }
    public var isPositive: Bool { minorUnits > 0 }

    public func adding(_ other: Money) throws(MoneyError) -> Money {
        try requireSameCurrency(other)
        let (value, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: value, currency: currency)
    }

    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        try requireSameCurrency(other)
        let (value, overflow) = minorUnits.subtractingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: value, currency: currency)
    }

    public func multiplied(by factor: Int64) throws(MoneyError) -> Money {
        let (value, overflow) = minorUnits.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw .overflow }
        return Money(minorUnits: value, currency: currency)
    }

    public func negated() throws(MoneyError) -> Money {
        guard minorUnits != .min else { throw .overflow }
        return Money(minorUnits: -minorUnits, currency: currency)
    }

    /// Orders two amounts of the same currency.
    public func compare(_ other: Money) throws(MoneyError) -> MoneyComparison {
        try requireSameCurrency(other)
        return minorUnits < other.minorUnits ? .less : (minorUnits == other.minorUnits ? .equal : .greater)
    }

    /// `true` when `self < other`; both must share a currency.
    public func isLess(than other: Money) throws(MoneyError) -> Bool {
        try compare(other) == .less
    }

    private func requireSameCurrency(_ other: Money) throws(MoneyError) {
        guard currency == other.currency else { throw .currencyMismatch(currency, other.currency) }
    }

    public var description: String { "\(amountString) \(currency.code)" }
}

/// The result of comparing two amounts (Foundation-free so Core stays light).
public enum MoneyComparison: Sendable, Hashable {
    case less, equal, greater
}

/// Why a money operation or parse failed.
public enum MoneyError: Error, Hashable, Sendable, CustomStringConvertible {
    case currencyMismatch(Currency, Currency)
    case overflow
    case empty
    case malformed(String)
    case tooManyFractionDigits(allowed: Int)
    case unknownCurrency(String)

    public var code: ErrorCode {
        switch self {
        case .currencyMismatch: KernelError.moneyCurrencyMismatch
        case .overflow: KernelError.moneyOverflow
        case .empty: KernelError.moneyEmpty
        case .malformed: KernelError.moneyMalformed
        case .tooManyFractionDigits: KernelError.moneyTooManyFractionDigits
        case .unknownCurrency: KernelError.moneyUnknownCurrency
        }
    }

    public var description: String {
        switch self {
        case .currencyMismatch(let a, let b): "cannot combine \(a.code) with \(b.code)"
        case .overflow: "the amount is too large"
        case .empty: "the amount is empty"
        case .malformed(let text): "\"\(text)\" is not an amount; write it like 1234.50"
        case .tooManyFractionDigits(let allowed): "at most \(allowed) digits after the decimal point"
        case .unknownCurrency(let code): "unknown currency \(code)"
        }
    }

    /// The same problem as a ``CabinetError`` for one input field.
    public func cabinetError(field: String) -> CabinetError {
        var arguments: [String: String] = [:]
        switch self {
        case .malformed(let text): arguments["value"] = text
        case .tooManyFractionDigits(let allowed): arguments["allowed"] = String(allowed)
        case .unknownCurrency(let code): arguments["currency"] = code
        case .currencyMismatch(let a, let b):
            arguments["expected"] = a.code
            arguments["actual"] = b.code
        case .overflow, .empty: break
        }
        return CabinetError(
            code, arguments: arguments,
            fieldErrors: [FieldError(field: field, code: code, arguments: arguments)])
    }
}
