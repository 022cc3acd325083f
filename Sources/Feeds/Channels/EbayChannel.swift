import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

/// eBay File Exchange CSV (specs/marketplaces.md §3.1): the smart `Action(SiteID=…|Country=…|Currency=…|
/// Version=1193|CC=UTF-8)` header, `CustomLabel` = SKU, `Title` cut to 80 characters at a word,
/// `StartPrice` (the effective price: File Exchange has no sale windows), allocated `Quantity`,
/// `ConditionID`, `PicURL` (`|`-separated, up to 12), `Product:UPC`/`Product:EAN`, business policies.
///
/// A product with several variants is a parent row (`RelationshipDetails=Color=Black;White|Size=S;M`,
/// no price or quantity) followed by one `Relationship=Variation` row per SKU. A row is `Add`, or
/// `Revise` with its `ItemID` when the catalog carries one (`ebay.item_id`). Archived SKUs: a variation
/// goes to quantity 0; a whole listing with a known ItemID is `End`ed (`EndCode=NotAvailable`).
final class EbayFileExchangeWriter: OutputWriter {
    static let columns = [
        "ItemID", "CustomLabel", "Category", "Title", "ConditionID", "Description", "PicURL", "Format", "Duration", "StartPrice", "Quantity",
        "Location", "PostalCode", "DispatchTimeMax", "ShippingProfileName", "ReturnProfileName", "PaymentProfileName", "Relationship",
        "RelationshipDetails", "C:Brand", "C:Color", "C:Size", "Product:UPC", "Product:EAN", "EndCode",
    ]

    let settings: ChannelSettings
    let file: FeedFile
    private let writer: DelimitedWriter

    init(output: ChannelDefinition.Output, dir: String, settings: ChannelSettings, shop: ShopConfig) throws {
        self.settings = settings
        file = try FeedFile(path: (dir as NSString).appendingPathComponent(output.file))
        writer = DelimitedWriter(file: file, format: .csv)
        let m = settings.marketplace
        try writer.writeRow(
            ["Action(SiteID=\(m.siteID)|Country=\(shop.country)|Currency=\(shop.currency.code)|Version=1193|CC=UTF-8)"]
                + EbayFileExchangeWriter.columns)
    }

    func write(_ items: [FeedItem], stores: [StoreLocation]) throws {
        // No array of the active items: `filter` copied every item (its forty strings retained and released).
        let itemID = items.lazy.compactMap { $0.overrides["item_id"] }.first
        guard let first = items.first(where: { $0.status != .archived }) else {
            // Nothing left to sell: end the listing when eBay's ItemID is known.
            if let itemID {
                var end = Row(action: "End", itemID: itemID)
                end[.endCode] = "NotAvailable"
                try writer.writeRow(end.fields)
            }
            return
        }
        let action = itemID == nil ? "Add" : "Revise"
        if items.count == 1 {
            var row = Row(action: action, itemID: itemID ?? "")
            listing(first, title: first.title, into: &row)
            offer(first, into: &row)
            try writer.writeRow(row.fields)
            return
        }
        let colors = EbayFileExchangeWriter.distinct(items.compactMap(\.color)), sizes = EbayFileExchangeWriter.distinct(items.compactMap(\.size))
        var details: [String] = []
        if !colors.isEmpty { details.append("Color=" + colors.joined(separator: ";")) }
        if !sizes.isEmpty { details.append("Size=" + sizes.joined(separator: ";")) }
        var parent = Row(action: action, itemID: itemID ?? "")
        listing(first, title: first.baseTitle, into: &parent)
        parent[.customLabel] = first.itemGroupID
        parent[.relationshipDetails] = details.joined(separator: "|")
        try writer.writeRow(parent.fields)
        for i in items.indices {  // by index: a loop variable copied every item
            var child = Row(action: "", itemID: "")
            offer(items[i], into: &child)
            child[.relationship] = "Variation"
            child[.relationshipDetails] = [items[i].color.map { "Color=\($0)" }, items[i].size.map { "Size=\($0)" }].compactMap { $0 }.joined(separator: "|")
            try writer.writeRow(child.fields)
        }
    }

    /// The columns after `Action` and `ItemID`, by their place in `columns`.
    enum Column: Int, CaseIterable {
        case customLabel = 1, category, title, conditionID, description, picURL, format, duration, startPrice, quantity, location, postalCode
        case dispatchTimeMax, shippingProfileName, returnProfileName, paymentProfileName, relationship, relationshipDetails, brand, color
        case size, upc, ean, endCode
    }

    /// One row's fields in the file's order, set by column (a dictionary of names per row was a tenth of
    /// eBay's publish, in hashing alone). A column left unset is empty.
    struct Row {
        private(set) var fields: [String]

        init(action: String, itemID: String) {
            fields = [action, itemID] + Array(repeating: "", count: EbayFileExchangeWriter.columns.count - 1)
        }

        subscript(_ column: Column) -> String {
            get { fields[column.rawValue + 1] }
            set { fields[column.rawValue + 1] = newValue }
        }
    }

    /// What describes the listing (the parent row of a variation listing, or a single item's row).
    private func listing(_ item: FeedItem, title: String, into row: inout Row) {
        let m = settings.marketplace
        row[.category] = item.marketplaceCategory ?? ""
        row[.title] = FeedText.truncatedAtWord(title, 80)
        row[.conditionID] = EbayFileExchangeWriter.conditionID(item.condition)
        row[.description] = item.description
        row[.picURL] = ([item.imageLink].compactMap { $0 } + item.additionalImageLinks).prefix(12).joined(separator: "|")
        row[.format] = "FixedPrice"
        row[.duration] = "GTC"
        row[.dispatchTimeMax] = String(m.leadTimeDays)
        row[.location] = m.location ?? ""
        row[.postalCode] = m.postalCode ?? ""
        row[.shippingProfileName] = m.shippingProfile ?? ""
        row[.returnProfileName] = m.returnProfile ?? ""
        row[.paymentProfileName] = m.paymentProfile ?? ""
        row[.brand] = item.brand ?? ""
    }

    /// What one SKU sells at: its label, price, quantity and identifiers.
    private func offer(_ item: FeedItem, into row: inout Row) {
        row[.customLabel] = item.id
        row[.startPrice] = item.effectivePrice.amountString
        row[.quantity] = String(item.quantity)
        row[.color] = item.color ?? ""
        row[.size] = item.size ?? ""
        if let gtin = item.gtin { row[gtin.count == 12 ? .upc : .ean] = gtin.count == 14 ? String(gtin.dropFirst()) : gtin }
    }

    /// 1000 New, 2500 Seller refurbished, 3000 Used.
    static func conditionID(_ condition: String) -> String {
        switch condition {
        case "refurbished": "2500"
        case "used": "3000"
        default: "1000"
        }
    }

    static func distinct(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }

    func finish() throws { try file.finish() }
    func commit() throws -> [FeedFile] {
        try file.commit()
        return [file]
    }
    func discard() { file.discard() }
}

/// eBay File Exchange CSV: written by `EbayFileExchangeWriter`, read back by `EbayFileExchangeReader`.
enum EbayFileExchangeFormat: FormatAdapter {
    static func writer(
        output: ChannelDefinition.Output, scope: ChannelDefinition.Scope, dir: String, settings: ChannelSettings,
        shop: ShopConfig
    ) throws -> any OutputWriter {
        try EbayFileExchangeWriter(output: output, dir: dir, settings: settings, shop: shop)
    }
    static func reader(path: String, digest: FileDigest?) throws -> any FeedRowReader { try EbayFileExchangeReader(path: path, digest: digest) }
    static var auditColumns: [ChannelDefinition.Column]? {
        [column("CustomLabel", "id"), column("StartPrice", "effective_price_amount"), column("Quantity", "quantity")]
    }
}

/// An eBay File Exchange file read back: rows with a price (variation parents and `End` rows have none).
struct EbayFileExchangeReader: FeedRowReader {
    var rows: DelimitedFeedReader

    init(path: String, digest: FileDigest? = nil) throws { rows = try DelimitedFeedReader(path: path, format: .csv, digest: digest) }

    mutating func next() throws -> FeedReaderRow? {
        while let row = try rows.next() {
            if let price = row.values["StartPrice"], !price.isEmpty { return row }
        }
        return nil
    }

    mutating func keep(only keys: Set<String>) { rows.keep(only: keys.union(["StartPrice"])) }
}

/// eBay (specs/marketplaces.md §3): a category mapped for every item and a description; titles hold 80
/// characters.
enum EbayChannel: ChannelAdapter {
    static var isMarketplace: Bool { true }
    static var titleRule: TitleRule { .truncatedAt(80, message: "eBay titles hold 80 characters; the title is cut at a word") }
    static var categoryKey: String { "categories" }

    static func check(_ item: FeedItem, into findings: inout Findings) {
        checkMarketplaceCategory(item, column: "category", into: &findings)
        if item.description.isEmpty { findings.error("missing_description", "eBay listings need a description") }
    }
}
