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
        let hasBlankOrControl =
            u.withContiguousStorageIfAvailable { bytes in bytes.contains { $0 <= 0x20 || $0 == 0x7F } }
            ?? u.contains { $0 <= 0x20 || $0 == 0x7F }
        guard !hasBlankOrControl else {
            throw ValueError("URL must not contain spaces or control characters (encode them as %20)")
        }
        return s
    }

    /// The URL's host is one a channel's crawler can reach: not `localhost` (or a name under it), not a
    /// loopback, private or link-local IPv4 address, not an IPv6 literal of those kinds, not a `.local`,
    /// `.internal` or `.lan` name. Text, not a DNS lookup: a merchant's staging URL is caught by name.
    ///
    /// One pass over the bytes, no strings made: it runs for every image of every row of an import (a
    /// version built on `split` and `firstRange` was a third of the import's instructions).
    public static func isPublic(_ url: String) -> Bool {
        var copy = url
        return copy.withUTF8 { isPublic(bytes: $0) }
    }

    static func isPublic(bytes u: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = u.count
        // The host starts after "://".
        var i = 0
        while i + 2 < n, !(u[i] == 0x3A && u[i + 1] == 0x2F && u[i + 2] == 0x2F) { i += 1 }
        guard i + 2 < n else { return true }
        var start = i + 3
        var end = start
        while end < n, u[end] != 0x2F, u[end] != 0x3F, u[end] != 0x23 { end += 1 }
        // userinfo@host
        var at = end - 1
        while at >= start, u[at] != 0x40 { at -= 1 }
        if at >= start { start = at + 1 }
        guard start < end else { return true }
        if u[start] == 0x5B {  // [IPv6]
            var close = start + 1
            while close < end, u[close] != 0x5D { close += 1 }
            let literal = UnsafeBufferPointer(rebasing: u[(start + 1)..<close])
            func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
            if literal.elementsEqual("::1".utf8) || literal.elementsEqual("::".utf8) { return false }
            if let first = literal.first, lower(first) == 0x66, literal.count >= 2 {  // fc00::/7, fe80::/10
                let second = lower(literal[1])
                if second == 0x63 || second == 0x64 { return false }
                if second == 0x65, literal.count >= 3, [0x38, 0x39, 0x61, 0x62].contains(lower(literal[2])) { return false }
            }
            return true
        }
        // host[:port], without a final dot
        var hostEnd = start
        while hostEnd < end, u[hostEnd] != 0x3A { hostEnd += 1 }
        if hostEnd > start, u[hostEnd - 1] == 0x2E { hostEnd -= 1 }
        // The last label: a name when it holds a letter.
        var labelStart = hostEnd
        while labelStart > start, u[labelStart - 1] != 0x2E { labelStart -= 1 }
        var hasLetter = false
        for k in labelStart..<hostEnd where (u[k] | 0x20) >= 0x61 && (u[k] | 0x20) <= 0x7A { hasLetter = true }
        if hasLetter {
            for word in privateLabels where word.count == hostEnd - labelStart {
                var same = true
                for (k, w) in word.enumerated() where (u[labelStart + k] | 0x20) != w {
                    same = false
                    break
                }
                if same { return false }
            }
            return true
        }
        // Dotted IPv4: four numbers.
        var octets: [Int] = []
        octets.reserveCapacity(4)
        var value = -1
        for k in start..<hostEnd {
            let b = u[k]
            if b == 0x2E {
                guard value >= 0 else { return true }
                octets.append(value)
                value = -1
            } else if b >= 0x30 && b <= 0x39 {
                value = max(value, 0) * 10 + Int(b - 0x30)
                if value > 255 { return true }
            } else {
                return true
            }
        }
        guard value >= 0 else { return true }
        octets.append(value)
        guard octets.count == 4 else { return true }
        let a = octets[0], b = octets[1]
        return !(a == 127 || a == 10 || a == 0 || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168) || (a == 169 && b == 254))
    }

    /// Last labels of hosts no crawler reaches, lower case.
    private static let privateLabels: [[UInt8]] = ["localhost", "local", "internal", "lan"].map { Array($0.utf8) }

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
    ///
    /// Byte-level: it runs for every row that has no link of its own (three rows in four of a typical
    /// catalog, where only a product's first row carries the link), and the Character-level version was
    /// 6% of the import's reading thread.
    /// The placeholders a link template may hold.
    public static let placeholders = ["{product_id}", "{handle}", "{sku}"]

    /// The `{…}` words of `template` that are not placeholders, in order.
    public static func unknownPlaceholders(in template: String) -> [String] {
        var out: [String] = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let word = String(rest[open...close])
            if !placeholders.contains(word) { out.append(word) }
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    public static func fill(template: String, productID: String, sku: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(template.utf8.count + productID.utf8.count + sku.utf8.count)
        let t = Array(template.utf8)
        var i = 0
        while i < t.count {
            let b = t[i]
            if b == UInt8(ascii: "{") {
                if matches(t, at: i, "{product_id}") {
                    appendPercentEncoded(productID, to: &out)
                    i += 12
                    continue
                } else if matches(t, at: i, "{handle}") {
                    appendPercentEncoded(productID, to: &out)
                    i += 8
                    continue
                } else if matches(t, at: i, "{sku}") {
                    appendPercentEncoded(sku, to: &out)
                    i += 5
                    continue
                }
            }
            out.append(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func matches(_ bytes: [UInt8], at i: Int, _ word: StaticString) -> Bool {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard i + w.count <= bytes.count else { return false }
        for k in 0..<w.count where bytes[i + k] != w[k] { return false }
        return true
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func appendPercentEncoded(_ s: String, to out: inout [UInt8]) {
        for byte in s.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
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
