public import Catalog
import Foundation

/// A JSON value with the line and column where it starts, so an error in an order file can name both.
public struct JSONNode: Sendable {
    public enum Value: Sendable {
        case null
        case bool(Bool)
        /// The number as written (`19.99`, `1732876800000`): callers decide what it must be.
        case number(String)
        case string(String)
        case array([JSONNode])
        case object([(String, JSONNode)])
    }

    public var value: Value
    public var line: Int
    public var column: Int

    public init(value: Value, line: Int, column: Int) {
        self.value = value
        self.line = line
        self.column = column
    }

    /// The member `key` of an object (`nil` when absent, or when this is not an object).
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var isNull: Bool { if case .null = value { true } else { false } }
    public var string: String? { if case .string(let s) = value { s } else { nil } }
    public var array: [JSONNode]? { if case .array(let a) = value { a } else { nil } }
    public var numberText: String? { if case .number(let n) = value { n } else { nil } }

    /// What kind of value this is, for messages (`found: object`).
    public var kind: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let n): n
        case .string(let s): s
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Parses a whole JSON document (RFC 8259) from bytes, recording each value's line and column.
///
/// Bounded against hostile input: nesting deeper than `maxDepth` and strings over `maxStringBytes` are
/// errors, invalid UTF-8 and lone surrogates are errors; nothing is read from anywhere but `bytes`.
/// Hand-written because Foundation's `JSONSerialization` keeps no positions, and an order file's errors
/// must name their line.
public struct JSONReader {
    public static let maxDepth = 64
    public static let maxStringBytes = 1 << 20

    let bytes: [UInt8]
    let file: String
    var pos = 0
    var line = 1
    var lineStart = 0
    var depth = 0

    /// Members whose names are not in `only` (at any depth) are checked but not made: they are left out
    /// of their objects (a reader that wants a few values of a large document). `nil`: all members.
    var only: [[UInt8]]?

    public static func parse(_ bytes: [UInt8], file: String, onlyMembers only: Set<String>? = nil) throws -> JSONNode {
        var reader = JSONReader(bytes: bytes, file: file)
        reader.only = only.map { $0.map { Array($0.utf8) } }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.pos = 3; reader.lineStart = 3 }
        reader.skipSpace()
        let root = try reader.value()
        reader.skipSpace()
        guard reader.pos == bytes.count else { throw reader.fail("expected the end of the document", found: reader.foundHere()) }
        return root
    }

    func fail(_ message: String, found: String? = nil) -> InputError {
        InputError(
            "invalid JSON: \(message)", at: InputLocation(file: file, line: line, column: pos - lineStart + 1),
            column: "column \(pos - lineStart + 1)", found: found)
    }

    func foundHere() -> String {
        guard pos < bytes.count else { return "the end of the file" }
        return String(decoding: bytes[pos..<min(bytes.count, pos + 20)], as: UTF8.self)
    }

    mutating func skipSpace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0D: pos += 1
            case 0x0A:
                pos += 1
                line += 1
                lineStart = pos
            default: return
            }
        }
    }

    mutating func value() throws -> JSONNode {
        guard pos < bytes.count else { throw fail("expected a value", found: "the end of the file") }
        let startLine = line, startColumn = pos - lineStart + 1
        func node(_ v: JSONNode.Value) -> JSONNode { JSONNode(value: v, line: startLine, column: startColumn) }
        switch bytes[pos] {
        case UInt8(ascii: "{"):
            depth += 1
            guard depth <= JSONReader.maxDepth else { throw fail("nested deeper than \(JSONReader.maxDepth) levels") }
            pos += 1
            var members: [(String, JSONNode)] = []
            skipSpace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
                pos += 1
            } else {
                while true {
                    skipSpace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes", found: foundHere()) }
                    let wanted = wantedMember()
                    let key = wanted ? try string() : ""
                    if !wanted { try skipString() }
                    skipSpace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':' after a member name", found: foundHere()) }
                    pos += 1
                    skipSpace()
                    if wanted { members.append((key, try value())) } else { try skipValue() }
                    skipSpace()
                    guard pos < bytes.count else { throw fail("expected ',' or '}'", found: "the end of the file") }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    guard bytes[pos] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'", found: foundHere()) }
                    pos += 1
                    break
                }
            }
            depth -= 1
            return node(.object(members))
        case UInt8(ascii: "["):
            depth += 1
            guard depth <= JSONReader.maxDepth else { throw fail("nested deeper than \(JSONReader.maxDepth) levels") }
            pos += 1
            var items: [JSONNode] = []
            skipSpace()
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
                pos += 1
            } else {
                while true {
                    skipSpace()
                    items.append(try value())
                    skipSpace()
                    guard pos < bytes.count else { throw fail("expected ',' or ']'", found: "the end of the file") }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    guard bytes[pos] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'", found: foundHere()) }
                    pos += 1
                    break
                }
            }
            depth -= 1
            return node(.array(items))
        case UInt8(ascii: "\""):
            return node(.string(try string()))
        case UInt8(ascii: "t"):
            try literal("true")
            return node(.bool(true))
        case UInt8(ascii: "f"):
            try literal("false")
            return node(.bool(false))
        case UInt8(ascii: "n"):
            try literal("null")
            return node(.null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return node(.number(try number()))
        default:
            throw fail("expected a value", found: foundHere())
        }
    }

    mutating func literal(_ word: String) throws {
        guard bytes[pos...].starts(with: word.utf8) else { throw fail("expected a value", found: foundHere()) }
        pos += word.utf8.count
    }

    mutating func number() throws -> String {
        let start = pos
        func digits() -> Int {
            let s = pos
            while pos < bytes.count, bytes[pos] >= 48, bytes[pos] <= 57 { pos += 1 }
            return pos - s
        }
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        let intStart = pos
        guard digits() > 0 else { throw fail("expected digits in a number", found: foundHere()) }
        if bytes[intStart] == 48 && pos - intStart > 1 { throw fail("a number may not start with 0", found: String(decoding: bytes[start..<pos], as: UTF8.self)) }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard digits() > 0 else { throw fail("expected digits after '.'", found: foundHere()) }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard digits() > 0 else { throw fail("expected digits in an exponent", found: foundHere()) }
        }
        guard pos - start <= 64 else { throw fail("a number longer than 64 characters") }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    /// Whether the member whose name starts at `pos` (its opening quote) is one `only` names: compared as
    /// bytes, no String made. A name with an escape is always read.
    func wantedMember() -> Bool {
        guard let only else { return true }
        var end = pos + 1
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
            if bytes[end] == UInt8(ascii: "\\") { return true }
            end += 1
        }
        let length = end - pos - 1
        return bytes.withUnsafeBufferPointer { p in
            only.contains { name in
                name.count == length && name.withUnsafeBufferPointer { memcmp($0.baseAddress!, p.baseAddress! + pos + 1, length) == 0 }
            }
        }
    }

    /// Past one value, checked as `value()` checks it, nothing made.
    mutating func skipValue() throws {
        guard pos < bytes.count else { throw fail("expected a value", found: "the end of the file") }
        switch bytes[pos] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = bytes[pos] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = close == UInt8(ascii: "}")
            depth += 1
            guard depth <= JSONReader.maxDepth else { throw fail("nested deeper than \(JSONReader.maxDepth) levels") }
            pos += 1
            skipSpace()
            if pos < bytes.count, bytes[pos] == close {
                pos += 1
            } else {
                while true {
                    skipSpace()
                    if isObject {
                        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes", found: foundHere()) }
                        try skipString()
                        skipSpace()
                        guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':' after a member name", found: foundHere()) }
                        pos += 1
                        skipSpace()
                    }
                    try skipValue()
                    skipSpace()
                    guard pos < bytes.count else { throw fail("expected ',' or '\(isObject ? "}" : "]")'", found: "the end of the file") }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    guard bytes[pos] == close else { throw fail("expected ',' or '\(isObject ? "}" : "]")'", found: foundHere()) }
                    pos += 1
                    break
                }
            }
            depth -= 1
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try number()
        default: throw fail("expected a value", found: foundHere())
        }
    }

    /// Past a string starting at the opening quote, checked as `string()` checks it (UTF-8 aside: the
    /// callers' bytes come through a validating reader) but not made.
    mutating func skipString() throws {
        pos += 1
        let start = pos
        var scratch: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw fail("a string is not closed", found: "the end of the file") }
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return
            }
            if b < 0x20 { throw fail("a control character inside a string must be escaped", found: "\\u\(String(b, radix: 16))") }
            if b == UInt8(ascii: "\\") {
                scratch.removeAll(keepingCapacity: true)
                switch bytes.withUnsafeBufferPointer({ JSONEscape.decode($0, backslash: pos, into: &scratch) }) {
                case .success(let end): pos = end
                case .failure(let failed):
                    pos = failed.index
                    throw fail("a bad escape in a string", found: foundHere())
                }
                continue
            }
            pos += 1
            if pos - start > JSONReader.maxStringBytes { throw fail("a string longer than \(JSONReader.maxStringBytes) bytes") }
        }
    }

    /// A string starting at the opening quote.
    mutating func string() throws -> String {
        pos += 1
        var out: [UInt8] = []
        var runStart = pos
        while true {
            guard pos < bytes.count else { throw fail("a string is not closed", found: "the end of the file") }
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<pos])
                pos += 1
                break
            }
            if b < 0x20 { throw fail("a control character inside a string must be escaped", found: "\\u\(String(b, radix: 16))") }
            if b == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<pos])
                let decoded = bytes.withUnsafeBufferPointer { JSONEscape.decode($0, backslash: pos, into: &out) }
                switch decoded {
                case .success(let end): pos = end
                case .failure(let failed):
                    pos = failed.index
                    switch failed.failure {
                    case .endOfInput: throw fail("a string is not closed", found: "the end of the file")
                    case .badHexDigits: throw fail("expected four hex digits after \\u", found: foundHere())
                    case .loneSurrogate(let scalar): throw fail("a lone surrogate in \\u escapes", found: "\\u" + String(scalar, radix: 16))
                    case .unknownEscape(let e): throw fail("an unknown escape in a string", found: "\\" + String(decoding: [e], as: UTF8.self))
                    }
                }
                runStart = pos
                continue
            }
            pos += 1
            if pos - runStart + out.count > JSONReader.maxStringBytes { throw fail("a string longer than \(JSONReader.maxStringBytes) bytes") }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
        return s
    }
}

extension JSONValue {
    /// The value a node read holds (numbers as written).
    public init(_ node: JSONNode) {
        switch node.value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .decimal(n)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(JSONValue.init))
        case .object(let members): self = .object(members.map { ($0.0, JSONValue($0.1)) })
        }
    }
}
