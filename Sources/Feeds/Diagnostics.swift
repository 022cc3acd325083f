import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

/// One finding about one item for one channel: an error keeps the item out of that channel's feed, a
/// warning does not.
public struct Diagnostic: Sendable, Hashable {
    public enum Severity: String, Sendable { case error, warning }
    public var channel: String
    public var sku: String
    public var rule: String
    public var severity: Severity
    public var message: String
    public var value: String?

    /// `CHANNEL: SKU: error: RULE: message (found: value)`, one line.
    public var line: String {
        "\(channel): \(sku): \(severity.rawValue): \(rule): \(message)" + (value.map { " (found: \(InputError.displayValue($0)))" } ?? "")
    }
}

/// The checks that predict a channel's disapprovals (specs/google-merchant.md §8), by rule set.
public enum RuleSet: String, Sendable, CaseIterable {
    /// Google Merchant Center (also used for local inventory, which joins on the primary feed).
    case google
    /// Meta catalog.
    case meta
    /// A price-comparison or other declared channel: the basics any listing needs.
    case basic
    /// Marketplaces (specs/marketplaces.md): a mapped category or product type, images, price.
    case amazon, ebay, walmart

    var isMarketplace: Bool { self == .amazon || self == .ebay || self == .walmart }

    /// Where a marketplace's category mapping lives, for messages.
    var categoryKey: String {
        switch self {
        case .ebay: "categories"
        default: "product_types"
        }
    }

    /// Checks a product's items (one item group) for `channel`; returns findings per item, in order.
    public func check(_ group: [FeedItem], channel: String) -> [[Diagnostic]] {
        var all = group.map { check($0, channel: channel) }
        checkGroup(group, judged: Array(group.indices), findings: &all, channel: channel)
        return all
    }

    /// The checks on a product's variants together, adding to the findings of each (`judged`: the
    /// indexes of the items judged at all).
    func checkGroup(_ group: [FeedItem], judged: [Int], findings all: inout [[Diagnostic]], channel: String) {
        guard self == .google, judged.count > 1 else { return }
        for i in judged where group[i].color == nil && group[i].size == nil && group[i].pattern == nil && group[i].material == nil {
            all[i].append(
                Diagnostic(
                    channel: channel, sku: group[i].id, rule: "variant_missing_attributes", severity: .error,
                    message: "item_group_id \(group[i].itemGroupID) has \(judged.count) variants but this one has no color, size, pattern or material"))
        }
    }

    func check(_ item: FeedItem, channel: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        func error(_ rule: String, _ message: String, _ value: String? = nil) {
            out.append(Diagnostic(channel: channel, sku: item.id, rule: rule, severity: .error, message: message, value: value))
        }
        func warning(_ rule: String, _ message: String, _ value: String? = nil) {
            out.append(Diagnostic(channel: channel, sku: item.id, rule: rule, severity: .warning, message: message, value: value))
        }
        let titleLimit = self == .meta || self == .amazon || self == .walmart ? 200 : 150
        let descriptionLimit = self == .meta ? 9999 : 5000

        if item.title.isEmpty { error("missing_title", "title is required") }
        if self == .ebay {
            if FeedRules.longer(item.title, than: 80) { warning("title_truncated", "eBay titles hold 80 characters; the title is cut at a word", item.title) }
        } else if FeedRules.longer(item.title, than: titleLimit) {
            error("title_too_long", "title is longer than \(titleLimit) characters", item.title)
        }
        if self == .google || self == .meta {
            if FeedRules.isMostlyUpperCase(item.baseTitle) { error("title_all_caps", "title is in capitals", item.title) }
            if let word = FeedRules.promotionalText(in: item.title) { error("title_promotional", "title carries promotional text '\(word)'", item.title) }
            if item.description.isEmpty { error("missing_description", "description is required") }
            if FeedRules.longer(item.description, than: descriptionLimit) {
                warning("description_too_long", "description is longer than \(descriptionLimit) characters and will be cut", String(item.description.prefix(80)))
            }
        }
        if !isMarketplace {  // marketplaces host the listing page themselves
            if let link = item.link {
                if (try? WebURL.validate(link)) == nil { error("link_not_absolute", "link must be an absolute http(s) URL", link) }
            } else {
                error("missing_link", "link is required (set link or [shop] link_template)")
            }
        }
        if let image = item.imageLink {
            if (try? WebURL.validate(image)) == nil { error("image_not_http", "image_link must be an http(s) URL", image) }
        } else {
            error("missing_image", "image_link is required")
        }
        if item.price.minorUnits <= 0 { error("price_not_positive", "price must be above 0", item.price.description) }
        if let sale = item.salePrice, sale.minorUnits >= item.price.minorUnits {
            error("sale_not_below_price", "sale price must be below the price (\(item.price))", sale.description)
        }
        if item.saleEnded { warning("sale_ended", "the sale window has ended; the sale price is not sent") }
        if item.unstocked { warning("no_stock_record", "the SKU has no stock record here; it is sent as out of stock") }

        switch self {
        case .google:
            if FeedRules.longer(item.id, than: 50) { error("id_too_long", "id is longer than 50 characters", item.id) }
            if item.brand == nil { error("missing_brand", "brand is required for new branded products") }
            if let gtin = item.gtin {
                let (first, second) = FeedRules.gtin13Prefix(gtin)
                if first == "2" || (first == "0" && (second == "2" || second == "4")) {
                    error("gtin_restricted_prefix", "GTIN is in a restricted-circulation range (02, 04, 2)", gtin)
                } else if first == "9" && (second == "8" || second == "9") {
                    error("gtin_coupon_prefix", "GTIN is a coupon number (98, 99)", gtin)
                }
                if let declared = item.overrides["identifier_exists"], ["no", "false"].contains(declared.lowercased()) {
                    error("identifier_exists_misuse", "identifier_exists is no although the item has a GTIN", gtin)
                }
            } else if item.mpn == nil {
                warning("missing_identifiers", "no GTIN and no MPN: sent with identifier_exists = no")
            }
            if FeedRules.isApparel(item.googleProductCategory) {
                let missing = [("color", item.color), ("size", item.size), ("gender", item.gender), ("age_group", item.ageGroup)]
                    .filter { $0.1 == nil }.map(\.0)
                if !missing.isEmpty {
                    error(
                        "apparel_missing_attributes", "apparel needs color, size, gender and age_group; missing: \(missing.joined(separator: ", "))",
                        item.googleProductCategory)
                }
            }
            if item.additionalImageLinks.count > 10 {
                warning("too_many_images", "more than 10 additional images; the first 10 are sent", String(item.additionalImageLinks.count))
            }
        case .meta:
            if item.brand == nil && item.gtin == nil && item.mpn == nil { error("missing_brand", "brand (or a GTIN or MPN) is required") }
        case .basic:
            break
        case .amazon, .ebay, .walmart:
            if item.marketplaceCategory == nil {
                error(
                    "unmapped_category", "no [channels.\(channel).\(categoryKey)] entry for this product_type, and no \(channel).\(self == .ebay ? "category" : "product_type") column",
                    item.productType ?? "no product_type")
            }
            if self != .ebay && item.brand == nil { error("missing_brand", "brand is required") }
            if self == .ebay && item.description.isEmpty { error("missing_description", "eBay listings need a description") }
            if item.gtin == nil {
                if self == .walmart {
                    error("missing_gtin", "Walmart items need a product identifier (GTIN, UPC or EAN)")
                } else if self == .amazon {
                    warning("missing_gtin", "sent without externally_assigned_product_identifier: needs a GTIN exemption for the brand")
                }
            }
        }
        return out
    }
}

/// Editorial and category predicates for the rules.
enum FeedRules {
    static let promotionalWords = ["free shipping", "sale", "% off", "buy now", "best price", "cheapest", "discount", "!"]

    static func promotionalText(in title: String) -> String? {
        let lower = asciiLowercased(title)
        for (word, needle, wholeWord) in promotionalNeedles where containsWord(lower, needle, wholeWord: wholeWord) {
            return word
        }
        return nil
    }

    /// The words as bytes, and whether each must stand as a whole word ("Wholesale" is not "sale";
    /// "!" and "% off" count anywhere). Built once.
    static let promotionalNeedles: [(String, [UInt8], Bool)] = promotionalWords.map { ($0, Array($0.utf8), $0.first?.isLetter == true) }

    /// The UTF-8 bytes with ASCII letters lower-cased (other bytes as they are).
    static func asciiLowercased(_ s: String) -> [UInt8] {
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
    /// (bytes of non-ASCII letters count as word characters). Byte-level: it runs for every item.
    static func containsWord(_ haystack: [UInt8], _ needle: [UInt8], wholeWord: Bool) -> Bool {
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

    /// More than `limit` characters, counting graphemes only when the UTF-8 length says it may be.
    static func longer(_ s: String, than limit: Int) -> Bool {
        s.utf8.count > limit && s.count > limit
    }

    /// Mostly capitals: at least 8 letters and no lower-case letter (an ASCII lower-case byte settles it).
    static func isMostlyUpperCase(_ s: String) -> Bool {
        if s.utf8.contains(where: { $0 >= 97 && $0 <= 122 }) { return false }
        let letters = s.filter(\.isLetter)
        return letters.count >= 8 && !letters.contains(where: \.isLowercase)
    }

    /// Apparel & Accessories (166), Clothing (1604), Shoes (187), or a path under Apparel & Accessories.
    static func isApparel(_ category: String?) -> Bool {
        guard let category else { return false }
        return apparelCategoryIDs.contains(category) || category.hasPrefix("Apparel & Accessories")
    }
    private static let apparelCategoryIDs: Set<String> = ["166", "1604", "187", "212", "5322"]

    /// The first two digits of a GTIN written as GTIN-13 (shorter ones take leading zeros, a GTIN-14
    /// drops its first digit): what the restricted and coupon ranges are defined on.
    static func gtin13Prefix(_ gtin: String) -> (Unicode.Scalar, Unicode.Scalar) {
        let digits = Array(gtin.utf8.suffix(13))
        let zeros = 13 - digits.count
        func digit(_ i: Int) -> Unicode.Scalar { i < zeros ? "0" : Unicode.Scalar(digits[i - zeros]) }
        return (digit(0), digit(1))
    }
}
