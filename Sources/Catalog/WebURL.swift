import Foundation

/// Checks on links and image URLs: absolute `http`/`https` with a host and no spaces.
///
/// Byte-level on purpose: these run for every image of every row of an import.
public enum WebURL {
    /// Returns the URL if it is an absolute http(s) URL; throws saying what was expected.
    public static func validate(_ text: String) throws(ValueError) -> String {
        let s = text.trimmingASCIIWhitespace()
        let u = s.utf8
        let schemeLength: Int
        if hasPrefix(u, "https://") {
            schemeLength = 8
        } else if hasPrefix(u, "http://") {
            schemeLength = 7
        } else if let colon = u.firstIndex(of: UInt8(ascii: ":")), colon != u.startIndex,
            u[..<colon].allSatisfy({ isLetter($0) })
        {
            throw ValueError("URL scheme must be http or https")
        } else {
            throw ValueError("expected an absolute http(s) URL such as https://shop.example/p/1")
        }
        var hostLength = 0
        var hostHasDot = false
        for b in u.dropFirst(schemeLength) {
            if b == UInt8(ascii: "/") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") { break }
            if b == UInt8(ascii: ".") { hostHasDot = true }
            hostLength += 1
        }
        guard hostLength > 0, hostHasDot || hasPrefix(u.dropFirst(schemeLength), "localhost") else {
            throw ValueError("URL has no host name")
        }
        guard !u.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw ValueError("URL must not contain spaces or control characters (encode them as %20)")
        }
        return s
    }

    /// Resolves an image path against the configured base: absolute URLs pass through, relative paths
    /// are appended to `base`; without a base a relative path is an error.
    public static func resolveImage(_ text: String, base: String?) throws(ValueError) -> String {
        let s = text.trimmingASCIIWhitespace()
        let u = s.utf8
        if hasPrefix(u, "http://") || hasPrefix(u, "https://") { return try validate(s) }
        if hasPrefix(u, "//") { return try validate("https:" + s) }
        if let colon = u.firstIndex(of: UInt8(ascii: ":")), u[..<colon].allSatisfy({ isLetter($0) }), colon != u.startIndex {
            return try validate(s)  // another scheme: let validate say what is wrong
        }
        guard let base, !base.isEmpty else {
            throw ValueError("relative image path needs image_base_url in the config [shop] section")
        }
        let path = s.drop { $0 == "/" }
        return try validate(base.hasSuffix("/") ? base + path : base + "/" + path)
    }

    /// Fills `{product_id}`, `{handle}` and `{sku}` in a link template, percent-encoding the values.
    public static func fill(template: String, productID: String, sku: String) -> String {
        var out = ""
        out.reserveCapacity(template.utf8.count + productID.utf8.count + sku.utf8.count)
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[open...]
            if after.hasPrefix("{product_id}") {
                out += percentEncode(productID)
                rest = after.dropFirst(12)
            } else if after.hasPrefix("{handle}") {
                out += percentEncode(productID)
                rest = after.dropFirst(8)
            } else if after.hasPrefix("{sku}") {
                out += percentEncode(sku)
                rest = after.dropFirst(5)
            } else {
                out += "{"
                rest = after.dropFirst()
            }
        }
        out += rest
        return out
    }

    static func percentEncode(_ s: String) -> String {
        if s.utf8.allSatisfy(isUnreserved) { return s }
        var out = ""
        for byte in s.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    private static func isUnreserved(_ b: UInt8) -> Bool {
        isLetter(b) || (b >= 48 && b <= 57) || b == 45 || b == 95 || b == 46 || b == 126
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }

    /// Case-insensitive ASCII prefix test on UTF-8.
    private static func hasPrefix(_ u: some Sequence<UInt8>, _ prefix: StaticString) -> Bool {
        var it = u.makeIterator()
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        for expected in p {
            guard let b = it.next() else { return false }
            let lower = (b >= 65 && b <= 90) ? b + 32 : b
            if lower != expected { return false }
        }
        return true
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
