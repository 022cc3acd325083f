public import Catalog
public import Config
public import Formats
import Foundation
public import Pipeline
public import StorePort

/// Akeneo PIM product CSV exports (`;`-separated).
///
/// Values are suffixed by locale, channel and currency: `name-en_US`, `description-en_US-ecommerce`,
/// `price-USD`. For an attribute the reader takes the first present, non-empty column among
/// `attr-LOCALE-CHANNEL`, `attr-LOCALE`, `attr-CHANNEL`, `attr` (locale, channel and currency from the
/// config's `[import.akeneo]`). Variants group under `parent` (the product model code), else under the
/// first code of `groups`, else stand alone under their own SKU. `enabled` 0 is archived. `family`
/// becomes the product type. Attributes:
/// title ← name, description ← description, brand ← brand, gtin ← ean|gtin|upc, color ← color|main_color,
/// size ← size|clothing_size, material ← material, image ← picture|image (relative media paths resolved
/// against image_base_url), weight ← weight with weight-unit. Other plain attribute columns become custom
/// attributes; association columns (`X_SELL-products` …) are ignored.
public struct AkeneoMapper: RowMapper {
    let header: Header
    let config: UnifeedConfig
    let currency: Currency
    let sku, parent, groups, family, enabled, price, weightUnit: Int?
    let customColumns: [(Int, String)]
    let locale: String
    let channel: String
    /// Attributes whose values the file holds only for other locales or channels than the config reads.
    public private(set) var headerWarnings: [InputError] = []

    public init(header: Header, config: UnifeedConfig) throws {
        try header.require(["sku"], format: "akeneo")
        self.header = header
        self.config = config
        currency = config.importing.akeneoCurrency ?? config.shop.currency
        locale = config.importing.akeneoLocale
        channel = config.importing.akeneoChannel
        sku = header.column("sku")
        parent = header.column("parent")
        groups = header.column("groups")
        family = header.column("family")
        enabled = header.column("enabled")
        price = header.column("price-\(currency.code)")
        weightUnit = header.column(anyOf: ["weight-unit", "weight_unit"])
        guard price != nil else {
            throw InputError(
                "missing price column for the configured currency (set [import.akeneo] currency)",
                at: InputLocation(file: header.file, line: 1), column: "price-\(currency.code)",
                found: header.names.filter { $0.lowercased().hasPrefix("price") }.joined(separator: ","))
        }
        let structural: Set<String> = [
            "sku", "parent", "groups", "family", "enabled", "categories", "weight-unit", "weight_unit",
            "name", "description", "brand", "ean", "gtin", "upc", "color", "main_color", "size",
            "clothing_size", "material", "picture", "image", "weight",
        ]
        var custom: [(Int, String)] = []
        for (i, name) in header.names.enumerated() {
            let lower = name.lowercased()
            if structural.contains(lower) || lower.contains("-") { continue }
            custom.append((i, name))
        }
        customColumns = custom
        for attribute in ["name", "description"] {
            let read = ["\(attribute)-\(locale)-\(channel)", "\(attribute)-\(locale)", "\(attribute)-\(channel)", attribute]
            guard !read.contains(where: { header.column($0) != nil }) else { continue }
            let others = header.names.filter { $0.lowercased().hasPrefix(attribute + "-") }
            guard !others.isEmpty else { continue }
            // `description-en_US-mobile`: locale en_US, channel mobile.
            let parts = others.map { $0.split(separator: "-").dropFirst().map(String.init) }
            let locales = Set(parts.compactMap(\.first)).sorted()
            let channels = Set(parts.compactMap { $0.count > 1 ? $0[1] : nil }).sorted()
            var hint = "set [import.akeneo]"
            if !channels.isEmpty && !channels.contains(channel) { hint += " channel = \"\(channels[0])\"" }
            if !locales.contains(locale) { hint += (hint.hasSuffix("]") ? "" : " and") + " locale = \"\(locales[0])\"" }
            headerWarnings.append(
                InputError(
                    "no \(attribute) column for locale \(locale) and channel \(channel) (the config's [import.akeneo]); the file has \(others.joined(separator: ", ")): \(hint) to read them",
                    at: InputLocation(file: header.file, line: 1), column: attribute, severity: .warning))
        }
    }

    /// The column for `attribute` by the lookup order in the type's documentation, for this row.
    private func value(_ r: RowReader, _ attributes: String...) -> (String, Int)? {
        for attribute in attributes {
            for name in ["\(attribute)-\(locale)-\(channel)", "\(attribute)-\(locale)", "\(attribute)-\(channel)", attribute] {
                if let i = header.column(name), let v = r.raw(i) { return (v, i) }
            }
        }
        return nil
    }

    public mutating func consume(_ row: SourceRow) -> [MappedRecord] {
        var r = RowReader(header: header, row: row)
        let shop = config.shop
        let sku = r.parse(sku) { s throws(ValueError) in try Identifier.validate(s, noun: "sku") }
        if r.text(self.sku) == nil { r.fail(self.sku, "sku is required") }
        let groupCode = r.text(groups).map { String($0.split(separator: ",")[0]).trimmingASCIIWhitespace() }
        let productID = r.text(parent) ?? groupCode ?? sku ?? ""
        var product = Product(productID: productID)
        product.title = value(r, "name").map { $0.0.trimmingASCIIWhitespace() }
        product.description = value(r, "description")?.0
        product.brand = value(r, "brand")?.0
        product.material = value(r, "material")?.0
        product.productType = r.text(family)
        var variant = Variant(sku: sku ?? "", productID: productID, price: Money(minorUnits: 0, currency: currency))
        if r.text(price) == nil {
            r.warn(price, "no price yet: imported, and kept out of every channel (missing_price) until it has one")
        }
        if let p = r.parse(price, { s throws(ValueError) in try Money.parse(s, currency: currency) }) { variant.price = p }
        variant.status = (r.text(enabled) ?? "1") == "0" ? .archived : .active
        if let (g, i) = value(r, "ean", "gtin", "upc") {
            variant.gtin = r.gtin(i)
            _ = g
        }
        variant.color = value(r, "color", "main_color")?.0
        variant.size = value(r, "size", "clothing_size")?.0
        // A variant row's name often carries its own color or size ("Tee black and purple"): the product
        // model's title is the name without them, and each variant's title is made from its own values
        // (otherwise every variant took the first row's: "Tee black and purple - white - M").
        if r.text(parent) != nil || groupCode != nil, let title = product.title {
            product.title = AkeneoMapper.withoutVariantValues(title, [variant.color, variant.size])
        }
        if let (_, i) = value(r, "picture", "image") {
            if let url = r.parse(i, { s throws(ValueError) in try WebURL.resolveImage(s, base: shop.imageBaseURL) }) {
                variant.images = [url]
            }
        }
        if let (w, i) = value(r, "weight") {
            let unit = r.text(weightUnit).map { u -> String in
                ["KILOGRAM": "kg", "GRAM": "g", "POUND": "lb", "OUNCE": "oz"][u.uppercased()] ?? u
            }
            let text = w.contains(" ") ? w : "\(w) \(unit ?? "")"
            let parts = text.split(separator: " ")
            let normalized =
                parts.count == 2
                ? "\(parts[0]) \(["KILOGRAM": "kg", "GRAM": "g", "POUND": "lb", "OUNCE": "oz"][parts[1].uppercased()] ?? String(parts[1]))"
                : text
            variant.weight = r.parse(i) { _ throws(ValueError) in try Weight.parse(normalized) }
        }
        for (i, name) in customColumns {
            if let v = r.raw(i) { variant.custom[name] = v }
        }
        if let template = shop.linkTemplate, let sku {
            variant.link = WebURL.fill(template: template, productID: productID, sku: sku)
        }
        return [r.record(.catalog(product: product, variant: variant))]
    }

    public mutating func finish() -> [MappedRecord] { [] }

    /// `name` without each of `values` where it appears as whole words (case-insensitive), and the
    /// separators left dangling (`-`, `,`, `/`, `(` `)`, spaces); `name` unchanged when nothing would be left.
    static func withoutVariantValues(_ name: String, _ values: [String?]) -> String {
        var result = name
        for case let value? in values where !value.isEmpty {
            var from = result.startIndex
            while let range = result.range(of: value, options: [.caseInsensitive], range: from..<result.endIndex) {
                let before = range.lowerBound == result.startIndex ? nil : result[result.index(before: range.lowerBound)]
                let after = range.upperBound == result.endIndex ? nil : result[range.upperBound]
                // Whole words only: "Red" in "Redwood" stays.
                if before.map({ !$0.isLetter && !$0.isNumber }) ?? true, after.map({ !$0.isLetter && !$0.isNumber }) ?? true {
                    result.removeSubrange(range)
                    break
                }
                from = range.upperBound
            }
        }
        let separators: Set<Character> = [" ", "-", ",", "/", "(", ")", "–"]
        var trimmed = String(result.drop { separators.contains($0) }.reversed().drop { separators.contains($0) }.reversed())
        while trimmed.contains("  ") { trimmed = trimmed.replacingOccurrences(of: "  ", with: " ") }
        trimmed = trimmed.replacingOccurrences(of: " ,", with: ",").replacingOccurrences(of: "()", with: "")
        return trimmed.isEmpty ? name : trimmed
    }
}
