import Foundation

/// Where a problem is in an input file: 1-based physical line where the record starts (header = 1);
/// line 0 is the file as a whole (it cannot be opened, say), printed without a line.
public struct InputLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?

    public init(file: String, line: Int, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The file as a whole, with no line (a file that cannot be opened or read).
    public static func wholeFile(_ file: String) -> InputLocation { InputLocation(file: file, line: 0) }

    public var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// A problem found in an input file, printed as DESIGN.md §3 fixes it:
/// `FILE:LINE: error: COLUMN: what is wrong (found: VALUE)`.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning }

    public var severity: Severity
    public var location: InputLocation
    /// The header as written in the file, when the problem belongs to one column.
    public var column: String?
    public var message: String
    /// The offending value, already cut to 80 characters with control characters escaped.
    public var found: String?

    public init(
        _ message: String, at location: InputLocation, column: String? = nil, found: String? = nil,
        severity: Severity = .error
    ) {
        self.severity = severity
        self.location = location
        self.column = column
        self.message = message
        self.found = found.map(InputError.displayValue)
    }

    public var description: String {
        var s = "\(location): \(severity.rawValue): "
        if let column { s += "\(column): " }
        s += message
        if let found { s += " (found: \(found))" }
        return s
    }

    /// Cuts a value to 80 characters and escapes control characters, so one error stays one line.
    public static func displayValue(_ raw: String) -> String {
        var out = ""
        var count = 0
        for scalar in raw.unicodeScalars {
            if count == 80 {
                out += "…"
                break
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            count += 1
        }
        return out
    }
}

/// A value that does not parse, before it is tied to a file position: the parser says what was
/// expected; the caller adds the file, line, column and found value.
public struct ValueError: Error, Hashable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
