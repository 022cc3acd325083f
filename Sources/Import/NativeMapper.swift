public import Catalog
public import Config
public import Formats
public import Foundation
public import Pipeline
public import StorePort

/// Unifeed's own catalog CSV: one row per variant (DESIGN.md §4).
public struct NativeMapper: RowMapper {
    public static let columns = [
        "product_id", "sku", "status", "title", "description", "brand", "gtin", "mpn", "condition", "price", "currency",
        "sale_price", "sale_start", "sale_end", "link", "image_link", "additional_image_links", "color", "size",
        "size_system", "size_type", "gender", "age_group", "material", "pattern", "google_product_category",
        "product_type", "weight", "quantity", "availability_date", "stock_policy",
    ]
    public static let required = ["product_id", "sku", "title", "price"]

    let header: Header
    let config: UnifeedConfig
    let c: Columns
    /// `CHANNEL.FIELD` columns: index → (channel, field).
    let overrideColumns: [(Int, String, String)]
    /// `custom.NAME` columns: index → name.
    let customColumns: [(Int, String)]
    public private(set) var headerWarnings: [InputError] = []

    /// Column indexes of the native columns present in the header.
    struct Columns {
        var productId: Int?
        var sku: Int?
        var status: Int?
        var title: Int?
        var description: Int?
        var brand: Int?
        var gtin: Int?
        var mpn: Int?
        var condition: Int?
        var price: Int?
        var currency: Int?
        var salePrice: Int?
        var saleStart: Int?
        var saleEnd: Int?
        var link: Int?
        var imageLink: Int?
        var additionalImageLinks: Int?
        var color: Int?
        var size: Int?
        var sizeSystem: Int?
        var sizeType: Int?
        var gender: Int?
        var ageGroup: Int?
        var material: Int?
        var pattern: Int?
        var googleProductCategory: Int?
        var productType: Int?
        var weight: Int?
        var quantity: Int?
        var availabilityDate: Int?
        var stockPolicy: Int?
        init(_ header: Header) {
            productId = header.column("product_id")
            sku = header.column("sku")
            status = header.column("status")
            title = header.column("title")
            description = header.column("description")
            brand = header.column("brand")
            gtin = header.column("gtin")
            mpn = header.column("mpn")
            condition = header.column("condition")
            price = header.column("price")
            currency = header.column("currency")
            salePrice = header.column("sale_price")
            saleStart = header.column("sale_start")
            saleEnd = header.column("sale_end")
            link = header.column("link")
            imageLink = header.column("image_link")
            additionalImageLinks = header.column("additional_image_links")
            color = header.column("color")
            size = header.column("size")
            sizeSystem = header.column("size_system")
            sizeType = header.column("size_type")
            gender = header.column("gender")
            ageGroup = header.column("age_group")
            material = header.column("material")
            pattern = header.column("pattern")
            googleProductCategory = header.column("google_product_category")
            productType = header.column("product_type")
            weight = header.column("weight")
            quantity = header.column("quantity")
            availabilityDate = header.column("availability_date")
            stockPolicy = header.column("stock_policy")
        }
    }

    public init(header: Header, config: UnifeedConfig) throws {
        try header.require(Self.required, format: "unifeed")
        self.header = header
        self.config = config
        self.c = Columns(header)
        var overrides: [(Int, String, String)] = []
        var custom: [(Int, String)] = []
        var warnings: [InputError] = []
        for (i, name) in header.names.enumerated() {
            let lower = name.trimmingASCIIWhitespace().lowercased()
            if Self.columns.contains(lower) || lower == "error" { continue }
            guard let dot = lower.firstIndex(of: ".") else {
                warnings.append(
                    InputError(
                        "unknown column, ignored", at: InputLocation(file: header.file, line: 1),
                        column: name, severity: .warning))
                continue
            }
            let prefix = String(lower[..<dot])
            let field = String(lower[lower.index(after: dot)...])
            guard !field.isEmpty else {
                throw InputError(
                    "expected CHANNEL.FIELD or custom.NAME", at: InputLocation(file: header.file, line: 1),
                    column: name)
            }
            if prefix == "custom" {
                custom.append((i, String(name.trimmingASCIIWhitespace().dropFirst(7))))
            } else {
                guard ChannelName.isValid(prefix), ChannelName.isValidField(field) else {
                    throw InputError(
                        "channel override columns are CHANNEL.FIELD with CHANNEL in [a-z0-9-] and FIELD in [a-z0-9_]",
                        at: InputLocation(file: header.file, line: 1), column: name)
                }
                overrides.append((i, prefix, field))
            }
        }
        self.overrideColumns = overrides
        self.customColumns = custom
        self.headerWarnings = warnings
    }

    public mutating func consume(_ source: SourceRow) -> [MappedRecord] {
        var r = RowReader(header: header, row: source)
        let shop = config.shop
        let productID = r.parse(c.productId) { s throws(ValueError) in try Identifier.validate(s, noun: "product_id") }
        let sku = r.parse(c.sku) { s throws(ValueError) in try Identifier.validate(s, noun: "sku") }
        if r.text(c.productId) == nil { r.fail(c.productId, "product_id is required") }
        if r.text(c.sku) == nil { r.fail(c.sku, "sku is required") }

        var product = Product(productID: productID ?? "")
        product.title = r.text(c.title)
        product.description = r.raw(c.description)
        product.brand = r.text(c.brand)
        product.googleProductCategory = r.text(c.googleProductCategory)
        product.productType = r.text(c.productType)
        product.condition = r.parse(c.condition, Condition.parse)
        product.gender = r.parse(c.gender, Gender.parse)
        product.ageGroup = r.parse(c.ageGroup, AgeGroup.parse)
        product.material = r.text(c.material)
        product.pattern = r.text(c.pattern)

        let pricing = PriceCells(
            price: c.price, currency: c.currency, salePrice: c.salePrice, saleStart: c.saleStart,
            saleEnd: c.saleEnd)
        let money = pricing.read(&r, shop: shop)
        var variant = Variant(sku: sku ?? "", productID: productID ?? "", price: money?.price ?? Money(minorUnits: 0, currency: shop.currency))
        variant.sale = money?.sale
        variant.status = r.parse(c.status, VariantStatus.parse) ?? .active
        variant.gtin = r.gtin(c.gtin)
        variant.mpn = r.text(c.mpn)
        variant.color = r.text(c.color)
        variant.size = r.text(c.size)
        variant.sizeSystem = r.parse(c.sizeSystem, SizeSystem.parse)
        variant.sizeType = r.parse(c.sizeType, SizeType.parse)
        variant.weight = r.parse(c.weight, Weight.parse)
        variant.availabilityDate = r.parse(c.availabilityDate) { s throws(ValueError) in
            try Timestamp.parse(s, timeZone: shop.timeZone)
        }
        variant.quantity = r.parse(c.quantity, Quantity.parse)
        variant.stockPolicy = r.parse(c.stockPolicy, StockPolicy.parse) ?? .tracked
        // A link on the row belongs to the variant; the template fills it when the whole product has none.
        variant.link = r.parse(c.link, WebURL.validate)
        if variant.link == nil, let template = shop.linkTemplate, let productID, let sku {
            variant.link = WebURL.fill(template: template, productID: productID, sku: sku)
        }
        var images: [String] = []
        if let main = r.parse(c.imageLink, { s throws(ValueError) in try WebURL.resolveImage(s, base: shop.imageBaseURL) }) {
            images.append(main)
        }
        if let more = r.text(c.additionalImageLinks) {
            // Split on the bytes: `|` is ASCII, and a split by Characters was 8% of the reading thread.
            for bytes in more.utf8.split(separator: UInt8(ascii: "|")) {
                let part = String(Substring(bytes))
                guard !part.trimmingASCIIWhitespace().isEmpty else { continue }
                do throws(ValueError) {
                    images.append(try WebURL.resolveImage(part, base: shop.imageBaseURL))
                } catch {
                    r.fail(c.additionalImageLinks, error.message, found: part)
                }
            }
        }
        variant.images = images
        for (i, channel, field) in overrideColumns {
            if let value = r.raw(i) { variant.overrides[channel, default: [:]][field] = value }
        }
        for (i, name) in customColumns {
            if let value = r.raw(i) { variant.custom[name] = value }
        }
        return [r.record(.catalog(product: product, variant: variant))]
    }

    public mutating func finish() -> [MappedRecord] { [] }
}

/// Stock counts: a whole number, zero or more.
public enum Quantity {
    public static func parse(_ text: String) throws(ValueError) -> Int {
        guard let n = Int(text.trimmingASCIIWhitespace()), text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 || $0 == 45 || $0 == 43 }) else {
            throw ValueError("expected a whole number of units, e.g. 12")
        }
        guard n >= 0 else { throw ValueError("quantity must not be negative") }
        guard n <= 1_000_000_000 else { throw ValueError("quantity is too large") }
        return n
    }
}

/// The price cells of a row (price, currency, sale price and window) and the rules between them.
struct PriceCells {
    var price: Int?
    var currency: Int?
    var salePrice: Int?
    var saleStart: Int?
    var saleEnd: Int?
    /// A decimal comma is read as the point (`129,90`): WooCommerce writes prices with the shop's
    /// decimal separator and no thousands separator, so one comma and no point is a decimal comma.
    var decimalComma = false

    /// `129,90` → `129.90` when `decimalComma` is on and the cell has one comma and no point.
    static func decimalPoint(_ s: String) -> String {
        let u = s.utf8
        guard u.count(where: { $0 == UInt8(ascii: ",") }) == 1, !u.contains(UInt8(ascii: ".")) else { return s }
        return s.replacingOccurrences(of: ",", with: ".")
    }

    func read(_ r: inout RowReader, shop: ShopConfig) -> (price: Money, sale: Sale?)? {
        let currency = r.parse(currency, Currency.parse) ?? (r.text(currency) == nil ? shop.currency : nil)
        guard let currency else { return nil }
        // No price yet: a shop may hold a product it does not sell yet. It is stored at zero and every
        // channel keeps it out (`missing_price`) until it has one.
        let regular: Money?
        if r.text(price) == nil {
            r.warn(price, "no price yet: imported, and kept out of every channel (missing_price) until it has one")
            regular = Money(minorUnits: 0, currency: currency)
        } else {
            regular = r.parse(price) { [decimalComma] s throws(ValueError) in try Money.parse(decimalComma ? Self.decimalPoint(s) : s, currency: currency) }
        }
        let salePrice = r.parse(salePrice) { [decimalComma] s throws(ValueError) in
            try Money.parse(decimalComma ? Self.decimalPoint(s) : s, currency: currency)
        }
        let start = r.parse(saleStart) { s throws(ValueError) in try Timestamp.parse(s, timeZone: shop.timeZone) }
        let end = r.parse(saleEnd) { s throws(ValueError) in try Timestamp.parse(s, timeZone: shop.timeZone, endOfDay: true) }
        guard let regular else { return nil }
        if let salePrice, salePrice.minorUnits > regular.minorUnits {
            r.fail(self.salePrice, "sale price must not be above the price (\(regular.amountString))", found: salePrice.amountString)
        }
        if let start, let end, end <= start {
            r.fail(saleEnd, "sale end must be after the sale start (\(r.text(saleStart) ?? ""))", found: r.text(saleEnd))
        }
        if salePrice == nil, r.text(self.salePrice) == nil, r.text(saleStart) != nil || r.text(saleEnd) != nil {
            r.fail(self.salePrice, "a sale window needs a sale price")
        }
        return (regular, salePrice.map { Sale(price: $0, start: start, end: end) })
    }
}
