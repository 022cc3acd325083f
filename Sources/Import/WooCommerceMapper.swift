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

    struct Columns {
        var id, type, sku, name, published, short, description, saleStart, saleEnd, stock, salePrice, regularPrice: Int?
        var categories, images, parent, externalURL, brands, gtin, weight: Int?
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
        for (i, name) in header.names.enumerated() where name.lowercased().hasPrefix("weight (") {
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
            weightUnit: unit, attributes: attributes)
    }

    public mutating func consume(_ row: SourceRow) -> [MappedRecord] {
        var r = RowReader(header: header, row: row)
        let shop = config.shop
        let types = Set((r.text(c.type) ?? "").lowercased().split(separator: ",").map { $0.trimmingASCIIWhitespace() })
        let id = r.text(c.id)
        let ownSKU = r.parse(c.sku) { s throws(ValueError) in try Identifier.validate(s, noun: "SKU") }
        let archived = (r.typed(c.published) ?? "1") != "1"

        if types.contains("grouped") {
            r.warn(c.type, "grouped products have no price of their own; skipped (their members are imported)")
            return [r.record(.skip("grouped product"))]
        }
        let isVariable = types.contains("variable")
        let isVariation = types.contains("variation")
        guard isVariable || isVariation || types.contains("simple") || types.contains("external") else {
            r.fail(c.type, "unknown product type, expected simple, variable, variation, grouped or external", found: r.text(c.type))
            return [r.record(.skip("bad type"))]
        }

        var product: Product
        if isVariation {
            guard let parentRef = r.text(c.parent) else {
                r.fail(c.parent, "a variation needs its parent (a SKU or id:NNN)")
                return [r.record(.skip("no parent"))]
            }
            var parentID: String? = parentRef
            if parentRef.lowercased().hasPrefix("id:") {
                parentID = (try? scratch.recall(String(parentRef.dropFirst(3)).trimmingASCIIWhitespace())) ?? nil
                if parentID == nil {
                    r.fail(c.parent, "parent not found: the variable product with this ID must come earlier in the file", found: parentRef)
                    return [r.record(.skip("unknown parent"))]
                }
            }
            product = Product(productID: parentID ?? parentRef)
        } else {
            let productID = ownSKU ?? id.map { "woo-\($0)" }
            guard let productID else {
                r.fail(c.sku, "a product needs a SKU or an ID")
                return [r.record(.skip("no id"))]
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
            return [r.record(.catalog(product: product, variant: nil))]
        }

        let pricing = PriceCells(price: c.regularPrice, currency: nil, salePrice: c.salePrice, saleStart: c.saleStart, saleEnd: c.saleEnd)
        let money = pricing.read(&r, shop: shop)
        var color: String?, size: String?
        var custom: [String: String] = [:]
        var values: [String] = []
        for (nameColumn, valueColumn) in c.attributes {
            guard let name = r.text(nameColumn), let value = r.text(valueColumn) else { continue }
            values.append(value)
            // Only a variation's values are its own; a simple product's single value is one too.
            switch name.lowercased() {
            case "color", "colour": color = value
            case "size": size = value
            default: custom[name.lowercased()] = value
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
        if let unit = c.weightUnit {
            variant.weight = r.parse(c.weight) { s throws(ValueError) in try Weight.parse("\(s.hasPrefix(".") ? "0" + s : s) \(unit.rawValue)") }
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
        return [r.record(.catalog(product: product, variant: variant))]
    }

    public mutating func finish() -> [MappedRecord] { [] }

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
