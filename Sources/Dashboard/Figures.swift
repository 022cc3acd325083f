public import Catalog
public import Foundation

/// How the dashboard writes numbers, sizes, moments and links.
public enum Figures {
    /// `1234567` → `1,234,567`.
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `1234567` → `1.2 MB` (powers of 1000).
    public static func bytes(_ n: Int) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(n) bytes" : String(format: "%.1f %@", value, units[unit])
    }

    /// How long before `now` the ISO 8601 moment `text` was: `5 min ago`, `3 h ago`, `2 days ago`.
    public static func age(of text: String, now: Timestamp) -> String {
        guard let t = try? Timestamp.parse(text, timeZone: TimeZone(identifier: "UTC")!) else { return "unknown" }
        let seconds = now.secondsSinceEpoch - t.secondsSinceEpoch
        switch seconds {
        case ..<0: return "in the future (the publish's --now)"
        case ..<60: return "just now"
        case ..<3600: return "\(seconds / 60) min ago"
        case ..<172_800: return "\(seconds / 3600) h ago"
        default: return "\(seconds / 86_400) days ago"
        }
    }

    /// A SKU as one path segment (`/products/SKU`): everything but unreserved characters percent-encoded.
    public static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A query's value, percent-encoded.
    public static func queryValue(_ text: String) -> String { pathSegment(text) }
}
