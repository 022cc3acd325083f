import Foundation

/// A Global Trade Item Number (GTIN-8, UPC-A/GTIN-12, EAN/GTIN-13, GTIN-14) with a valid check digit.
public struct GTIN: Hashable, Sendable, CustomStringConvertible {
    /// The digits as given (after spaces and dashes are stripped), 8, 12, 13 or 14 of them.
    public let digits: String

    public var description: String { digits }

    /// The same number padded to 14 digits, the form to compare GTINs of different lengths.
    public var gtin14: String { String(repeating: "0", count: 14 - digits.count) + digits }

    /// Parses a GTIN: spaces and dashes are stripped; anything else must be a digit; the length must be
    /// 8, 12, 13 or 14; the check digit must be right. A wrong check digit is never fixed.
    public init(parsing text: String) throws(ValueError) {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") { continue }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                throw ValueError("GTIN must contain only digits (spaces and dashes are ignored)")
            }
            bytes.append(byte - UInt8(ascii: "0"))
        }
        guard [8, 12, 13, 14].contains(bytes.count) else {
            throw ValueError("GTIN must have 8, 12, 13 or 14 digits, this one has \(bytes.count)")
        }
        let expected = GTIN.checkDigit(bytes.dropLast())
        guard let last = bytes.last, last == expected else {
            throw ValueError("GTIN check digit is wrong: expected \(expected), found \(bytes.last ?? 0)")
        }
        digits = String(decoding: bytes.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
    }

    /// The GS1 mod-10 check digit for the digits before it (weights 3,1,3,… from the right).
    public static func checkDigit(_ body: some BidirectionalCollection<UInt8>) -> UInt8 {
        var sum = 0
        for (i, d) in body.reversed().enumerated() { sum += Int(d) * (i % 2 == 0 ? 3 : 1) }
        return UInt8((10 - sum % 10) % 10)
    }
}
