public import Catalog
import Formats

/// Reads the JSON the store itself writes into a column (custom attributes: an object of strings).
///
/// Not a general JSON reader (the import's `JSONReader` is that, with positions for error messages):
/// the values come from the store, written by `customObject` (either store's import).
public enum StoredJSON {
    /// The members of a JSON object whose values are strings, in stored order. Anything else (a value
    /// that is not a string, a malformed text) ends the reading there: what was read so far is returned.
    public static func stringMembers(_ text: String) -> [(String, String)] {
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
                    guard case .success(let end) = JSONEscape.decode(bytes, backslash: i, into: &out) else { return nil }
                    i = end
                    run = i
                }
                return nil
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

extension StoredJSON {
    /// Custom attributes as the stores keep them: a JSON object of strings, keys sorted; `nil` for none.
    public static func customObject(_ custom: [String: String]) -> String? {
        guard !custom.isEmpty else { return nil }
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, (name, value)) in custom.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.escape(name, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONValue.escape(value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Image URLs as the stores keep them: in order, one per line (a valid URL holds no line break);
    /// `nil` for none.
    public static func imageList(_ images: [String]) -> String? {
        images.isEmpty ? nil : images.joined(separator: "\n")
    }
}

extension Product {
    /// The product's own texts as both stores keep them, in column order: title, description, brand,
    /// google_product_category, product_type, link, condition, gender, age_group, material, pattern.
    public var storedTexts: [String?] {
        [
            title, description, brand, googleProductCategory, productType, link, condition?.rawValue, gender?.rawValue, ageGroup?.rawValue,
            material, pattern,
        ]
    }
}
