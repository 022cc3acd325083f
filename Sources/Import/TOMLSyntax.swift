/// A strict syntax check of TOML text before TOMLKit sees it.
///
/// Fuzzing found inputs on which toml++ (the C++ parser inside TOMLKit) fails an assertion and aborts
/// the whole process instead of reporting an error: `[#a]`, a lone `[`, an array closed by `}`. So every
/// config and template is first read by this checker, which accepts only well-formed TOML — comments,
/// `[table]` and `[[array]]` headers, `key = value` with bare, quoted and dotted keys, strings (basic,
/// literal, multi-line), numbers, booleans, dates, arrays over several lines and inline tables — and
/// names the line of the first problem. It checks shape only; TOMLKit still builds the values.
public enum TOMLSyntax {
    public struct Problem: Error, Sendable {
        public var line: Int
        public var message: String
    }

    /// Deeper nesting of arrays and inline tables is refused (a config never needs it).
    static let maxDepth = 32

    public static func check(_ text: String) throws(Problem) {
        var scanner = Scanner(bytes: Array(text.utf8))
        try scanner.document()
    }

    struct Scanner {
        let bytes: [UInt8]
        var i = 0
        var line = 1

        init(bytes: [UInt8]) {
            self.bytes = bytes
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        }

        var current: UInt8? { i < bytes.count ? bytes[i] : nil }

        func fail(_ message: String) -> Problem { Problem(line: line, message: message) }

        mutating func spaces() {
            while let c = current, c == 0x20 || c == 0x09 { i += 1 }
        }

        /// Spaces, then an optional comment, then the end of the line (or of the text).
        mutating func endOfLine() throws(Problem) {
            spaces()
            if current == UInt8(ascii: "#") { try comment() }
            if current == 0x0D { i += 1 }
            guard let c = current else { return }
            guard c == 0x0A else { throw fail("expected the end of the line") }
            i += 1
            line += 1
        }

        mutating func comment() throws(Problem) {
            while let c = current, c != 0x0A {
                if c < 0x20 && c != 0x09 && c != 0x0D { throw fail("a control character in a comment") }
                i += 1
            }
        }

        /// Blank lines, spaces, comments and line ends inside arrays.
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

        mutating func document() throws(Problem) {
            while true {
                try blanks()
                guard let c = current else { return }
                if c == UInt8(ascii: "[") {
                    i += 1
                    let array = current == UInt8(ascii: "[")
                    if array { i += 1 }
                    spaces()
                    try key()
                    spaces()
                    guard current == UInt8(ascii: "]") else { throw fail("expected ']' to close the table header") }
                    i += 1
                    if array {
                        guard current == UInt8(ascii: "]") else { throw fail("expected ']]' to close the array-of-tables header") }
                        i += 1
                    }
                    try endOfLine()
                } else {
                    try keyValue()
                    try endOfLine()
                }
            }
        }

        static func isBare(_ c: UInt8) -> Bool {
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95 || c == 45
        }

        /// A dotted key: bare or quoted parts joined by `.`.
        mutating func key() throws(Problem) {
            while true {
                spaces()
                guard let c = current else { throw fail("expected a key name") }
                if c == 34 || c == 39 {
                    if bytes[i...].starts(with: [c, c, c]) { throw fail("a key cannot be a multi-line string") }
                    try string()
                } else {
                    guard Scanner.isBare(c) else { throw fail("expected a key name (A-Z a-z 0-9 _ - or a quoted key)") }
                    while let b = current, Scanner.isBare(b) { i += 1 }
                }
                spaces()
                guard current == UInt8(ascii: ".") else { return }
                i += 1
            }
        }

        mutating func keyValue() throws(Problem) {
            try key()
            spaces()
            guard current == UInt8(ascii: "=") else { throw fail("expected '=' after the key") }
            i += 1
            spaces()
            try value(depth: 0)
        }

        mutating func value(depth: Int) throws(Problem) {
            guard depth < TOMLSyntax.maxDepth else { throw fail("values nested deeper than \(TOMLSyntax.maxDepth) levels") }
            guard let c = current else { throw fail("expected a value") }
            switch c {
            case 34, 39:
                try string()
            case UInt8(ascii: "["):
                i += 1
                try blanks()
                while current != UInt8(ascii: "]") {
                    try value(depth: depth + 1)
                    try blanks()
                    if current == UInt8(ascii: ",") {
                        i += 1
                        try blanks()
                    } else {
                        break
                    }
                }
                guard current == UInt8(ascii: "]") else { throw fail("expected ',' or ']' in an array") }
                i += 1
            case UInt8(ascii: "{"):
                i += 1
                spaces()
                if current != UInt8(ascii: "}") {
                    while true {
                        try key()
                        spaces()
                        guard current == UInt8(ascii: "=") else { throw fail("expected '=' in an inline table") }
                        i += 1
                        spaces()
                        try value(depth: depth + 1)
                        spaces()
                        guard current == UInt8(ascii: ",") else { break }
                        i += 1
                        spaces()
                    }
                }
                guard current == UInt8(ascii: "}") else { throw fail("expected ',' or '}' in an inline table (on one line)") }
                i += 1
            default:
                // Numbers, booleans, dates and times: a run of the characters they are made of.
                let start = i
                while let b = current, Scanner.isBare(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":") {
                    i += 1
                }
                // A date and time may be separated by one space: `1979-05-27 07:32:00`.
                if current == 0x20, i + 1 < bytes.count, bytes[i + 1] >= 48, bytes[i + 1] <= 57, i - start == 10 {
                    i += 1
                    while let b = current, Scanner.isBare(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":") { i += 1 }
                }
                guard i > start else { throw fail("expected a value (a string, number, boolean, date, array or inline table)") }
                let word = bytes[start..<i]
                let first = word.first!
                let isNumberLike = (first >= 48 && first <= 57) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
                guard isNumberLike || word.elementsEqual("true".utf8) || word.elementsEqual("false".utf8)
                    || word.elementsEqual("inf".utf8) || word.elementsEqual("nan".utf8)
                else {
                    throw fail("expected a value: strings need quotes")
                }
            }
        }

        /// A basic, literal or multi-line string starting at the opening quote.
        mutating func string() throws(Problem) {
            let quote = bytes[i]
            if bytes[i...].starts(with: [quote, quote, quote]) {
                i += 3
                while true {
                    guard let c = current else { throw fail("a multi-line string is not closed") }
                    if bytes[i...].starts(with: [quote, quote, quote]) {
                        i += 3
                        while current == quote { i += 1 }  // up to two more quotes belong to the string
                        return
                    }
                    if c == 0x0A { line += 1 }
                    if c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D { throw fail("a control character in a string") }
                    if c == 0x5C && quote == 34 {
                        i += 1
                        try escape(multiline: true)
                    } else {
                        i += 1
                    }
                }
            }
            i += 1
            while true {
                guard let c = current, c != 0x0A else { throw fail("a string is not closed on its line") }
                if c == quote {
                    i += 1
                    return
                }
                if c < 0x20 && c != 0x09 { throw fail("a control character in a string") }
                if c == 0x5C && quote == 34 {
                    i += 1
                    try escape(multiline: false)
                    continue
                }
                i += 1
            }
        }

        /// The escape after a backslash: `\b \t \n \f \r \" \\ \e`, `\uXXXX`, `\UXXXXXXXX` (a Unicode
        /// scalar), or in a multi-line string a backslash ending the line.
        mutating func escape(multiline: Bool) throws(Problem) {
            guard let e = current else { throw fail("a string ends in a backslash") }
            if multiline && (e == 0x0A || e == 0x20 || e == 0x09 || e == 0x0D) {
                return  // a line-ending backslash: the whitespace is read as string content next
            }
            switch e {
            case UInt8(ascii: "b"), UInt8(ascii: "t"), UInt8(ascii: "n"), UInt8(ascii: "f"), UInt8(ascii: "r"), 34, 0x5C, UInt8(ascii: "e"):
                i += 1
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = e == UInt8(ascii: "u") ? 4 : 8
                i += 1
                var scalar: UInt32 = 0
                for _ in 0..<count {
                    guard let h = current else { throw fail("expected \(count) hex digits in a \\\(Character(UnicodeScalar(e))) escape") }
                    let digit: UInt32
                    switch h {
                    case 48...57: digit = UInt32(h - 48)
                    case 65...70: digit = UInt32(h - 55)
                    case 97...102: digit = UInt32(h - 87)
                    default: throw fail("expected \(count) hex digits in a \\\(Character(UnicodeScalar(e))) escape")
                    }
                    scalar = scalar << 4 | digit
                    i += 1
                }
                guard Unicode.Scalar(scalar) != nil else { throw fail("a \\u escape that is not a Unicode scalar (a surrogate, or above 10FFFF)") }
            default:
                throw fail("an unknown escape in a string")
            }
        }
    }
}
