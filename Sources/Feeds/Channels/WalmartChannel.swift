import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

/// Walmart `MP_ITEM` as JSON lines (specs/marketplaces.md §4.1): `items.jsonl` starts with the
/// `MPItemFeedHeader` line (spec 5.0), then one `MPItem` entry a line: `Orderable` (sku,
/// productIdentifiers, the effective price, fulfillmentLagTime) and `Visible` keyed by the product
/// type from `[channels.walmart.product_types]` (productName, brand, shortDescription, keyFeatures,
/// images, color, size, variantGroupId, variantAttributeNames, isPrimaryVariant). Wrapping the
/// lines into one `{"MPItemFeedHeader": …, "MPItem": [ … ]}` upload is a line-by-line join. Archived
/// SKUs are not in the item feed; the inventory feed sends them as 0.
final class WalmartItemWriter: OutputWriter {
    static let specVersion = "5.0.20240517-04_08_27-api"
    let settings: ChannelSettings
    let file: FeedFile
    private var json = JSONBytes()
    /// Plain text cut to Walmart's 4,000 characters, and the bullets, once per product.
    private var described = DescriptionCache(limit: 4000)

    init(output: ChannelDefinition.Output, dir: String, settings: ChannelSettings) throws {
        self.settings = settings
        file = try FeedFile(path: (dir as NSString).appendingPathComponent(output.file))
        let header = JSONValue.object([
            (
                "MPItemFeedHeader",
                .object([
                    ("businessUnit", .string(settings.marketplace.businessUnit)), ("locale", "en"), ("version", .string(WalmartItemWriter.specVersion)),
                ])
            )
        ])
        try file.write(header.serialized() + "\n")
    }

    /// Walmart product types whose size is a clothing size or a shoe size (Walmart's item spec 5.0
    /// names `clothingSize` for apparel and `shoeSize` for footwear); other types carry no size unless
    /// `[channels.walmart.size_attributes]` says which attribute (a candle's "Large" is no clothing size).
    static let clothingTypes: Set<String> = [
        "T-Shirts", "Shirts", "Sweatshirts & Hoodies", "Sweaters", "Jeans", "Pants", "Shorts", "Skirts", "Dresses", "Coats & Jackets",
        "Socks", "Underwear", "Swimwear", "Activewear", "Pajamas",
    ]
    static let shoeTypes: Set<String> = ["Sneakers", "Boots", "Sandals", "Shoes", "Slippers"]

    /// The attribute a size goes to for `productType` (a Walmart product type), or `nil`: left out.
    static func sizeAttribute(forProductType productType: String?, settings: ChannelSettings) -> String? {
        guard let productType else { return nil }
        if let configured = settings.marketplace.sizeAttributes[productType] { return configured.isEmpty ? nil : configured }
        if clothingTypes.contains(productType) { return "clothingSize" }
        if shoeTypes.contains(productType) { return "shoeSize" }
        return nil
    }

    func write(_ items: [FeedItem], stores: [StoreLocation]) throws {
        // By index through the buffer: `filter` and a loop variable copied every item (its forty strings
        // retained and released), a tenth of the channels' time (docs/PERFORMANCE.md).
        try items.withUnsafeBufferPointer { items in
            let active = items.indices.filter { items[$0].status != .archived }
            let sizeAttribute = active.first.flatMap { WalmartItemWriter.sizeAttribute(forProductType: items[$0].marketplaceCategory, settings: settings) }
            let variantAttributes = [
                ("color", Set(active.compactMap { items[$0].color }).count > 1),
                (sizeAttribute ?? "", sizeAttribute != nil && Set(active.compactMap { items[$0].size }).count > 1),
            ]
            .filter(\.1).map(\.0)
            for (n, i) in active.enumerated() {
                // Written straight as bytes, one item a line (a JSON tree per item cost more than the rest).
                json.bytes.removeAll(keepingCapacity: true)
                json.raw("{\"Orderable\":{\"sku\":")
                json.string(items[i].id)
                if let gtin = items[i].gtin {
                    json.raw(",\"productIdentifiers\":{\"productIdType\":")
                    json.string(gtin.count == 12 ? "UPC" : gtin.count == 13 ? "EAN" : "GTIN")
                    json.raw(",\"productId\":")
                    json.string(gtin)
                    json.raw("}")
                }
                json.raw(",\"price\":")
                json.raw(items[i].effectivePrice.amountString)
                json.raw(",\"fulfillmentLagTime\":")
                json.string(String(settings.marketplace.leadTimeDays))
                json.raw("},\"Visible\":{")
                json.string(items[i].marketplaceCategory ?? "")
                json.raw(":{")
                json.first = true
                json.member("productName")
                json.string(items[i].title)
                if let brand = items[i].brand {
                    json.member("brand")
                    json.string(brand)
                }
                let (description, features) = described.get(items[i].description)
                json.member("shortDescription")
                json.string(description)
                if !features.isEmpty {
                    json.member("keyFeatures")
                    json.strings(features)
                }
                if let image = items[i].imageLink {
                    json.member("mainImageUrl")
                    json.string(image)
                }
                if !items[i].additionalImageLinks.isEmpty {
                    json.member("productSecondaryImageURL")
                    json.strings(items[i].additionalImageLinks)
                }
                if let color = items[i].color {
                    json.member("color")
                    json.strings([color])
                }
                if let size = items[i].size, let sizeAttribute {
                    json.member(sizeAttribute)
                    json.string(size)
                }
                if active.count > 1 {
                    json.member("variantGroupId")
                    json.string(items[i].itemGroupID)
                    json.member("variantAttributeNames")
                    json.strings(variantAttributes)
                    json.member("isPrimaryVariant")
                    json.string(n == 0 ? "Yes" : "No")
                }
                json.raw("}}}\n")
                try file.write(json.bytes)
            }
        }
    }

    func finish() throws { try file.finish() }
    func commit() throws -> [FeedFile] {
        try file.commit()
        return [file]
    }
    func discard() { file.discard() }
}

/// Walmart's inventory feed as XML (`InventoryFeed`, namespace `http://walmart.com/`, header version
/// 1.4): `inventory-NNNN.xml` files of at most `max_items` (100,000, the XSD's limit) items, each
/// `sku`, `quantity{unit EACH, amount}` (the allocated quantity; 0 for archived SKUs) and
/// `fulfillmentLagTime`. Written through libxml2's writer; validated against the XSD in tests.
final class WalmartInventoryWriter: OutputWriter {
    let settings: ChannelSettings
    private var files: FeedFileSet!
    private var xml: XMLStreamWriter?

    init(output: ChannelDefinition.Output, dir: String, settings: ChannelSettings) {
        self.settings = settings
        files = FeedFileSet(
            dir: dir, output: output,
            opening: { [unowned self] file in
                let xml = try XMLStreamWriter(file: file)
                try xml.start("InventoryFeed")
                try xml.attribute("xmlns", "http://walmart.com/")
                try xml.start("InventoryHeader")
                try xml.element("version", "1.4")
                try xml.end()
                self.xml = xml
            },
            closing: { [unowned self] _ in
                try self.xml?.close()
                self.xml = nil
            })
    }

    func write(_ items: [FeedItem], stores: [StoreLocation]) throws {
        _ = try files.file(adding: items.count)
        guard let xml else { return }
        for i in items.indices {  // by index: a loop variable copied every item
            try xml.start("inventory")
            try xml.element("sku", items[i].id)
            try xml.start("quantity")
            try xml.element("unit", "EACH")
            try xml.element("amount", String(items[i].quantity))
            try xml.end()
            try xml.element("fulfillmentLagTime", String(settings.marketplace.leadTimeDays))
            try xml.end()
        }
    }

    func finish() throws { try files.finish() }
    func commit() throws -> [FeedFile] { try files.commit() }
    func discard() { files.discard() }
}

/// Walmart MP_ITEM, one item a line: written by `WalmartItemWriter`, read back by `WalmartItemsReader`.
enum WalmartItemsFormat: FormatAdapter {
    static func writer(
        output: ChannelDefinition.Output, scope: ChannelDefinition.Scope, dir: String, settings: ChannelSettings,
        shop: ShopConfig
    ) throws -> any OutputWriter {
        try WalmartItemWriter(output: output, dir: dir, settings: settings)
    }
    static func reader(path: String, digest: FileDigest?) throws -> any FeedRowReader { try WalmartItemsReader(path: path, digest: digest) }
    static var auditColumns: [ChannelDefinition.Column]? { [column("sku", "id"), column("price", "effective_price_amount")] }
}

/// Walmart's inventory XML: written by `WalmartInventoryWriter`, read back as XML.
enum WalmartInventoryFormat: FormatAdapter {
    static func writer(
        output: ChannelDefinition.Output, scope: ChannelDefinition.Scope, dir: String, settings: ChannelSettings,
        shop: ShopConfig
    ) throws -> any OutputWriter {
        WalmartInventoryWriter(output: output, dir: dir, settings: settings)
    }
    static func reader(path: String, digest: FileDigest?) throws -> any FeedRowReader {
        try XMLFeedReader(path: path, itemElement: "inventory", nested: true, digest: digest)
    }
    static var auditColumns: [ChannelDefinition.Column]? { [column("sku", "id"), column("amount", "quantity")] }
}

/// Walmart's MP_ITEM JSON lines read back (the header line skipped): sku and price of each item.
struct WalmartItemsReader: FeedRowReader {
    let lines: JSONLinesReader

    // Only the members on the way to the SKU and the price are made.
    init(path: String, digest: FileDigest? = nil) throws {
        lines = try JSONLinesReader(path: path, digest: digest, onlyMembers: ["Orderable", "sku", "price"])
    }

    mutating func next() throws -> FeedReaderRow? {
        while let (line, node) = try lines.next() {
            guard let orderable = node["Orderable"], let sku = orderable["sku"]?.string else { continue }
            return FeedReaderRow(line: line, values: ["sku": sku, "price": orderable["price"]?.numberText ?? ""])
        }
        return nil
    }
}

/// Walmart (specs/marketplaces.md §4): a product type mapped for every item, a brand and a product
/// identifier.
enum WalmartChannel: ChannelAdapter {
    static var isMarketplace: Bool { true }
    static var titleRule: TitleRule { .limit(200) }

    static func check(_ item: FeedItem, into findings: inout Findings) {
        checkMarketplaceCategory(item, column: "product_type", into: &findings)
        if item.brand == nil { findings.error("missing_brand", "brand is required") }
        if item.gtin == nil { findings.error("missing_gtin", "Walmart items need a product identifier (GTIN, UPC or EAN)") }
    }
}
