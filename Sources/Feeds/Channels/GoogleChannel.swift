import Catalog
import Foundation

/// Google Merchant Center (specs/google-merchant.md §8), also the rules of local inventory, which joins
/// on the primary feed. Its feed is the `google-rss` format (and TSV), declared in `templates/google.toml`.
enum GoogleChannel: ChannelAdapter {
    static var editorialDescriptionLimit: Int? { 5000 }

    static func check(_ item: FeedItem, into findings: inout Findings) {
        if FeedRules.longer(item.id, than: 50) { findings.error("id_too_long", "id is longer than 50 characters", item.id) }
        if item.brand == nil { findings.error("missing_brand", "brand is required for new branded products") }
        if item.promotionIDs.count > 10 {
            findings.warning(
                "too_many_promotions", "more than 10 promotions name this item; Google takes 10 promotion_id values, the first 10 by id are sent",
                item.promotionIDs.joined(separator: ","))
        }
        if let gtin = item.gtin {
            let (first, second) = FeedRules.gtin13Prefix(gtin)
            if first == "2" || (first == "0" && (second == "2" || second == "4")) {
                findings.error("gtin_restricted_prefix", "GTIN is in a restricted-circulation range (02, 04, 2)", gtin)
            } else if first == "9" && (second == "8" || second == "9") {
                findings.error("gtin_coupon_prefix", "GTIN is a coupon number (98, 99)", gtin)
            }
            if let declared = item.overrides["identifier_exists"], ["no", "false"].contains(declared.lowercased()) {
                findings.error("identifier_exists_misuse", "identifier_exists is no although the item has a GTIN", gtin)
            }
        } else if item.mpn == nil {
            findings.warning("missing_identifiers", "no GTIN and no MPN: sent with identifier_exists = no")
        }
        if FeedRules.isApparel(item.googleProductCategory) {
            let missing = [("color", item.color), ("size", item.size), ("gender", item.gender), ("age_group", item.ageGroup)]
                .filter { $0.1 == nil }.map(\.0)
            if !missing.isEmpty {
                findings.error(
                    "apparel_missing_attributes", "apparel needs color, size, gender and age_group; missing: \(missing.joined(separator: ", "))",
                    item.googleProductCategory)
            }
        }
        if item.additionalImageLinks.count > 10 {
            findings.warning("too_many_images", "more than 10 additional images; the first 10 are sent", String(item.additionalImageLinks.count))
        }
    }

    /// Variants of one item group must differ: each needs a color, size, pattern or material, and no two
    /// may have the same ones (Google treats them as duplicates and shows one).
    static func checkGroup(_ group: [FeedItem], judged: [Int], findings all: inout [[Diagnostic]], channel: String) {
        guard judged.count > 1 else { return }
        /// The attributes that tell variants apart, compared field by field (no array per item: this runs
        /// for every variant of every group at each publish).
        func same(_ a: FeedItem, _ b: FeedItem) -> Bool {
            a.color == b.color && a.size == b.size && a.pattern == b.pattern && a.material == b.material && a.gender == b.gender
                && a.ageGroup == b.ageGroup && a.sizeType == b.sizeType && a.sizeSystem == b.sizeSystem
        }
        for (n, i) in judged.enumerated() {
            let item = group[i]
            if item.color == nil && item.size == nil && item.pattern == nil && item.material == nil {
                all[i].append(
                    Diagnostic(
                        channel: channel, sku: item.id, rule: "variant_missing_attributes", severity: .error,
                        message: "item_group_id \(item.itemGroupID) has \(judged.count) variants but this one has no color, size, pattern or material"))
            } else if let first = judged[..<n].first(where: { same(group[$0], item) }) {
                let attributes = [item.color, item.size, item.pattern, item.material, item.gender, item.ageGroup, item.sizeType, item.sizeSystem]
                all[i].append(
                    Diagnostic(
                        channel: channel, sku: item.id, rule: "duplicate_variant", severity: .error,
                        message:
                            "item_group_id \(item.itemGroupID): \(group[first].id) has the same color, size, pattern and material; Google shows one of two identical variants",
                        value: attributes.compactMap { $0 }.joined(separator: " / ")))
            }
        }
    }
}

/// Google's RSS 2.0 feed with the `g:` namespace, columns declared in the template.
enum GoogleRSSFormat: TemplateFormat {
    /// Repeated elements (`promotion_id`, `additional_image_link`) read back joined with commas, as
    /// the TSV writes them.
    static func reader(path: String, digest: FileDigest?) throws -> any FeedRowReader {
        try XMLFeedReader(path: path, repeatSeparator: ",", digest: digest)
    }
}
