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

/// A channel's rule set, as its template names it (`rules = "google"`): the adapter in
/// `ChannelAdapters.table` whose checks predict the channel's disapprovals (specs/google-merchant.md §8).
public struct RuleSet: RawRepresentable, Sendable, Hashable {
    public let rawValue: String
    /// The adapter; a `RuleSet` is only made for a name the table lists.
    let adapter: any ChannelAdapter.Type

    public init?(rawValue: String) {
        guard let adapter = ChannelAdapters.table[rawValue] else { return nil }
        self.rawValue = rawValue
        self.adapter = adapter
    }

    public static func == (a: RuleSet, b: RuleSet) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    /// Every rule set, in the order `ChannelAdapters.all` lists them.
    public static var allCases: [RuleSet] { ChannelAdapters.all.compactMap { RuleSet(rawValue: $0.name) } }

    public static let google = RuleSet(rawValue: "google")!
    public static let meta = RuleSet(rawValue: "meta")!
    public static let basic = RuleSet(rawValue: "basic")!

    var isMarketplace: Bool { adapter.isMarketplace }

    /// Checks a product's items (one item group) for `channel`; returns findings per item, in order.
    public func check(_ group: [FeedItem], channel: String) -> [[Diagnostic]] {
        var all = group.map { check($0, channel: channel) }
        checkGroup(group, judged: Array(group.indices), findings: &all, channel: channel)
        return all
    }

    /// The checks on a product's variants together, adding to the findings of each (`judged`: the
    /// indexes of the items judged at all).
    func checkGroup(_ group: [FeedItem], judged: [Int], findings all: inout [[Diagnostic]], channel: String) {
        adapter.checkGroup(group, judged: judged, findings: &all, channel: channel)
    }

    /// The checks every channel shares, in order, with the adapter's own where it has them: the title,
    /// editorial rules (Google, Meta), the link (not for marketplaces, which host the page), the image,
    /// prices and the sale, stock; then the adapter's own checks.
    func check(_ item: FeedItem, channel: String) -> [Diagnostic] {
        var findings = Findings(channel: channel, sku: item.id)
        if item.title.isEmpty { findings.error("missing_title", "title is required") }
        switch adapter.titleRule {
        case .limit(let limit):
            if FeedRules.longer(item.title, than: limit) { findings.error("title_too_long", "title is longer than \(limit) characters", item.title) }
        case .truncatedAt(let limit, let message):
            if FeedRules.longer(item.title, than: limit) { findings.warning("title_truncated", message, item.title) }
        }
        if let descriptionLimit = adapter.editorialDescriptionLimit {
            if FeedRules.isMostlyUpperCase(item.baseTitle) { findings.error("title_all_caps", "title is in capitals", item.title) }
            if let word = FeedRules.promotionalText(in: item.title) { findings.error("title_promotional", "title carries promotional text '\(word)'", item.title) }
            if item.description.isEmpty { findings.error("missing_description", "description is required") }
            if FeedRules.longer(item.description, than: descriptionLimit) {
                findings.warning(
                    "description_too_long", "description is longer than \(descriptionLimit) characters and will be cut", String(item.description.prefix(80)))
            }
        }
        if !adapter.isMarketplace {  // marketplaces host the listing page themselves
            if let link = item.link {
                if (try? WebURL.validate(link)) == nil { findings.error("link_not_absolute", "link must be an absolute http(s) URL", link) }
            } else {
                findings.error(
                    "missing_link",
                    "link is required: give the row a link, or set [shop] link_template and import the catalog again (the template fills links at import)")
            }
        }
        if let image = item.imageLink {
            if (try? WebURL.validate(image)) == nil {
                findings.error("image_not_http", "image_link must be an http(s) URL", image)
            } else if !WebURL.isPublic(image) {
                findings.error("image_not_public", "image_link is on a local or private host the channel cannot fetch", image)
            }
        } else {
            findings.error("missing_image", "image_link is required")
        }
        if item.price.minorUnits <= 0 {
            findings.error("missing_price", "the SKU has no price (empty or zero at import); no channel lists it until it has one", item.price.description)
        }
        if let sale = item.salePrice, sale.minorUnits >= item.price.minorUnits {
            findings.error("sale_not_below_price", "sale price must be below the price (\(item.price))", sale.description)
        }
        if item.saleEnded { findings.warning("sale_ended", "the sale window has ended; the sale price is not sent") }
        if item.unstocked { findings.warning("no_stock_record", "the SKU has no stock record here; it is sent as out of stock") }
        if item.backorderWithoutDate {
            findings.warning(
                "backorder_without_date",
                "the shop sells it on backorder, but channels need an availability_date to show backorder; it is sent as out of stock")
        }
        if let bad = item.invalidGTIN {
            findings.warning(
                "invalid_gtin", "the GTIN is not valid (\(GTIN.problem(bad) ?? "wrong")); the item is sent without it, as one with no GTIN", bad)
        }
        adapter.check(item, into: &findings)
        return findings.all
    }
}

/// The findings about one item for one channel, as rules add them.
struct Findings {
    let channel: String
    let sku: String
    private(set) var all: [Diagnostic] = []

    init(channel: String, sku: String) {
        self.channel = channel
        self.sku = sku
    }

    mutating func error(_ rule: String, _ message: String, _ value: String? = nil) {
        all.append(Diagnostic(channel: channel, sku: sku, rule: rule, severity: .error, message: message, value: value))
    }

    mutating func warning(_ rule: String, _ message: String, _ value: String? = nil) {
        all.append(Diagnostic(channel: channel, sku: sku, rule: rule, severity: .warning, message: message, value: value))
    }
}

/// Editorial and category predicates for the rules.
enum FeedRules {
    static let promotionalWords = ["free shipping", "sale", "% off", "buy now", "best price", "cheapest", "discount", "!"]

    static func promotionalText(in title: String) -> String? {
        let lower = ASCIIWords.lowercased(title)
        for (word, needle, wholeWord) in promotionalNeedles where ASCIIWords.contains(lower, needle, wholeWord: wholeWord) {
            return word
        }
        return nil
    }

    /// The words as bytes, and whether each must stand as a whole word ("Wholesale" is not "sale";
    /// "!" and "% off" count anywhere). Built once.
    static let promotionalNeedles: [(String, [UInt8], Bool)] = promotionalWords.map { ($0, Array($0.utf8), $0.first?.isLetter == true) }

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
