import Foundation

/// Checks on links and image URLs: absolute `http`/`https` with a host and no spaces.
public enum WebURL {
    /// Returns the URL if it is an absolute http(s) URL; throws saying what was expected.
    public static func validate(_ text: String) throws(ValueError) -> String {
        let s = text.trimmingASCIIWhitespace()
        let lower = s.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = s.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = s.dropFirst(7)
        } else if let colon = lower.firstIndex(of: ":"), lower[..<colon].allSatisfy({ $0.isLetter }) && colon != lower.startIndex {
            throw ValueError("URL scheme must be http or https")
        } else {
            throw ValueError("expected an absolute http(s) URL such as https://shop.example/p/1")
        }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty, host.contains(".") || host.hasPrefix("localhost") else {
            throw ValueError("URL has no host name")
        }
        guard !s.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw ValueError("URL must not contain spaces or control characters (encode them as %20)")
        }
        return s
    }

    /// Resolves an image path against the configured base: absolute URLs pass through, relative paths
    /// are appended to `base`; without a base a relative path is an error.
    public static func resolveImage(_ text: String, base: String?) throws(ValueError) -> String {
        let s = text.trimmingASCIIWhitespace()
        let lower = s.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.contains("://") {
            return try validate(s)
        }
        if lower.hasPrefix("//") { return try validate("https:" + s) }
        guard let base, !base.isEmpty else {
            throw ValueError("relative image path needs image_base_url in the config [shop] section")
        }
        let joined = base.hasSuffix("/") ? base + s.drop(while: { $0 == "/" }) : base + "/" + s.drop(while: { $0 == "/" })
        return try validate(joined)
    }

    /// Fills `{product_id}`, `{handle}` and `{sku}` in a link template, percent-encoding the values.
    public static func fill(template: String, productID: String, sku: String) -> String {
        template
            .replacingOccurrences(of: "{product_id}", with: percentEncode(productID))
            .replacingOccurrences(of: "{handle}", with: percentEncode(productID))
            .replacingOccurrences(of: "{sku}", with: percentEncode(sku))
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
