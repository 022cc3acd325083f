/// Reads the JSON the store itself writes into a column (custom attributes: an object of strings).
///
/// Not a general JSON reader (the import's `JSONReader` is that, with positions for error messages):
/// the values come from the store, written by `CatalogWriter` or by SQLite's own JSON functions.
enum StoredJSON {
    /// The members of a JSON object whose values are strings, in stored order. Anything else (a value
    /// that is not a string, a malformed text) ends the reading there: what was read so far is returned.
    static func stringMembers(_ text: String) -> [(String, String)] {
        var text = text
        return text.withUTF8 { bytes in
            var members: [(String, String)] = []
            var i = 0
            func skipSpace() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 } }
            func string() -> String? {
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
                i += 1
                // Without escapes (the common case) the String is made from the bytes in place.
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") && bytes[i] != UInt8(ascii: "\\") { i += 1 }
                if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                    i += 1
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(i - 1)]), as: UTF8.self)
                }
                var out: [UInt8] = []
                var run = start
                while i < bytes.count {
                    let b = bytes[i]
                    if b == UInt8(ascii: "\"") {
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                        i += 1
                        return String(decoding: out, as: UTF8.self)
                    }
                    guard b == UInt8(ascii: "\\") else { i += 1; continue }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                    guard i + 1 < bytes.count else { return nil }
                    let e = bytes[i + 1]
                    i += 2
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if scalar >= 0xD800 && scalar < 0xDC00 {  // a high surrogate: its low half follows
                            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                            i += 2
                            guard let low = hex4(), low >= 0xDC00 && low < 0xE000 else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let u = Unicode.Scalar(scalar) else { return nil }
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default: return nil
                    }
                    run = i
                }
                return nil
            }
            func hex4() -> UInt32? {
                guard i + 4 <= bytes.count else { return nil }
                var n: UInt32 = 0
                for _ in 0..<4 {
                    let b = bytes[i]
                    let d: UInt8
                    switch b {
                    case 0x30...0x39: d = b - 0x30
                    case 0x41...0x46: d = b - 0x41 + 10
                    case 0x61...0x66: d = b - 0x61 + 10
                    default: return nil
                    }
                    n = n << 4 | UInt32(d)
                    i += 1
                }
                return n
            }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return members }
            i += 1
            while true {
                skipSpace()
                guard let name = string() else { return members }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return members }
                i += 1
                skipSpace()
                guard let value = string() else { return members }
                members.append((name, value))
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ",") else { return members }
                i += 1
            }
        }
    }
}
