import Foundation

/// A channel item's title: the catalog's title with the variant's color and size added unless it names
/// them already ("Tee - Black - M"), and the way back from such a title to the catalog's, for a feed
/// read in as a catalog.
public enum ItemTitle {
    /// `title`, then ` - COLOR` and ` - SIZE` unless the title names them as whole words (details under 3
    /// characters are always added: "S" is in "Men's" but says nothing there).
    public static func compose(_ title: String, color: String?, size: String?) -> String {
        var full = title
        var lowered: [UInt8]?
        func add(_ detail: String?) {
            guard let detail, !detail.isEmpty else { return }
            if detail.utf8.count >= 3 {
                if lowered == nil { lowered = ASCIIWords.lowercased(title) }
                if mentions(lowered: lowered!, detail) { return }
            }
            full += " - "
            full += detail
        }
        add(color)
        add(size)
        return full
    }

    /// The catalog title that `compose` turns into `itemTitle`: the item's title without the ` - COLOR`
    /// and ` - SIZE` a feed generator added (Unifeed's own feeds and most plugins write them so), else
    /// the item's title as it is. Publishing the result again gives `itemTitle` back whenever it can.
    public static func base(of itemTitle: String, color: String?, size: String?) -> String {
        func stripping(_ detail: String?, from title: String) -> String? {
            guard let detail, !detail.isEmpty, title.hasSuffix(" - " + detail) else { return nil }
            return String(title.dropLast(detail.count + 3))
        }
        let withoutSize = stripping(size, from: itemTitle)
        var candidates: [String] = []
        if let withoutSize, let bare = stripping(color, from: withoutSize) { candidates.append(bare) }
        if let withoutSize { candidates.append(withoutSize) }
        if let withoutColor = stripping(color, from: itemTitle) { candidates.append(withoutColor) }
        for candidate in candidates where !candidate.isEmpty && compose(candidate, color: color, size: size) == itemTitle {
            return candidate
        }
        return itemTitle
    }

    /// Whether the lower-cased title names `detail` as whole words (`detail` of 3 characters or more).
    public static func mentions(lowered title: [UInt8], _ detail: String) -> Bool {
        guard detail.count >= 3 else { return false }
        return ASCIIWords.contains(title, ASCIIWords.lowercased(detail), wholeWord: true)
    }
}

/// Byte-level word search over UTF-8 text with ASCII case folding (titles of every item go through it).
public enum ASCIIWords {
    /// The UTF-8 bytes with ASCII letters lower-cased (other bytes as they are).
    public static func lowercased(_ s: String) -> [UInt8] {
        var s = s
        return s.withUTF8 { bytes in
            [UInt8](unsafeUninitializedCapacity: bytes.count) { out, count in
                for i in 0..<bytes.count {
                    let b = bytes[i]
                    out[i] = b >= 65 && b <= 90 ? b + 32 : b
                }
                count = bytes.count
            }
        }
    }

    /// Whether `needle` occurs in `haystack`, bounded by non-alphanumeric ASCII bytes when `wholeWord`
    /// (bytes of non-ASCII letters count as word characters).
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8], wholeWord: Bool) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        func isWordByte(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b >= 128 }
        return haystack.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { n in
                let first = n[0], count = n.count, base = h.baseAddress!
                var i = 0
                while i + count <= h.count {
                    // memchr finds the next candidate (vectorised); most titles hold none.
                    guard let hit = memchr(base + i, Int32(first), h.count - count + 1 - i) else { return false }
                    i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + i, n.baseAddress!, count) == 0 {
                        let before = i == 0 || !isWordByte(h[i - 1])
                        let after = i + count == h.count || !isWordByte(h[i + count])
                        if !wholeWord || (before && after) { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }
}
