import Catalog
import Foundation

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
    private var buffer: [UInt8] = []
    private var described = DescriptionCache()

    init(output: ChannelDefinition.Output, dir: String, settings: ChannelSettings) throws {
        self.settings = settings
        file = try FeedFile(path: (dir as NSString).appendingPathComponent(output.file))
        let header = JSONValue.object([("MPItemFeedHeader", .object([
            ("businessUnit", .string(settings.marketplace.businessUnit)), ("locale", "en"), ("version", .string(WalmartItemWriter.specVersion)),
        ]))])
        try file.write(header.serialized() + "\n")
    }

    func write(_ items: [FeedItem], stores: [StoreLocation]) throws {
        let active = items.filter { $0.status != "archived" }
        let variantAttributes = [("color", Set(active.compactMap(\.color)).count > 1), ("clothingSize", Set(active.compactMap(\.size)).count > 1)]
            .filter(\.1).map(\.0)
        for (n, item) in active.enumerated() {
            var orderable: [(String, JSONValue)] = [("sku", .string(item.id))]
            if let gtin = item.gtin {
                let type = gtin.count == 12 ? "UPC" : gtin.count == 13 ? "EAN" : "GTIN"
                orderable.append(("productIdentifiers", .object([("productIdType", .string(type)), ("productId", .string(gtin))])))
            }
            orderable.append(("price", .decimal(item.effectivePrice.amountString)))
            orderable.append(("fulfillmentLagTime", .string(String(settings.marketplace.leadTimeDays))))
            var visible: [(String, JSONValue)] = [("productName", .string(item.title))]
            if let brand = item.brand { visible.append(("brand", .string(brand))) }
            let (description, features) = described.get(item.description)
            visible.append(("shortDescription", .string(String(description.prefix(4000)))))
            if !features.isEmpty { visible.append(("keyFeatures", .array(features.map(JSONValue.string)))) }
            if let image = item.imageLink { visible.append(("mainImageUrl", .string(image))) }
            if !item.additionalImageLinks.isEmpty { visible.append(("productSecondaryImageURL", .array(item.additionalImageLinks.map(JSONValue.string)))) }
            if let color = item.color { visible.append(("color", .array([.string(color)]))) }
            if let size = item.size { visible.append(("clothingSize", .string(size))) }
            if active.count > 1 {
                visible.append(("variantGroupId", .string(item.itemGroupID)))
                visible.append(("variantAttributeNames", .array(variantAttributes.map(JSONValue.string))))
                visible.append(("isPrimaryVariant", .string(n == 0 ? "Yes" : "No")))
            }
            let entry = JSONValue.object([
                ("Orderable", .object(orderable)), ("Visible", .object([(item.marketplaceCategory ?? "", .object(visible))])),
            ])
            buffer.removeAll(keepingCapacity: true)
            entry.write(to: &buffer, pretty: false, indent: 0)
            buffer.append(0x0A)
            try file.write(buffer)
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
        files = FeedFileSet(dir: dir, output: output, opening: { [unowned self] file in
            let xml = try XMLStreamWriter(file: file)
            try xml.start("InventoryFeed")
            try xml.attribute("xmlns", "http://walmart.com/")
            try xml.start("InventoryHeader")
            try xml.element("version", "1.4")
            try xml.end()
            self.xml = xml
        }, closing: { [unowned self] _ in
            try self.xml?.close()
            self.xml = nil
        })
    }

    func write(_ items: [FeedItem], stores: [StoreLocation]) throws {
        _ = try files.file(adding: items.count)
        guard let xml else { return }
        for item in items {
            try xml.start("inventory")
            try xml.element("sku", item.id)
            try xml.start("quantity")
            try xml.element("unit", "EACH")
            try xml.element("amount", String(item.quantity))
            try xml.end()
            try xml.element("fulfillmentLagTime", String(settings.marketplace.leadTimeDays))
            try xml.end()
        }
    }

    func finish() throws { try files.finish() }
    func commit() throws -> [FeedFile] { try files.commit() }
    func discard() { files.discard() }
}
