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

    /// A GTIN kept as written (spaces and dashes stripped) although it is not valid: the catalog holds
    /// it as the merchant has it, and each channel's diagnostics judge it (no channel ever sends it).
    public init(unchecked text: String) {
        digits = String(text.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "-") }.map { Character(UnicodeScalar($0)) })
    }

    /// Whether `digits` is a valid GTIN: 8, 12, 13 or 14 digits with the right check digit.
    /// Reads the bytes in place, no allocation: every channel asks it of every item at each publish.
    public static func isValid(_ digits: String) -> Bool {
        func check(_ bytes: some Collection<UInt8>) -> Bool {
            let count = bytes.count
            guard count == 8 || count == 12 || count == 13 || count == 14 else { return false }
            var sum = 0
            var last = 0
            for (i, b) in bytes.enumerated() {
                guard b >= 48 && b <= 57 else { return false }
                let d = Int(b - 48)
                if i == count - 1 {
                    last = d
                } else {
                    sum += d * ((count - 1 - i) % 2 == 1 ? 3 : 1)  // weights 3,1,3,… from the right of the body
                }
            }
            return (10 - sum % 10) % 10 == last
        }
        return digits.utf8.withContiguousStorageIfAvailable { check($0) } ?? check(digits.utf8)
    }

    /// What is wrong with `text` as a GTIN, in the words of an import warning; `nil` when it is valid.
    public static func problem(_ text: String) -> String? {
        do {
            _ = try GTIN(parsing: text)
            return nil
        } catch {
            let message = error.message
            return message.hasPrefix("GTIN ") ? String(message.dropFirst(5)) : message
        }
    }

    /// The GS1 mod-10 check digit for the digits before it (weights 3,1,3,… from the right).
    public static func checkDigit(_ body: some BidirectionalCollection<UInt8>) -> UInt8 {
        var sum = 0
        for (i, d) in body.reversed().enumerated() { sum += Int(d) * (i % 2 == 0 ? 3 : 1) }
        return UInt8((10 - sum % 10) % 10)
    }
}
