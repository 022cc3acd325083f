import Foundation

/// An ISO 4217 currency with its number of minor-unit digits.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public let exponent: Int

    /// The currency for an ISO 4217 code (upper case); `nil` for an unknown code.
    public init?(code: String) {
        guard code.utf8.count == 3, let exponent = Currency.table[code] else { return nil }
        self.code = code
        self.exponent = exponent
    }

    /// A code that is not in ISO 4217's table as this build knows it (a store written by a later
    /// version), with two decimals.
    public init(unknownCode code: String) {
        self.code = code
        self.exponent = 2
    }

    public var description: String { code }

    /// Parses a currency code written in a file: three letters, upper case after trimming.
    public static func parse(_ text: String) throws(ValueError) -> Currency {
        let code = text.trimmingASCIIWhitespace().uppercased()
        guard let currency = Currency(code: code) else {
            throw ValueError("unknown currency, expected an ISO 4217 code such as USD or EUR")
        }
        return currency
    }

    /// Active ISO 4217 codes (list one, 2024) with their minor units; most have 2.
    static let table: [String: Int] = {
        let two = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD \
            CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL \
            GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD \
            LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN \
            PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL \
            THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD YER ZAR ZMW ZWL
            """
        var table: [String: Int] = [:]
        for code in two.split(separator: " ") { table[String(code)] = 2 }
        for code in [
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
            "VUV", "XAF", "XOF", "XPF",
        ] { table[code] = 0 }
        for code in ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"] { table[code] = 3 }
        for code in ["CLF", "UYW"] { table[code] = 4 }
        return table
    }()
}

/// An amount of money in integer minor units (cents) of an ISO 4217 currency. Never `Double`.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public var minorUnits: Int64
    public var currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The amount with exactly the currency's decimals and a `.` separator: `"25.00"`.
    public var amountString: String { Money.format(minorUnits, exponent: currency.exponent) }

    /// `"25.00 USD"`, the form Google and Meta want.
    public var description: String {
        var text = amountString
        text.append(" ")
        text.append(currency.code)
        return text
    }

    /// `2500` with exponent 2 → `25.00`. Digits are written into a small buffer from the right (feeds
    /// format two prices per item).
    public static func format(_ minor: Int64, exponent: Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buffer in
            var magnitude = minor.magnitude
            var i = buffer.count
            var written = 0
            // At least one digit before the point: exponent + 1 digits.
            while magnitude > 0 || written <= exponent {
                if exponent > 0 && written == exponent {
                    i -= 1
                    buffer[i] = UInt8(ascii: ".")
                }
                i -= 1
                buffer[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                written += 1
            }
            if minor < 0 {
                i -= 1
                buffer[i] = UInt8(ascii: "-")
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[i...]), as: UTF8.self)
        }
    }

    /// Parses a plain decimal amount (`25`, `25.5`, `25.00`) into minor units of `currency`.
    ///
    /// Nothing is guessed: a `,` decimal separator, a thousands separator, a currency symbol, a sign,
    /// an exponent or more decimals than the currency has are errors that say what was expected.
    public static func parse(_ text: String, currency: Currency) throws(ValueError) -> Money {
        let s = text.trimmingASCIIWhitespace()
        let expected = "expected a decimal amount with a '.' separator, e.g. 12.50"
        if s.isEmpty { throw ValueError("empty amount, \(expected)") }
        if s.hasPrefix("-") { throw ValueError("amount must not be negative") }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenDot = false
        var digits = 0
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let d = Int64(byte - UInt8(ascii: "0"))
                digits += 1
                if seenDot {
                    fractionDigits += 1
                    if fractionDigits > currency.exponent {
                        if d != 0 {
                            throw ValueError(
                                "\(currency.code) has \(currency.exponent) decimal places; the amount has more")
                        }
                        continue
                    }
                    fraction = fraction * 10 + d
                } else {
                    if whole > 100_000_000_000 { throw ValueError("amount is too large") }
                    whole = whole * 10 + d
                }
            case UInt8(ascii: "."):
                if seenDot { throw ValueError("more than one '.', \(expected)") }
                seenDot = true
            case UInt8(ascii: ","):
                throw ValueError("',' is not a decimal separator here, \(expected)")
            default:
                throw ValueError("not a number, \(expected)")
            }
        }
        if digits == 0 { throw ValueError("not a number, \(expected)") }
        var minor = whole
        for _ in 0..<currency.exponent { minor *= 10 }
        var scaledFraction = fraction
        for _ in 0..<max(0, currency.exponent - min(fractionDigits, currency.exponent)) { scaledFraction *= 10 }
        minor += scaledFraction
        return Money(minorUnits: minor, currency: currency)
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces, tabs, CR and LF (no copy when there are none).
    public func trimmingASCIIWhitespace() -> String {
        guard let first = utf8.first, let last = utf8.last else { return self }
        if !first.isASCIIWhitespace && !last.isASCIIWhitespace { return self }
        return self[...].trimmingASCIIWhitespace()
    }
}

extension Substring {
    /// The string without leading and trailing ASCII spaces, tabs, CR and LF.
    public func trimmingASCIIWhitespace() -> String {
        let utf8 = self.utf8
        guard let first = utf8.firstIndex(where: { !$0.isASCIIWhitespace }) else { return "" }
        guard let last = utf8.lastIndex(where: { !$0.isASCIIWhitespace }) else { return "" }
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return String(self) }
        return String(self[first...last])
    }
}

extension UInt8 {
    var isASCIIWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
