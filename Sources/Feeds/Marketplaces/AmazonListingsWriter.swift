import Catalog
import Foundation

/// Amazon `JSON_LISTINGS_FEED` 2.0 (specs/marketplaces.md §2.2): `listings-NNNN.json`, at most
/// `max_items` (10,000) messages a file, no file when there is nothing to send.
///
/// Each SKU is an `UPDATE` with requirements `LISTING`: item_name, brand, externally_assigned_product_identifier,
/// product_description (plain text), bullet_point (the description's list items, up to 5), condition_type,
/// images, purchasable_offer (our_price; discounted_price with its schedule while a sale is active or
/// announced), fulfillment_availability (allocated quantity and lead time), color and size. A product
/// with several variants gets a parent message first (`parentage_level` parent, `variation_theme`);
/// its children name it in `child_parent_sku_relationship`. Archived SKUs are `DELETE` messages.
/// `messageId` counts from 1 in each file.
final class AmazonListingsWriter: OutputWriter {
    let settings: ChannelSettings
    private let files: FeedFileSet
    private var messageID = 0

    init(output: ChannelDefinition.Output, dir: String, settings: ChannelSettings) {
        self.settings = settings
        let header = JSONValue.object([
            ("sellerId", .string(settings.marketplace.sellerID ?? "")), ("version", "2.0"), ("issueLocale", .string(settings.marketplace.languageTag)),
        ])
        files = FeedFileSet(dir: dir, output: output, opening: { file in
            try file.write("{\"header\":\(header.serialized()),\n\"messages\":[\n")
        }, closing: { file in try file.write("\n]}\n") })
    }

    func write(_ items: [FeedItem], stores: [StoreLocation]) throws {
        let active = items.filter { $0.status != "archived" }
        let parent = active.count > 1 ? active[0].itemGroupID : nil
        let file = try files.file(adding: items.count + (parent == nil ? 0 : 1))
        if file !== currentFile {
            currentFile = file
            messageID = 0
        }
        if let parent, let first = active.first {
            try message(file, sku: parent, operation: "UPDATE", productType: first.marketplaceCategory, attributes: parentAttributes(first, group: active))
        }
        for item in items {
            if item.status == "archived" {
                try message(file, sku: item.id, operation: "DELETE", productType: nil, attributes: nil)
            } else {
                try message(file, sku: item.id, operation: "UPDATE", productType: item.marketplaceCategory, attributes: attributes(item, parent: parent))
            }
        }
    }

    private weak var currentFile: FeedFile?

    private func message(_ file: FeedFile, sku: String, operation: String, productType: String?, attributes: JSONValue?) throws {
        messageID += 1
        var members: [(String, JSONValue)] = [("messageId", .int(messageID)), ("sku", .string(sku)), ("operationType", .string(operation))]
        if let productType, let attributes {
            members += [("productType", .string(productType)), ("requirements", "LISTING"), ("attributes", attributes)]
        }
        try file.write((messageID > 1 ? ",\n" : "") + JSONValue.object(members).serialized())
    }

    private var market: JSONValue { .string(settings.marketplace.marketplaceID) }
    private var language: JSONValue { .string(settings.marketplace.languageTag) }

    private func text(_ value: String) -> JSONValue {
        .array([.object([("value", .string(value)), ("language_tag", language), ("marketplace_id", market)])])
    }

    private func plain(_ value: String) -> JSONValue { .array([.object([("value", .string(value)), ("marketplace_id", market)])]) }

    /// The attributes every message of a product shares (parent and children).
    private func common(_ item: FeedItem, title: String) -> [(String, JSONValue)] {
        var a: [(String, JSONValue)] = [("item_name", text(title))]
        if let brand = item.brand { a.append(("brand", text(brand))) }
        let description = FeedText.plain(item.description)
        if !description.isEmpty { a.append(("product_description", text(String(description.prefix(2000))))) }
        let bullets = FeedText.bullets(item.description).prefix(5)
        if !bullets.isEmpty {
            a.append(("bullet_point", .array(bullets.map { .object([("value", .string($0)), ("language_tag", language), ("marketplace_id", market)]) })))
        }
        a.append(("condition_type", plain(AmazonListingsWriter.conditionType(item.condition))))
        return a
    }

    private func parentAttributes(_ first: FeedItem, group: [FeedItem]) -> JSONValue {
        var a = common(first, title: first.baseTitle)
        a.append(("parentage_level", plain("parent")))
        a.append(("variation_theme", .array([.object([("name", .string(AmazonListingsWriter.theme(group)))])])))
        return .object(a)
    }

    private func attributes(_ item: FeedItem, parent: String?) -> JSONValue {
        var a = common(item, title: item.title)
        if let gtin = item.gtin {
            let type = gtin.count == 12 ? "upc" : gtin.count == 13 ? "ean" : "gtin"
            a.append(("externally_assigned_product_identifier",
                      .array([.object([("type", .string(type)), ("value", .string(gtin)), ("marketplace_id", market)])])))
        }
        if let image = item.imageLink {
            a.append(("main_product_image_locator", .array([.object([("media_location", .string(image)), ("marketplace_id", market)])])))
        }
        for (n, image) in item.additionalImageLinks.prefix(8).enumerated() {
            a.append(("other_product_image_locator_\(n + 1)", .array([.object([("media_location", .string(image)), ("marketplace_id", market)])])))
        }
        if let color = item.color { a.append(("color", text(color))) }
        if let size = item.size { a.append(("size", text(size))) }
        var offer: [(String, JSONValue)] = [
            ("marketplace_id", market), ("currency", .string(item.price.currency.code)),
            ("our_price", .array([.object([("schedule", .array([.object([("value_with_tax", .decimal(item.price.amountString))])]))])])),
        ]
        if let sale = item.salePrice {
            var schedule: [(String, JSONValue)] = []
            if let start = item.saleStart { schedule.append(("start_at", .string(start.iso8601UTC))) }
            if let end = item.saleEnd { schedule.append(("end_at", .string(end.iso8601UTC))) }
            schedule.append(("value_with_tax", .decimal(sale.amountString)))
            offer.append(("discounted_price", .array([.object([("schedule", .array([.object(schedule)]))])])))
        }
        a.append(("purchasable_offer", .array([.object(offer)])))
        a.append(("fulfillment_availability", .array([.object([
            ("fulfillment_channel_code", "DEFAULT"), ("quantity", .int(item.quantity)),
            ("lead_time_to_ship_max_days", .int(settings.marketplace.leadTimeDays)),
        ])])))
        if let parent {
            a.append(("parentage_level", plain("child")))
            a.append(("child_parent_sku_relationship", .array([.object([
                ("child_relationship_type", "variation"), ("parent_sku", .string(parent)), ("marketplace_id", market),
            ])])))
        }
        return .object(a)
    }

    /// `new_new`, `refurbished_refurbished`, `used_good`.
    static func conditionType(_ condition: String) -> String {
        switch condition {
        case "refurbished": "refurbished_refurbished"
        case "used": "used_good"
        default: "new_new"
        }
    }

    /// The variation theme from the attributes the variants differ in (the product type's definition
    /// lists the exact names it accepts).
    static func theme(_ group: [FeedItem]) -> String {
        let colors = Set(group.compactMap(\.color)).count > 1, sizes = Set(group.compactMap(\.size)).count > 1
        switch (colors, sizes) {
        case (true, true): return "SIZE/COLOR"
        case (true, false): return "COLOR"
        default: return "SIZE"
        }
    }

    func finish() throws { try files.finish() }
    func commit() throws -> [FeedFile] { try files.commit() }
    func discard() { files.discard() }
}

extension FeedText {
    /// The text of each `<li>` of an HTML description (bullet points, key features), tags dropped.
    public static func bullets(_ html: String) -> [String] {
        guard html.contains("<li") else { return [] }
        var out: [String] = []
        for part in html.components(separatedBy: "<li").dropFirst() {
            guard let open = part.firstIndex(of: ">") else { continue }
            let body = part[part.index(after: open)...]
            let text = plain(String(body.components(separatedBy: "</li").first ?? ""))
            if !text.isEmpty { out.append(text) }
        }
        return out
    }

    /// `text` cut to `limit` characters at the last word boundary (no word is split).
    public static func truncatedAtWord(_ text: String, _ limit: Int) -> String {
        guard text.count > limit else { return text }
        let cut = text.prefix(limit)
        if let space = cut.lastIndex(of: " ") { return String(cut[..<space]).trimmingCharacters(in: CharacterSet(charactersIn: " ,;-–")) }
        return String(cut)
    }
}
