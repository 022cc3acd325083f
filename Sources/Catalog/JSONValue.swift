import Foundation

/// A JSON value with ordered object keys, so command output is stable and diffable.
public indirect enum JSONValue: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case null
    case bool(Bool)
    case int(Int)
    /// A decimal number written as given (`19.99` from `Money.amountString`: exact, never a Double).
    case decimal(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }

    public static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }
    public func hash(into hasher: inout Hasher) { hasher.combine(serialized()) }

    /// Compact (one line) or pretty (two-space indent) JSON text.
    public func serialized(pretty: Bool = false) -> String {
        String(decoding: serializedBytes(pretty: pretty), as: UTF8.self)
    }

    /// The same as UTF-8 bytes (feed writers append these straight to their files).
    public func serializedBytes(pretty: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(to: &out, pretty: pretty, indent: 0)
        return out
    }

    /// Appends the JSON text to `out`: byte-level (feeds serialize a document per item).
    public func write(to out: inout [UInt8], pretty: Bool, indent: Int) {
        func newline(_ level: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(0x20, count: 2 * level))
        }
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .decimal(let d): out.append(contentsOf: d.utf8)
        case .string(let s): JSONValue.escape(s, into: &out)
        case .array(let items):
            if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1) }
                item.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(indent) }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1) }
                JSONValue.escape(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(0x20) }
                value.write(to: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// RFC 8259 string escaping: quotes, backslash, control characters, and U+2028/U+2029 (which
    /// JavaScript readers take for line ends). Runs of plain bytes are copied at once; nothing is
    /// allocated per string (a table made per call was a tenth of Amazon's publish; docs/PERFORMANCE.md).
    public static func escape(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var run = 0
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                // Most bytes need nothing: printable, not a quote, a backslash or the lead of U+2028/9.
                if b >= 0x20 && b != 0x22 && b != 0x5C && b != 0xE2 {
                    i += 1
                    continue
                }
                var length = 1
                let code: UInt8
                switch b {
                case 0x22, 0x5C: code = b
                case 0x0A: code = UInt8(ascii: "n")
                case 0x0D: code = UInt8(ascii: "r")
                case 0x09: code = UInt8(ascii: "t")
                case 0x00..<0x20: code = 0
                case _ where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                    code = 0
                    length = 3
                default:  // another character starting with 0xE2
                    i += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                out.append(0x5C)
                if code != 0 {
                    out.append(code)
                } else {
                    // \u00XX for a control character, \u2028 or \u2029 for the line separators.
                    let unit: UInt16 = length == 3 ? (bytes[i + 2] == 0xA8 ? 0x2028 : 0x2029) : UInt16(b)
                    out.append(UInt8(ascii: "u"))
                    out.append(hexDigit(UInt8(unit >> 12)))
                    out.append(hexDigit(UInt8((unit >> 8) & 15)))
                    out.append(hexDigit(UInt8((unit >> 4) & 15)))
                    out.append(hexDigit(UInt8(unit & 15)))
                }
                i += length
                run = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? 0x30 + n : 0x61 + n - 10 }
}
