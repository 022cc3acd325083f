import Catalog
import Config
import Foundation
import StorePort

/// Google's promotions feed (`../shared/specs/google-promotions.md`): the code and basket promotions
/// (`price_effect = none`), one `<item>` each, in the product feed's RSS 2.0 envelope with `g:`
/// elements. Automatic markdowns never go here (Google refuses a discount already in the price); they
/// are the items' sale prices instead (`Markdowns`).
///
/// Written in the order and layout of the spec's worked example (two-space indent): promotion_id,
/// product_applicability, offer_type, generic_redemption_code, long_title, promotion_effective_dates,
/// promotion_display_dates, redemption_channel, promotion_destination, coupon_value_type and its
/// value, minimum_purchase_amount, item_id, store_applicability, promotion_url, fine_print.
enum GooglePromotionsFeed {
    /// The promotions the feed lists at `now`: code and basket ones, active, not ended (future ones
    /// included: Google reviews them before they start), by id.
    static func listed(_ promotions: [Promotion], now: Timestamp) -> [Promotion] {
        promotions.filter { $0.priceEffect == .none && $0.status == .active && now < $0.end }.sorted { $0.id < $1.id }
    }

    /// The `g:` elements of one promotion's `<item>`, in order.
    static func elements(_ p: Promotion, shop: ShopConfig) -> [(name: String, value: String)] {
        var out: [(String, String)] = [("promotion_id", p.id)]
        out.append(("product_applicability", p.appliesTo == .all ? "all_products" : "specific_products"))
        out.append(("offer_type", p.couponCode == nil ? "no_code" : "generic_code"))
        if let code = p.couponCode { out.append(("generic_redemption_code", code)) }
        out.append(("long_title", p.title))
        out.append(("promotion_effective_dates", interval(p.start, p.end, shop)))
        if let from = p.displayStart, let to = p.displayEnd { out.append(("promotion_display_dates", interval(from, to, shop))) }
        if p.redemption.online { out.append(("redemption_channel", "online")) }
        if p.redemption.inStore { out.append(("redemption_channel", "in_store")) }
        out.append(("promotion_destination", "Shopping_ads"))
        out.append(("promotion_destination", "Free_listings"))
        if p.redemption.inStore { out.append(("promotion_destination", "Local_inventory_ads")) }
        switch p.discount {
        case .percentOff(let percent):
            out.append(("coupon_value_type", "percent_off"))
            out.append(("percent_off", String(percent)))
        case .moneyOff(let amount):
            out.append(("coupon_value_type", "money_off"))
            out.append(("money_off_amount", amount.description))
        case .freeShipping:
            out.append(("coupon_value_type", "free_shipping_standard"))
        }
        if let minimum = p.minimumPurchase { out.append(("minimum_purchase_amount", minimum.description)) }
        // SKU targets as item_id filters (as the spec's example); every target kind also reaches its
        // items through their own promotion_id in the product feed.
        if p.appliesTo == .sku { for sku in p.targets { out.append(("item_id", sku)) } }
        if p.redemption.inStore { out.append(("store_applicability", "all_stores")) }
        if let url = p.promotionURL { out.append(("promotion_url", url)) }
        if let fine = p.finePrint { out.append(("fine_print", fine)) }
        return out
    }

    /// `2026-11-20T00:00:00-05:00/2026-12-01T23:59:59-05:00`: the shop's offset, the end as its last
    /// second (the window's end is exclusive).
    static func interval(_ start: Timestamp, _ end: Timestamp, _ shop: ShopConfig) -> String {
        start.iso8601(in: shop.timeZone) + "/" + Timestamp(secondsSinceEpoch: end.secondsSinceEpoch - 1).iso8601(in: shop.timeZone)
    }

    /// The whole document.
    static func document(_ promotions: [Promotion], shop: ShopConfig) throws -> [UInt8] {
        var out: [UInt8] = []
        func line(_ text: String) { out.append(contentsOf: text.utf8) }
        func element(_ indent: String, _ name: String, _ value: String) throws {
            line(indent)
            try XMLStreamWriter.appendTextElement(ElementTag(name), value, to: &out)
            line("\n")
        }
        line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\">\n  <channel>\n")
        try element("    ", "title", "\(shop.name) promotions")
        try element("    ", "link", shop.url)
        try element("    ", "description", "Google promotions feed")
        for p in promotions {
            line("    <item>\n")
            for (name, value) in elements(p, shop: shop) { try element("      ", "g:" + name, FeedText.xmlSafe(value)) }
            line("    </item>\n")
        }
        line("  </channel>\n</rss>\n")
        return out
    }
}

/// The `google-promotions` output format: one file, written whole from the promotions (they are few);
/// no columns.
enum GooglePromotionsFormat: FormatAdapter {
    static func writer(
        output: ChannelDefinition.Output, scope: ChannelDefinition.Scope, dir: String, settings: ChannelSettings, shop: ShopConfig
    ) throws -> any OutputWriter {
        GooglePromotionsWriter(path: (dir as NSString).appendingPathComponent(output.file), shop: shop)
    }

    /// One row per `<item>`, each `g:` element by name, a repeated one's values joined with `|`.
    static func reader(path: String, digest: FileDigest?) throws -> any FeedRowReader {
        try XMLFeedReader(path: path, repeatSeparator: "|", digest: digest)
    }

    /// Audit compares each promotion's elements with what the store gives (`Auditor`), not columns.
    static var auditColumns: [ChannelDefinition.Column]? { [] }
}

/// Writes the promotions file through a `FeedFile` (temporary file, SHA-256, rename on commit).
final class GooglePromotionsWriter: OutputWriter {
    let path: String
    let shop: ShopConfig
    private var file: FeedFile?

    init(path: String, shop: ShopConfig) {
        self.path = path
        self.shop = shop
    }

    /// Items never come here: a promotions channel is not fed the catalog.
    func write(_ items: [FeedItem], stores: [StoreLocation]) throws {}

    /// Writes `promotions` (already `GooglePromotionsFeed.listed`).
    func write(promotions: [Promotion]) throws {
        let file = try FeedFile(path: path, direct: false)
        self.file = file
        try file.write(try GooglePromotionsFeed.document(promotions, shop: shop))
    }

    func finish() throws { try file?.finish() }

    func commit() throws -> [FeedFile] {
        guard let file else { return [] }
        try file.commit()
        return [file]
    }

    func discard() { file?.discard() }
}
