import Catalog

/// The text encodings an import accepts: UTF-8 (the default), or Windows-1252 transcoded on the fly.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
}

/// Checks a byte stream chunk by chunk for valid UTF-8 (no overlong forms, no surrogates, nothing above
/// U+10FFFF), remembering a sequence split between chunks, and counts lines so an error can say where.
struct UTF8Validator {
    private var pending = 0  // continuation bytes still expected
    private var lower: UInt8 = 0x80  // bounds for the next continuation byte
    private var upper: UInt8 = 0xBF
    private(set) var line = 1
    private(set) var offset = 0  // bytes consumed so far
    private var sequenceStart = 0

    /// Returns `nil` when the chunk is fine, else the 0-based byte offset of the offending sequence and its line.
    mutating func validate(_ chunk: UnsafeRawBufferPointer) -> (offset: Int, line: Int)? {
        var i = 0
        let n = chunk.count
        while i < n {
            let b = chunk[i]
            if pending == 0 {
                if b < 0x80 {
                    if b == 0x0A { line += 1 }
                    i += 1
                    continue
                }
                sequenceStart = offset + i
                switch b {
                case 0xC2...0xDF: pending = 1; lower = 0x80; upper = 0xBF
                case 0xE0: pending = 2; lower = 0xA0; upper = 0xBF
                case 0xE1...0xEC, 0xEE, 0xEF: pending = 2; lower = 0x80; upper = 0xBF
                case 0xED: pending = 2; lower = 0x80; upper = 0x9F  // no surrogates
                case 0xF0: pending = 3; lower = 0x90; upper = 0xBF
                case 0xF1...0xF3: pending = 3; lower = 0x80; upper = 0xBF
                case 0xF4: pending = 3; lower = 0x80; upper = 0x8F
                default: return (offset + i, line)
                }
            } else {
                guard b >= lower && b <= upper else { return (sequenceStart, line) }
                lower = 0x80
                upper = 0xBF
                pending -= 1
            }
            i += 1
        }
        offset += n
        return nil
    }

    /// At the end of input: a sequence cut short is an error.
    func finish() -> (offset: Int, line: Int)? { pending == 0 ? nil : (sequenceStart, line) }
}

/// Windows-1252 → UTF-8, byte by byte (a single-byte code, so chunk boundaries never cut a character).
enum Windows1252 {
    /// Code points for 0x80–0x9F; 0 marks the five bytes the code page leaves undefined.
    static let high: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// Appends the UTF-8 form of `input` to `output`; returns the index of an undefined byte, if any.
    static func transcode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Int? {
        for (i, b) in input.enumerated() {
            if b < 0x80 {
                output.append(b)
                continue
            }
            let scalar = b < 0xA0 ? high[Int(b - 0x80)] : UInt32(b)
            if scalar == 0 { return i }
            for unit in String(Character(Unicode.Scalar(scalar)!)).utf8 { output.append(unit) }
        }
        return nil
    }
}
