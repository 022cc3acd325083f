import Foundation

/// The column names WooCommerce's product CSV exporter writes in English
/// (`WC_Product_CSV_Exporter::get_default_column_names()` and the numbered and unit columns), which
/// `[import.woocommerce.headers]` maps localized names to.
public enum WooCommerceColumns {
    /// Fixed names.
    public static let names = [
        "ID", "Type", "SKU", "GTIN, UPC, EAN, or ISBN", "Name", "Published", "Is featured?", "Visibility in catalog",
        "Short description", "Description", "Date sale price starts", "Date sale price ends", "Tax status", "Tax class",
        "In stock?", "Stock", "Low stock amount", "Backorders allowed?", "Sold individually?", "Allow customer reviews?",
        "Purchase note", "Sale price", "Regular price", "Categories", "Tags", "Shipping class", "Images", "Download limit",
        "Download expiry days", "Parent", "Grouped products", "Upsells", "Cross-sells", "External URL", "Button text",
        "Position", "Brands",
    ]
    /// Names with a number (`%d`) or a unit or meta key (`%s`).
    public static let patterns = [
        "Weight (%s)", "Length (%s)", "Width (%s)", "Height (%s)", "Attribute %d name", "Attribute %d value(s)",
        "Attribute %d visible", "Attribute %d global", "Attribute %d default", "Download %d ID", "Download %d name",
        "Download %d URL", "Meta: %s",
    ]

    /// `name` is one of the exporter's English names (case-insensitive), a pattern filled in.
    public static func isKnown(_ name: String) -> Bool {
        let lower = name.lowercased()
        if names.contains(where: { $0.lowercased() == lower }) { return true }
        return patterns.contains { fill($0, lower) != nil }
    }

    /// The placeholder's value when `name` (lower case) is `pattern` filled in: digits for `%d`, any
    /// non-empty text for `%s`.
    public static func fill(_ pattern: String, _ name: String) -> Substring? {
        let p = pattern.lowercased()
        guard let range = p.range(of: "%d") ?? p.range(of: "%s") else { return nil }
        let prefix = p[..<range.lowerBound], suffix = p[range.upperBound...]
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count > prefix.count + suffix.count else { return nil }
        let value = name.dropFirst(prefix.count).dropLast(suffix.count)
        if p[range] == "%d" && !value.allSatisfy(\.isASCIIDigit) { return nil }
        return value
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
