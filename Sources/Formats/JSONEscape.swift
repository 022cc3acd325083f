/// JSON's string escapes (RFC 8259 §7), decoded in one place for every JSON reader: the import's and
/// the order reports' `JSONReader` (which reports where a file breaks) and the store's reader of its own
/// JSON columns (which stops quietly).
public enum JSONEscape {
    public enum Failure: Equatable, Sendable {
        /// The text ends inside the escape.
        case endOfInput
        /// `\u` is not followed by four hex digits (at the failure's index).
        case badHexDigits
        /// A `\u` surrogate without its other half.
        case loneSurrogate(UInt32)
        /// A backslash before a byte that is no escape.
        case unknownEscape(UInt8)
    }

    /// Decodes the escape whose backslash is at `bytes[backslash]`: appends the UTF-8 of what it stands
    /// for to `out` and returns the index after it, or where and why it fails.
    @inlinable
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, backslash: Int, into out: inout [UInt8]) -> Result<Int, Located> {
        var i = backslash + 1
        guard i < bytes.count else { return .failure(Located(index: i, failure: .endOfInput)) }
        let e = bytes[i]
        i += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar: UInt32
            switch hex4(bytes, at: i) {
            case .success(let n): scalar = n
            case .failure(let failed): return .failure(failed)
            }
            i += 4
            if (0xD800...0xDBFF).contains(scalar) {
                guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                    return .failure(Located(index: i, failure: .loneSurrogate(scalar)))
                }
                i += 2
                let low: UInt32
                switch hex4(bytes, at: i) {
                case .success(let n): low = n
                case .failure(let failed): return .failure(failed)
                }
                i += 4
                guard (0xDC00...0xDFFF).contains(low) else { return .failure(Located(index: i, failure: .loneSurrogate(scalar))) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                return .failure(Located(index: i, failure: .loneSurrogate(scalar)))
            }
            appendUTF8(scalar, to: &out)
        default:
            return .failure(Located(index: i, failure: .unknownEscape(e)))
        }
        return .success(i)
    }

    /// A failure and the index it was found at.
    public struct Located: Error, Equatable, Sendable {
        public var index: Int
        public var failure: Failure

        @inlinable
        public init(index: Int, failure: Failure) {
            self.index = index
            self.failure = failure
        }
    }

    /// Four hex digits at `bytes[i…]`; else the failure at `i` (too few bytes left) or at the first byte
    /// that is no hex digit.
    @inlinable
    static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Result<UInt32, Located> {
        guard i + 4 <= bytes.count else { return .failure(Located(index: i, failure: .badHexDigits)) }
        var n: UInt32 = 0
        for k in i..<(i + 4) {
            let b = bytes[k]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: return .failure(Located(index: k, failure: .badHexDigits))
            }
            n = n << 4 | d
        }
        return .success(n)
    }

    /// The UTF-8 of a Unicode scalar value (not a surrogate, at most 10FFFF: `decode` makes sure).
    @inlinable
    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
