import Catalog

/// A TOML value as the config and the channel templates use it.
public indirect enum TOMLValue: Sendable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    /// Dates and times, kept as written (nothing in Unifeed's files reads them).
    case datetime(String)
    case array([TOMLValue])
    case table(TOMLTable)

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var int: Int? { if case .integer(let n) = self { n } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var array: [TOMLValue]? { if case .array(let a) = self { a } else { nil } }
    public var table: TOMLTable? { if case .table(let t) = self { t } else { nil } }

    /// The value as TOML writes it (for `found:` in messages).
    public var description: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .integer(let n): String(n)
        case .float(let d): String(d)
        case .bool(let b): b ? "true" : "false"
        case .datetime(let d): d
        case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .table(let t): "{" + t.keys.map { "\($0) = \(t[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A TOML table: keys in the order they were written.
///
/// `@unchecked Sendable`: built by the parser on one thread and never changed after `parse` returns it
/// (its mutating members are internal to the reader).
public final class TOMLTable: @unchecked Sendable {
    private(set) var entries: [(key: String, value: TOMLValue)] = []
    private var index: [String: Int] = [:]
    /// Defined by a `[header]` of its own (a second one is an error), or written inline (closed).
    var explicitlyDefined = false
    var inline = false

    public init() {}

    public var keys: [String] { entries.map(\.key) }

    public subscript(key: String) -> TOMLValue? {
        index[key].map { entries[$0].value }
    }

    func set(_ key: String, _ value: TOMLValue) {
        if let i = index[key] {
            entries[i].value = value
        } else {
            index[key] = entries.count
            entries.append((key, value))
        }
    }
}

/// Reads TOML 1.0 into `TOMLTable`s, and refuses malformed text with the line of the problem.
///
/// Written for Unifeed instead of using TOMLKit: fuzzing and AddressSanitizer showed that TOMLKit's
/// bundled toml++ aborts the whole process on several malformed inputs (`[#a]`, a lone `[`, an array
/// closed by `}`: assertions), and that TOMLKit never frees what it parses (its tables, and every key
/// and string it hands over). This reader is bounded (nesting 32 deep), byte-level, and keeps nothing
/// outside the values it returns.
public enum TOMLReader {
    public struct Problem: Error, Sendable {
        public var line: Int
        public var message: String
    }

    static let maxDepth = 32

    public static func parse(_ text: String) throws(Problem) -> TOMLTable {
        var parser = Parser(bytes: Array(text.utf8))
        return try parser.document()
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        let root = TOMLTable()

        init(bytes: [UInt8]) {
            self.bytes = bytes
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        }

        var current: UInt8? { i < bytes.count ? bytes[i] : nil }

        func fail(_ message: String) -> Problem { Problem(line: line, message: message) }

        // MARK: Whitespace, comments, line ends

        mutating func spaces() {
            while let c = current, c == 0x20 || c == 0x09 { i += 1 }
        }

        mutating func comment() throws(Problem) {
            while let c = current, c != 0x0A {
                if c < 0x20 && c != 0x09 && c != 0x0D { throw fail("a control character in a comment") }
                i += 1
            }
        }

        /// Spaces, an optional comment, then the end of the line (or of the text).
        mutating func endOfLine() throws(Problem) {
            spaces()
            if current == UInt8(ascii: "#") { try comment() }
            if current == 0x0D { i += 1 }
            guard let c = current else { return }
            guard c == 0x0A else { throw fail("expected the end of the line") }
            i += 1
            line += 1
        }

        /// Spaces, comments and line ends (between array elements, between statements).
        mutating func blanks() throws(Problem) {
            while let c = current {
                if c == 0x20 || c == 0x09 || c == 0x0D {
                    i += 1
                } else if c == 0x0A {
                    i += 1
                    line += 1
                } else if c == UInt8(ascii: "#") {
                    try comment()
                } else {
                    return
                }
            }
        }

        // MARK: Document, headers, keys

        mutating func document() throws(Problem) -> TOMLTable {
            var table = root
            while true {
                try blanks()
                guard current != nil else { return root }
                if current == UInt8(ascii: "[") {
                    i += 1
                    let isArray = current == UInt8(ascii: "[")
                    if isArray { i += 1 }
                    spaces()
                    let path = try key()
                    spaces()
                    guard current == UInt8(ascii: "]") else { throw fail("expected ']' to close the table header") }
                    i += 1
                    if isArray {
                        guard current == UInt8(ascii: "]") else { throw fail("expected ']]' to close the array-of-tables header") }
                        i += 1
                    }
                    table = isArray ? try appendArrayTable(path) : try defineTable(path)
                    try endOfLine()
                } else {
                    let path = try key()
                    spaces()
                    guard current == UInt8(ascii: "=") else { throw fail("expected '=' after the key") }
                    i += 1
                    spaces()
                    let value = try value(depth: 0)
                    try assign(value, to: path, in: table)
                    try endOfLine()
                }
            }
        }

        static func isBare(_ c: UInt8) -> Bool {
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95 || c == 45
        }

        /// A dotted key: bare or quoted parts joined by `.`.
        mutating func key() throws(Problem) -> [String] {
            var parts: [String] = []
            while true {
                spaces()
                guard let c = current else { throw fail("expected a key name") }
                if c == 34 || c == 39 {
                    if bytes[i...].starts(with: [c, c, c]) { throw fail("a key cannot be a multi-line string") }
                    parts.append(try string())
                } else {
                    guard Parser.isBare(c) else { throw fail("expected a key name (A-Z a-z 0-9 _ - or a quoted key)") }
                    let start = i
                    while let b = current, Parser.isBare(b) { i += 1 }
                    parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
                }
                spaces()
                guard current == UInt8(ascii: ".") else { return parts }
                i += 1
            }
        }

        /// The table at `path` under `base`, creating missing ones (through the last table of an array of
        /// tables, as TOML says).
        func descend(_ path: ArraySlice<String>, from base: TOMLTable) throws(Problem) -> TOMLTable {
            var table = base
            for part in path {
                switch table[part] {
                case nil:
                    let next = TOMLTable()
                    table.set(part, .table(next))
                    table = next
                case .table(let next)?:
                    guard !next.inline else { throw fail("\(part) is an inline table and cannot be extended") }
                    table = next
                case .array(let items)? where items.last?.table != nil:
                    table = items.last!.table!
                default:
                    throw fail("\(part) is already a value, not a table")
                }
            }
            return table
        }

        func defineTable(_ path: [String]) throws(Problem) -> TOMLTable {
            let table = try descend(path[...], from: root)
            guard !table.explicitlyDefined else { throw fail("the table [\(path.joined(separator: "."))] is defined twice") }
            table.explicitlyDefined = true
            return table
        }

        func appendArrayTable(_ path: [String]) throws(Problem) -> TOMLTable {
            let parent = try descend(path.dropLast(), from: root)
            let name = path.last!
            let table = TOMLTable()
            table.explicitlyDefined = true
            switch parent[name] {
            case nil:
                parent.set(name, .array([.table(table)]))
            case .array(let items)? where items.allSatisfy({ $0.table != nil }) && !items.isEmpty:
                parent.set(name, .array(items + [.table(table)]))
            default:
                throw fail("\(name) is already a value, not an array of tables")
            }
            return table
        }

        func assign(_ value: TOMLValue, to path: [String], in table: TOMLTable) throws(Problem) {
            let target = try descend(path.dropLast(), from: table)
            let name = path.last!
            guard target[name] == nil else { throw fail("the key \(path.joined(separator: ".")) is set twice") }
            target.set(name, value)
        }

        // MARK: Values

        mutating func value(depth: Int) throws(Problem) -> TOMLValue {
            guard depth < TOMLReader.maxDepth else { throw fail("values nested deeper than \(TOMLReader.maxDepth) levels") }
            guard let c = current else { throw fail("expected a value") }
            switch c {
            case 34, 39:
                return .string(try string())
            case UInt8(ascii: "["):
                i += 1
                var items: [TOMLValue] = []
                try blanks()
                while current != UInt8(ascii: "]") {
                    items.append(try value(depth: depth + 1))
                    try blanks()
                    guard current == UInt8(ascii: ",") else { break }
                    i += 1
                    try blanks()
                }
                guard current == UInt8(ascii: "]") else { throw fail("expected ',' or ']' in an array") }
                i += 1
                return .array(items)
            case UInt8(ascii: "{"):
                i += 1
                let table = TOMLTable()
                spaces()
                if current != UInt8(ascii: "}") {
                    while true {
                        let path = try key()
                        spaces()
                        guard current == UInt8(ascii: "=") else { throw fail("expected '=' in an inline table") }
                        i += 1
                        spaces()
                        try assign(try value(depth: depth + 1), to: path, in: table)
                        spaces()
                        guard current == UInt8(ascii: ",") else { break }
                        i += 1
                        spaces()
                    }
                }
                guard current == UInt8(ascii: "}") else { throw fail("expected ',' or '}' in an inline table (on one line)") }
                i += 1
                table.inline = true
                return .table(table)
            default:
                return try scalar()
            }
        }

        /// Numbers, booleans, dates and times.
        mutating func scalar() throws(Problem) -> TOMLValue {
            func isWordByte(_ b: UInt8) -> Bool { Parser.isBare(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":") }
            let start = i
            while let b = current, isWordByte(b) { i += 1 }
            // A date and a time may be separated by one space: `1979-05-27 07:32:00`.
            if current == 0x20, i - start == 10, i + 1 < bytes.count, bytes[i + 1] >= 48, bytes[i + 1] <= 57, bytes[start + 4] == 45 {
                i += 1
                while let b = current, isWordByte(b) { i += 1 }
            }
            guard i > start else { throw fail("expected a value (a string, number, boolean, date, array or inline table)") }
            let word = String(decoding: bytes[start..<i], as: UTF8.self)
            switch word {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "inf", "+inf": return .float(.infinity)
            case "-inf": return .float(-.infinity)
            case "nan", "+nan", "-nan": return .float(.nan)
            default: break
            }
            let digits = String(word.filter { $0 != "_" })
            if word.contains("__") || word.hasPrefix("_") || word.hasSuffix("_") { throw fail("misplaced '_' in a number") }
            for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where digits.hasPrefix(prefix) {
                guard let n = Int(digits.dropFirst(2), radix: radix) else { throw fail("not a number in base \(radix)") }
                return .integer(n)
            }
            if let n = Int(digits) {
                let unsigned = digits.drop { $0 == "+" || $0 == "-" }
                if unsigned.count > 1 && unsigned.hasPrefix("0") { throw fail("leading zeros in a number") }
                return .integer(n)
            }
            if digits.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 58 || $0 == 84 || $0 == 116 || $0 == 90 || $0 == 122 || $0 == 46 || $0 == 43 || $0 == 32 }),
                word.utf8.count >= 8, word.contains("-") || word.contains(":")
            {
                return .datetime(word)
            }
            if let d = Double(digits), digits.first.map({ $0.isNumber || $0 == "+" || $0 == "-" }) == true, !digits.hasSuffix(".") {
                return .float(d)
            }
            throw fail("expected a value: strings need quotes")
        }

        /// A basic, literal or multi-line string starting at its opening quote, decoded.
        mutating func string() throws(Problem) -> String {
            let quote = bytes[i]
            var out: [UInt8] = []
            if bytes[i...].starts(with: [quote, quote, quote]) {
                i += 3
                if current == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                if current == 0x0A {  // a newline right after the opening quotes is not part of the string
                    i += 1
                    line += 1
                }
                while true {
                    guard let c = current else { throw fail("a multi-line string is not closed") }
                    if bytes[i...].starts(with: [quote, quote, quote]) {
                        i += 3
                        // Up to two more quotes belong to the string.
                        var extra = 0
                        while current == quote && extra < 2 {
                            out.append(quote)
                            i += 1
                            extra += 1
                        }
                        break
                    }
                    if c == 0x0A { line += 1 }
                    if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D { throw fail("a control character in a string") }
                    if c == 0x5C && quote == 34 {
                        i += 1
                        var rest = i
                        while rest < bytes.count, bytes[rest] == 0x20 || bytes[rest] == 0x09 { rest += 1 }
                        if rest < bytes.count, bytes[rest] == 0x0A || bytes[rest] == 0x0D {
                            // A line-ending backslash: drop the line end and the whitespace after it.
                            i = rest
                            while let w = current, w == 0x20 || w == 0x09 || w == 0x0A || w == 0x0D {
                                if w == 0x0A { line += 1 }
                                i += 1
                            }
                            continue
                        }
                        try escape(into: &out)
                        continue
                    }
                    out.append(c)
                    i += 1
                }
            } else {
                i += 1
                while true {
                    guard let c = current, c != 0x0A else { throw fail("a string is not closed on its line") }
                    if c == quote {
                        i += 1
                        break
                    }
                    if c < 0x20 && c != 0x09 { throw fail("a control character in a string") }
                    if c == 0x5C && quote == 34 {
                        i += 1
                        try escape(into: &out)
                        continue
                    }
                    out.append(c)
                    i += 1
                }
            }
            guard let s = String(validating: out, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
            return s
        }

        /// The escape after a backslash: `\b \t \n \f \r \" \\ \e`, `\uXXXX`, `\UXXXXXXXX`.
        mutating func escape(into out: inout [UInt8]) throws(Problem) {
            guard let e = current else { throw fail("a string ends in a backslash") }
            i += 1
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "e"): out.append(0x1B)
            case 34, 0x5C: out.append(e)
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = e == UInt8(ascii: "u") ? 4 : 8
                var scalar: UInt32 = 0
                for _ in 0..<count {
                    guard let h = current else { throw fail("expected \(count) hex digits after a \\u escape") }
                    let digit: UInt32
                    switch h {
                    case 48...57: digit = UInt32(h - 48)
                    case 65...70: digit = UInt32(h - 55)
                    case 97...102: digit = UInt32(h - 87)
                    default: throw fail("expected \(count) hex digits after a \\u escape")
                    }
                    scalar = scalar << 4 | digit
                    i += 1
                }
                guard let unicode = Unicode.Scalar(scalar) else {
                    throw fail("a \\u escape that is not a Unicode scalar (a surrogate, or above 10FFFF)")
                }
                out.append(contentsOf: String(Character(unicode)).utf8)
            default:
                throw fail("an unknown escape in a string")
            }
        }
    }
}
