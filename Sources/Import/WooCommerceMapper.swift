public import Catalog
public import Config
public import Formats
public import Foundation
public import Pipeline
public import StorePort

/// WooCommerce product CSV exports.
///
/// `Type` decides: `variable` rows are products (their variants follow as `variation` rows pointing to
/// them through `Parent`, by SKU or as `id:NNN`); `simple` and `external` rows are a product with one
/// variant; `grouped` rows have no price of their own and are skipped with a warning. A product without
/// a SKU has the id `woo-ID`; a variation without a SKU gets `PARENT-VALUE1-VALUE2` from its attribute
/// values. `Published` 1 is active, anything else archived. `Attribute N name` Color/Colour and Size fill
/// color and size; other attributes become custom attributes.
public struct WooCommerceMapper: RowMapper {
    /// Parents are looked up in the import's scratch space.
    public var usesImportScratch: Bool { true }
    public static let required = ["Type", "SKU", "Regular price"]
    let header: Header
    let config: UnifeedConfig
    let scratch: any ImportScratch
    let c: Columns
    /// The parent of the last variation read.
    private var lastParentID: String?

    struct Columns {
        var id, type, sku, name, published, short, description, saleStart, saleEnd, stock, salePrice, regularPrice: Int?
        var categories, images, parent, externalURL, brands, gtin, weight, stockStatus, backorders: Int?
        var weightUnit: Weight.Unit?
        var attributes: [(name: Int, value: Int)]
    }

    public init(header: Header, config: UnifeedConfig, scratch: any ImportScratch) throws {
        try header.require(Self.required, format: "woocommerce")
        self.header = header
        self.config = config
        self.scratch = scratch
        var attributes: [(Int, Int)] = []
        for n in 1...50 {
            guard let name = header.column("Attribute \(n) name"), let value = header.column("Attribute \(n) value(s)") else { break }
            attributes.append((name, value))
        }
        // "Weight (lbs)", "Weight (kg)", "Weight (oz)", "Weight (g)"
        var weight: Int?
        var unit: Weight.Unit?
        for (i, name) in header.canonicalNames.enumerated() where name.lowercased().hasPrefix("weight (") {
            let u = name.lowercased().dropFirst(8).prefix { $0 != ")" }
            weight = i
            unit = ["lbs": .lb, "lb": .lb, "kg": .kg, "g": .g, "oz": .oz][String(u)]
        }
        c = Columns(
            id: header.column("ID"), type: header.column("Type"), sku: header.column("SKU"), name: header.column("Name"),
            published: header.column("Published"), short: header.column("Short description"),
            description: header.column("Description"), saleStart: header.column("Date sale price starts"),
            saleEnd: header.column("Date sale price ends"), stock: header.column("Stock"),
            salePrice: header.column("Sale price"), regularPrice: header.column("Regular price"),
            categories: header.column("Categories"), images: header.column("Images"), parent: header.column("Parent"),
            externalURL: header.column("External URL"), brands: header.column(anyOf: ["Brands", "Brand"]),
            gtin: header.column(anyOf: ["GTIN, UPC, EAN, or ISBN", "GTIN", "EAN", "UPC"]), weight: weight,
            stockStatus: header.column("In stock?"), backorders: header.column("Backorders allowed?"), weightUnit: unit,
            attributes: attributes)
    }

    /// A `variable` row is held (in the import's scratch space, not in memory) until its first
    /// variation arrives, and goes just before it; one whose variations never come (a partial export) is
    /// skipped with a warning at the end, rather than imported as a product with nothing to sell.
    public mutating func consume(_ row: SourceRow) -> [MappedRecord] {
        let reader = RowReader(header: header, row: row)
        let types = Self.types(reader.text(c.type))
        if types.contains("variable"), !types.contains("grouped") {
            let id = reader.text(c.id)
            let sku = reader.typed(c.sku).flatMap { try? Identifier.validate($0, noun: "SKU") }
            if let productID = sku ?? id.map({ "woo-\($0)" }) {
                if let id { try? scratch.remember(id, productID) }
                let variationSeen = (try? scratch.recall(Self.seenKey + productID)) != nil
                if !variationSeen, (try? scratch.remember(Self.heldKey + productID, Self.encode(row))) != nil { return [] }
            }
        } else if types.contains("variation"), let parentID = parentProductID(reader), parentID != lastParentID {
            // Variations mostly follow each other: only the first of a run looks in the scratch space.
            lastParentID = parentID
            if let held = try? scratch.recall(Self.heldKey + parentID), let parentRow = Self.decode(held) {
                try? scratch.forget(Self.heldKey + parentID)
                return [map(parentRow), map(row)]
            }
            // A variation before its parent: the parent, when it comes, goes through at once.
            try? scratch.remember(Self.seenKey + parentID, "")
        }
        return [map(row)]
    }

    /// The scratch keys of held `variable` rows: this prefix and the product id.
    static let heldKey = "variable-held:"
    /// The scratch keys of products a variation named before its `variable` row came.
    static let seenKey = "variation-seen:"

    static func types(_ cell: String?) -> Set<String> {
        Set((cell ?? "").lowercased().split(separator: ",").map { $0.trimmingASCIIWhitespace() })
    }

    /// The product id a variation's `Parent` names (a SKU, or `id:NNN` of a row read before).
    private func parentProductID(_ r: RowReader) -> String? {
        guard let parentRef = r.text(c.parent) else { return nil }
        guard parentRef.lowercased().hasPrefix("id:") else { return parentRef }
        return (try? scratch.recall(String(parentRef.dropFirst(3)).trimmingASCIIWhitespace())) ?? nil
    }

    /// A row as one string: its line, then each field as its UTF-8 length, `:` and its bytes.
    static func encode(_ row: SourceRow) -> String {
        var s = "\(row.line);"
        for field in row.fields { s += "\(field.utf8.count):\(field)" }
        return s
    }

    static func decode(_ text: String) -> SourceRow? {
        var bytes = Substring(text).utf8[...]
        guard let semicolon = bytes.firstIndex(of: UInt8(ascii: ";")), let line = Int(Substring(bytes[..<semicolon])) else { return nil }
        bytes = bytes[bytes.index(after: semicolon)...]
        var fields: [String] = []
        while !bytes.isEmpty {
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), let count = Int(Substring(bytes[..<colon])) else { return nil }
            let start = bytes.index(after: colon)
            guard let end = bytes.index(start, offsetBy: count, limitedBy: bytes.endIndex) else { return nil }
            fields.append(String(Substring(bytes[start..<end])))
            bytes = bytes[end...]
        }
        return SourceRow(line: line, fields: fields)
    }

    /// Maps one row on its own (a held `variable` row when its first variation comes).
    private func map(_ row: SourceRow) -> MappedRecord {
        var r = RowReader(header: header, row: row)
        let shop = config.shop
        let types = Self.types(r.text(c.type))
        let id = r.text(c.id)
        let ownSKU = r.parse(c.sku) { s throws(ValueError) in try Identifier.validate(s, noun: "SKU") }
        let archived = (r.typed(c.published) ?? "1") != "1"

        if types.contains("grouped") {
            r.warn(c.type, "grouped products have no price of their own; skipped (their members are imported)")
            return r.record(.skip("grouped product"))
        }
        let isVariable = types.contains("variable")
        let isVariation = types.contains("variation")
        guard isVariable || isVariation || types.contains("simple") || types.contains("external") else {
            r.fail(c.type, "unknown product type, expected simple, variable, variation, grouped or external", found: r.text(c.type))
            return r.record(.skip("bad type"))
        }

        var product: Product
        if isVariation {
            guard let parentRef = r.text(c.parent) else {
                r.fail(c.parent, "a variation needs its parent (a SKU or id:NNN)")
                return r.record(.skip("no parent"))
            }
            guard let parentID = parentProductID(r) else {
                r.fail(c.parent, "parent not found: the variable product with this ID must come earlier in the file", found: parentRef)
                return r.record(.skip("unknown parent"))
            }
            product = Product(productID: parentID)
        } else {
            let productID = ownSKU ?? id.map { "woo-\($0)" }
            guard let productID else {
                r.fail(c.sku, "a product needs a SKU or an ID")
                return r.record(.skip("no id"))
            }
            if let id { try? scratch.remember(id, productID) }
            product = Product(productID: productID)
            product.title = r.text(c.name)
            // WooCommerce's exporter writes newlines in descriptions as the two characters `\n`.
            product.description = (r.raw(c.description) ?? r.raw(c.short)).map { $0.replacingOccurrences(of: "\\n", with: "\n") }
            product.brand = r.text(c.brands)
            product.productType = r.text(c.categories).map { String($0.split(separator: ",")[0]).trimmingASCIIWhitespace() }
        }
        let images = imageList(&r, shop: shop)
        if isVariable {
            product.images = images
            return r.record(.catalog(product: product, variant: nil))
        }

        let pricing = PriceCells(
            price: c.regularPrice, currency: nil, salePrice: c.salePrice, saleStart: c.saleStart, saleEnd: c.saleEnd, decimalComma: true)
        let money = pricing.read(&r, shop: shop)
        var color: String?, size: String?
        var custom: [String: String] = [:]
        var values: [String] = []
        for (nameColumn, valueColumn) in c.attributes {
            guard let name = r.text(nameColumn), let value = r.text(valueColumn) else { continue }
            values.append(value)
            // Only a variation's values are its own; a simple product's single value is one too.
            let lower = name.lowercased()
            if WooCommerceHeaders.colorNames.contains(lower) {
                color = value
            } else if WooCommerceHeaders.sizeNames.contains(lower) {
                size = value
            } else {
                custom[lower] = value
            }
        }
        let sku =
            ownSKU
            ?? (isVariation
                ? ([product.productID] + values.map(Slug.make)).joined(separator: "-")
                : product.productID)
        var variant = Variant(
            sku: sku, productID: product.productID,
            price: money?.price ?? Money(minorUnits: 0, currency: shop.currency))
        variant.sale = money?.sale
        variant.status = archived ? VariantStatus.archived : VariantStatus.active
        variant.color = color
        variant.size = size
        variant.custom = custom
        variant.gtin = r.gtin(c.gtin)
        variant.quantity = r.parse(c.stock) { s throws(ValueError) in
            if let n = Int(s), n < 0 { return 0 }
            return try Quantity.parse(s)
        }
        variant.stockPolicy = stockPolicy(&r, managed: variant.quantity != nil)
        if let unit = c.weightUnit {
            variant.weight = r.parse(c.weight) { s throws(ValueError) in
                let number = PriceCells.decimalPoint(s)
                return try Weight.parse("\(number.hasPrefix(".") ? "0" + number : number) \(unit.rawValue)")
            }
        }
        if isVariation {
            variant.images = images ?? []
        } else {
            product.images = images
        }
        if types.contains("external"), let external = r.parse(c.externalURL, WebURL.validate) {
            variant.link = external
        } else if let template = shop.linkTemplate {
            variant.link = WebURL.fill(template: template, productID: product.productID, sku: sku)
        }
        return r.record(.catalog(product: product, variant: variant))
    }

    /// The `variable` rows still held: none of their variations came. Skipped with a warning each, in
    /// file order.
    /// `Stock` counted: out of stock at zero, or on backorder when `Backorders allowed?` is 1 or
    /// `notify` (or `In stock?` says backorder). `Stock` empty (stock not managed, the common case): the
    /// `In stock?` status (`1`, `0`, `backorder`, or a status name in English or a built-in language);
    /// neither: tracked, with no count.
    private func stockPolicy(_ r: inout RowReader, managed: Bool) -> StockPolicy {
        var status: WooStockStatus?
        if let cell = r.typed(c.stockStatus) {
            status = WooCommerceHeaders.stockStatus(cell)
            if status == nil { r.warn(c.stockStatus, "unknown stock status, expected 1, 0 or backorder; ignored", found: cell) }
        }
        if managed {
            let backorders = r.typed(c.backorders).map { ["1", "yes", "true", "notify"].contains($0.lowercased()) } ?? false
            return backorders || status == .backorder ? .backorder : .tracked
        }
        switch status {
        case .inStock: return .inStock
        case .outOfStock: return .outOfStock
        case .backorder: return .untrackedBackorder
        case nil: return .tracked
        }
    }

    public mutating func finish() -> [MappedRecord] {
        var held: [SourceRow] = []
        try? scratch.forEach(withPrefix: Self.heldKey) { _, value in
            if let row = Self.decode(value) { held.append(row) }
        }
        return held.sorted { $0.line < $1.line }.map { row in
            var r = RowReader(header: header, row: row)
            r.warn(
                c.type,
                "variable product with none of its variations in this file (a partial export?): skipped; export it with its variations",
                found: r.typed(c.sku) ?? r.text(c.id).map { "ID \($0)" })
            return r.record(.skip("variable product without variations"))
        }
    }

    /// `Images`: comma-separated URLs (relative paths resolved against image_base_url); `nil` when empty.
    private func imageList(_ r: inout RowReader, shop: ShopConfig) -> [String]? {
        guard let cell = r.text(c.images) else { return nil }
        var urls: [String] = []
        for part in cell.split(separator: ",") {
            let s = part.trimmingASCIIWhitespace()
            guard !s.isEmpty else { continue }
            do throws(ValueError) { urls.append(try WebURL.resolveImage(s, base: shop.imageBaseURL)) } catch { r.fail(c.images, error.message, found: s) }
        }
        return urls
    }
}
