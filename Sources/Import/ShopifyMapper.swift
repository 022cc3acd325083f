public import Catalog
public import Config
public import Formats
public import Pipeline
public import StorePort

/// Shopify product CSV exports (old and current layouts).
///
/// Rows sharing a `Handle` form one product; its first row carries the product fields and the option
/// names, later rows only variant values, and rows with nothing but `Image Src` add product images. The
/// group is held until the handle changes (a group is one product, so memory stays bounded).
/// `Variant Compare At Price` above `Variant Price` means a sale: the compare-at price is the regular
/// price and `Variant Price` the sale price. A variant without `Variant SKU` gets the derived id
/// `HANDLE` (single default variant) or `HANDLE-OPTION1-OPTION2-OPTION3` (values slugged: lower case,
/// runs of other characters as `-`).
public struct ShopifyMapper: RowMapper {
    public static let required = ["Handle", "Variant Price"]
    let header: Header
    let config: UnifeedConfig
    let c: Columns
    private var group: [SourceRow] = []
    private var handle: String?

    struct Columns {
        var handle, title, body, vendor, type, productCategory, googleCategory, published, status: Int?
        var optionName: [Int?], optionValue: [Int?]
        var sku, grams, qty, price, compareAt, barcode, imageSrc, imagePosition, variantImage: Int?
        var gender, ageGroup, mpn, condition: Int?
        var tracker, policy: Int?
    }

    public init(header: Header, config: UnifeedConfig) throws {
        try header.require(Self.required, format: "shopify")
        self.header = header
        self.config = config
        c = Columns(
            handle: header.column("Handle"), title: header.column("Title"), body: header.column("Body (HTML)"),
            vendor: header.column("Vendor"), type: header.column("Type"), productCategory: header.column("Product Category"),
            googleCategory: header.column("Google Shopping / Google Product Category"),
            published: header.column("Published"), status: header.column("Status"),
            optionName: (1...3).map { header.column("Option\($0) Name") },
            optionValue: (1...3).map { header.column("Option\($0) Value") },
            sku: header.column("Variant SKU"), grams: header.column("Variant Grams"),
            qty: header.column("Variant Inventory Qty"), price: header.column("Variant Price"),
            compareAt: header.column("Variant Compare At Price"), barcode: header.column("Variant Barcode"),
            imageSrc: header.column("Image Src"), imagePosition: header.column("Image Position"),
            variantImage: header.column("Variant Image"), gender: header.column("Google Shopping / Gender"),
            ageGroup: header.column("Google Shopping / Age Group"), mpn: header.column("Google Shopping / MPN"),
            condition: header.column("Google Shopping / Condition"), tracker: header.column("Variant Inventory Tracker"),
            policy: header.column("Variant Inventory Policy"))
    }

    public mutating func consume(_ row: SourceRow) -> [MappedRecord] {
        let rowHandle = RowReader(header: header, row: row).text(c.handle)
        var out: [MappedRecord] = []
        if rowHandle != handle && !group.isEmpty { out = flush() }
        handle = rowHandle
        group.append(row)
        return out
    }

    public mutating func finish() -> [MappedRecord] { flush() }

    private mutating func flush() -> [MappedRecord] {
        defer { group.removeAll() }
        guard let first = group.first else { return [] }
        let shop = config.shop
        var head = RowReader(header: header, row: first)
        guard let handle = head.text(c.handle) else {
            return group.map { row in
                var r = RowReader(header: header, row: row)
                r.fail(c.handle, "Handle is required")
                return r.record(.skip("no handle"))
            }
        }
        var product = Product(productID: handle)
        product.title = head.text(c.title)
        product.description = head.raw(c.body)
        product.brand = head.text(c.vendor)
        product.productType = head.text(c.type)
        product.googleProductCategory = head.text(c.googleCategory) ?? head.text(c.productCategory)
        product.gender = head.parse(c.gender, Gender.parse)
        product.ageGroup = head.parse(c.ageGroup, AgeGroup.parse)
        product.condition = head.parse(c.condition, Condition.parse)
        let optionNames = c.optionName.map { head.text($0) }
        let archived: Bool = {
            if let status = head.text(c.status)?.lowercased() { return status != "active" }
            if let published = head.text(c.published)?.lowercased() { return published == "false" }
            return false
        }()
        // Product images: every Image Src of the group, by Image Position, else in file order.
        var images: [(Int, Int, String)] = []
        var imageErrors: [Int: [InputError]] = [:]
        for (i, row) in group.enumerated() {
            var r = RowReader(header: header, row: row)
            guard let src = r.parse(c.imageSrc, { s throws(ValueError) in try WebURL.resolveImage(s, base: shop.imageBaseURL) }) else {
                if !r.errors.isEmpty { imageErrors[i] = r.errors }
                continue
            }
            let position = r.text(c.imagePosition).flatMap { Int($0) } ?? Int.max
            images.append((position, i, src))
        }
        product.images = images.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)

        var records: [MappedRecord] = []
        var productPending = true
        for (i, row) in group.enumerated() {
            var r = RowReader(header: header, row: row)
            for error in imageErrors[i] ?? [] { r.fail(header.column(error.column ?? ""), error.message, found: error.found) }
            if i == 0 { for e in head.errors { r.fail(header.column(e.column ?? ""), e.message, found: e.found) } }
            let isVariantRow = r.text(c.price) != nil || r.text(c.sku) != nil || c.optionValue.contains { r.text($0) != nil }
            guard isVariantRow else {
                // An image-only row: its image went to the product.
                records.append(r.record(.catalog(product: nil, variant: nil)))
                continue
            }
            let values = c.optionValue.map { r.text($0) }
            var sku = r.text(c.sku)
            if sku == nil {
                let parts = values.compactMap { $0 }.filter { $0 != "Default Title" }.map(Slug.make)
                sku = ([handle] + parts).joined(separator: "-")
            }
            // Compare-at above price: a sale, with the compare-at price as the regular one.
            let priceCell = r.text(c.price)
            let variantPrice = r.parse(c.price) { s throws(ValueError) in try Money.parse(s, currency: shop.currency) }
            let compareAt = r.parse(c.compareAt) { s throws(ValueError) in try Money.parse(s, currency: shop.currency) }
            if priceCell == nil {
                r.warn(c.price, "no price yet: imported, and kept out of every channel (missing_price) until it has one")
            }
            var variant = Variant(sku: sku ?? handle, productID: handle, price: variantPrice ?? Money(minorUnits: 0, currency: shop.currency))
            if let compareAt, let variantPrice, compareAt.minorUnits > variantPrice.minorUnits {
                variant.price = compareAt
                variant.sale = Sale(price: variantPrice)
            }
            variant.status = archived ? .archived : .active
            variant.gtin = r.gtin(c.barcode)
            variant.mpn = r.text(c.mpn)
            variant.quantity = r.parse(c.qty) { s throws(ValueError) in
                // Shopify allows negative inventory (oversold); on hand never goes below 0 on import.
                if let n = Int(s), n < 0 { return 0 }
                return try Quantity.parse(s)
            }
            // `Variant Inventory Tracker` empty: Shopify does not count this variant and always sells it
            // (its `Variant Inventory Qty` means nothing then); `Variant Inventory Policy` continue: sold
            // when out of stock, on backorder.
            if c.tracker != nil, r.text(c.tracker) == nil {
                variant.stockPolicy = .inStock
                variant.quantity = nil
            } else if let policy = r.typed(c.policy) {
                switch policy.lowercased() {
                case "continue": variant.stockPolicy = .backorder
                case "deny": variant.stockPolicy = .tracked
                default: r.warn(c.policy, "unknown inventory policy, expected deny or continue; read as deny", found: policy)
                }
            }
            if let grams = r.text(c.grams), grams != "0" {
                variant.weight = r.parse(c.grams) { s throws(ValueError) in try Weight.parse(s + " g") }
            }
            if let image = r.parse(c.variantImage, { s throws(ValueError) in try WebURL.resolveImage(s, base: shop.imageBaseURL) }) {
                variant.images = [image]
            }
            for (k, name) in optionNames.enumerated() {
                guard let name, let value = values[k], name != "Title" || value != "Default Title" else { continue }
                switch name.lowercased() {
                case "color", "colour": variant.color = value
                case "size": variant.size = value
                default: variant.custom[name.lowercased()] = value
                }
            }
            if let template = shop.linkTemplate {
                variant.link = WebURL.fill(template: template, productID: handle, sku: variant.sku)
            }
            records.append(r.record(.catalog(product: productPending ? product : Product(productID: handle), variant: variant)))
            if r.errors.isEmpty { productPending = false }
        }
        if productPending, let index = records.indices.first {
            // No valid variant row: still record the product's fields and images on the first row.
            if records[index].errors.isEmpty, case .catalog(_, let v) = records[index].payload {
                records[index].payload = .catalog(product: product, variant: v)
            }
        }
        return records
    }
}

/// Lower-case ASCII slugs for derived ids: `Navy Blue / XL` → `navy-blue-xl`.
public enum Slug {
    public static func make(_ s: String) -> String {
        var out = ""
        var dash = false
        for scalar in s.lowercased().unicodeScalars {
            if (scalar.value >= 48 && scalar.value <= 57) || (scalar.value >= 97 && scalar.value <= 122) {
                if dash && !out.isEmpty { out += "-" }
                out.unicodeScalars.append(scalar)
                dash = false
            } else {
                dash = true
            }
        }
        return out
    }
}
