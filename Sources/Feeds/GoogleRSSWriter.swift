import Catalog
import Foundation

/// Google's RSS 2.0 feed with the `g:` namespace, written through libxml2's `xmlTextWriter` into a
/// `FeedFile` (streaming: one item at a time; libxml2 does all escaping). Shipping and tax are nested
/// groups; repeated attributes repeat the element.
public final class GoogleRSSWriter {
    private let xml: XMLStreamWriter

    private let shippingGroups: [[(ElementTag, String)]]
    private let taxGroups: [[(ElementTag, String)]]

    public init(file: FeedFile, shop: ShopConfig, settings: ChannelSettings) throws {
        (shippingGroups, taxGroups) = GoogleRSSWriter.groups(settings)
        // One line per item, not an indented element per line: the same document for Google, a third
        // less work for libxml2 and a line per SKU for grep.
        xml = try XMLStreamWriter(file: file, indent: false)
        try xml.start("rss")
        try xml.attribute("version", "2.0")
        try xml.attribute("xmlns:g", "http://base.google.com/ns/1.0")
        try xml.newline()
        try xml.start("channel")
        try xml.element("title", FeedText.xmlSafe(shop.name))
        try xml.element("link", FeedText.xmlSafe(shop.url))
        try xml.element("description", FeedText.xmlSafe("\(shop.name) product feed"))
    }

    /// One `<item>` with a `g:` element per value of each column's field.
    func write(_ item: FeedItem, columns: [PlannedColumn]) throws {
        try xml.newline()
        try xml.start("item")
        for column in columns {
            switch column.id {
            case .shipping:
                for group in shippingGroups { try writeGroup("g:shipping", group) }
            case .tax:
                for group in taxGroups { try writeGroup("g:tax", group) }
            case .additionalImageLink:
                for value in item.additionalImageLinks.prefix(10) { try column.withRenamed(value) { try xml.textElement(column.tag, $0) } }
            default:
                try item.withValue(column.id) { value in try column.withRenamed(value) { try xml.textElement(column.tag, $0) } }
            }
        }
        try xml.end()
    }

    /// A nested group (`<g:shipping>` with its elements), the same for every item.
    private func writeGroup(_ name: String, _ elements: [(ElementTag, String)]) throws {
        try xml.start(name)
        for (tag, value) in elements { try xml.textElement(tag, value) }
        try xml.end()
    }

    /// The configured shipping rates and tax rules as elements, built once (not formatted per item).
    private static func groups(_ settings: ChannelSettings) -> (shipping: [[(ElementTag, String)]], tax: [[(ElementTag, String)]]) {
        var tags: [String: ElementTag] = [:]
        func tag(_ name: String) -> ElementTag {
            if let known = tags[name] { return known }
            let made = ElementTag(name)
            tags[name] = made
            return made
        }
        let shipping = settings.shipping.map { rate in
            var out: [(ElementTag, String)] = [(tag("g:country"), rate.country)]
            if let region = rate.region { out.append((tag("g:region"), region)) }
            if let service = rate.service { out.append((tag("g:service"), service)) }
            out.append((tag("g:price"), rate.price.description))
            if let min = rate.minTransitDays { out.append((tag("g:min_transit_time"), String(min))) }
            if let max = rate.maxTransitDays { out.append((tag("g:max_transit_time"), String(max))) }
            return out
        }
        let tax = settings.tax.map { rule in
            var out: [(ElementTag, String)] = [(tag("g:country"), rule.country)]
            if let region = rule.region { out.append((tag("g:region"), region)) }
            out.append((tag("g:rate"), rule.rate))
            out.append((tag("g:tax_ship"), rule.taxShip ? "yes" : "no"))
            return out
        }
        return (shipping, tax)
    }

    /// Closes the document and flushes it into the file.
    public func close() throws {
        try xml.newline()
        try xml.close()
    }
}
