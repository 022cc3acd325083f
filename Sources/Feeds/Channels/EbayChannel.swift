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
            if let itemID { try row(["End", itemID], [:], end: true) }
            return
        }
        let action = itemID == nil ? "Add" : "Revise"
        if items.count == 1 {
            try row([action, itemID ?? ""], listing(first, title: first.title).merging(offer(first)) { $1 })
            return
        }
        let colors = EbayFileExchangeWriter.distinct(items.compactMap(\.color)), sizes = EbayFileExchangeWriter.distinct(items.compactMap(\.size))
        var details: [String] = []
        if !colors.isEmpty { details.append("Color=" + colors.joined(separator: ";")) }
        if !sizes.isEmpty { details.append("Size=" + sizes.joined(separator: ";")) }
        var parent = listing(first, title: first.baseTitle)
        parent["CustomLabel"] = first.itemGroupID
        parent["RelationshipDetails"] = details.joined(separator: "|")
        try row([action, itemID ?? ""], parent)
        for i in items.indices {  // by index: a loop variable copied every item
            var child = offer(items[i])
            child["Relationship"] = "Variation"
            child["RelationshipDetails"] = [items[i].color.map { "Color=\($0)" }, items[i].size.map { "Size=\($0)" }].compactMap { $0 }.joined(separator: "|")
            try row(["", ""], child)
        }
    }

    /// What describes the listing (the parent row of a variation listing, or a single item's row).
    private func listing(_ item: FeedItem, title: String) -> [String: String] {
        let m = settings.marketplace
        var v: [String: String] = [
            "Category": item.marketplaceCategory ?? "", "Title": FeedText.truncatedAtWord(title, 80),
            "ConditionID": EbayFileExchangeWriter.conditionID(item.condition), "Description": item.description,
            "PicURL": ([item.imageLink].compactMap { $0 } + item.additionalImageLinks).prefix(12).joined(separator: "|"),
            "Format": "FixedPrice", "Duration": "GTC", "DispatchTimeMax": String(m.leadTimeDays),
        ]
        v["Location"] = m.location
        v["PostalCode"] = m.postalCode
        v["ShippingProfileName"] = m.shippingProfile
        v["ReturnProfileName"] = m.returnProfile
        v["PaymentProfileName"] = m.paymentProfile
        v["C:Brand"] = item.brand
        return v
    }

    /// What one SKU sells at: its label, price, quantity and identifiers.
    private func offer(_ item: FeedItem) -> [String: String] {
        var v = ["CustomLabel": item.id, "StartPrice": item.effectivePrice.amountString, "Quantity": String(item.quantity)]
        v["C:Color"] = item.color
        v["C:Size"] = item.size
        if let gtin = item.gtin { v[gtin.count == 12 ? "Product:UPC" : "Product:EAN"] = gtin.count == 14 ? String(gtin.dropFirst()) : gtin }
        return v
    }

    private func row(_ lead: [String], _ values: [String: String], end: Bool = false) throws {
        var fields = [lead[0], lead[1]]
        for column in EbayFileExchangeWriter.columns.dropFirst() { fields.append(values[column] ?? "") }
        if end { fields[fields.count - 1] = "NotAvailable" }
        try writer.writeRow(fields)
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
