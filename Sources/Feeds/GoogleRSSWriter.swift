public import Catalog
public import Config
public import Formats
public import Foundation
public import Pipeline
public import StorePort

/// Google's RSS 2.0 feed with the `g:` namespace, written through libxml2's `xmlTextWriter` into a
/// `FeedFile` (streaming: one item at a time; libxml2 does all escaping). Shipping and tax are nested
/// groups; repeated attributes repeat the element.
public final class GoogleRSSWriter {
    private let xml: XMLStreamWriter

    /// The `<g:shipping>` and `<g:tax>` groups: the same for every item, built once as markup.
    private let shippingMarkup: [UInt8]
    private let taxMarkup: [UInt8]

    public init(file: FeedFile, shop: ShopConfig, settings: ChannelSettings) throws {
        let (shippingGroups, taxGroups) = GoogleRSSWriter.groups(settings)
        var shipping: [UInt8] = [], tax: [UInt8] = []
        for group in shippingGroups { try GoogleRSSWriter.append("g:shipping", group, to: &shipping) }
        for group in taxGroups { try GoogleRSSWriter.append("g:tax", group, to: &tax) }
        (shippingMarkup, taxMarkup) = (shipping, tax)
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

    /// One `<item>` with a `g:` element per value of each column's field, on a line of its own.
    func write(_ item: FeedItem, columns: [PlannedColumn]) throws {
        var chunk = xml.takeChunk()
        chunk.append(contentsOf: "\n<item>".utf8)
        for column in columns {
            switch column.id {
            case .shipping: chunk.append(contentsOf: shippingMarkup)
            case .tax: chunk.append(contentsOf: taxMarkup)
            case .additionalImageLink, .promotionID:
                for value in item.values(column.id).prefix(10) {
                    try column.withRenamed(value) { try XMLStreamWriter.appendTextElement(column.tag, $0, to: &chunk) }
                }
            default:
                try item.withValue(column.id) { value in
                    try column.withRenamed(value) { try XMLStreamWriter.appendTextElement(column.tag, $0, to: &chunk) }
                }
            }
        }
        chunk.append(contentsOf: "</item>".utf8)
        try xml.write(&chunk)
    }

    /// The same from rendered cells (`ItemCells`): one `<item>` of `item`'s cells.
    func write(_ cells: CellView, item: Int, columns: UnsafeBufferPointer<CellColumn>) throws {
        var chunk = xml.takeChunk()
        chunk.append(contentsOf: "\n<item>".utf8)
        for column in columns {
            switch column.kind {
            case .constant: chunk.append(contentsOf: column.constant)
            case .repeated:
                if let cell = cells.cell(item, column.cell) {
                    try cells.forEachValue(cell) { try XMLStreamWriter.appendTextElement(column.tag!, bytes: $0, to: &chunk) }
                }
            case .value:
                if let cell = cells.cell(item, column.cell) { try XMLStreamWriter.appendTextElement(column.tag!, bytes: cell, to: &chunk) }
            }
        }
        chunk.append(contentsOf: "</item>".utf8)
        try xml.write(&chunk)
    }

    /// The markup of the `shipping` or `tax` column.
    func constantMarkup(_ field: FeedField) -> [UInt8] { field == .shipping ? shippingMarkup : taxMarkup }

    /// A nested group (`<g:shipping>` with its elements), the same for every item.
    private static func append(_ name: String, _ elements: [(ElementTag, String)], to chunk: inout [UInt8]) throws {
        chunk.append(contentsOf: "<\(name)>".utf8)
        for (tag, value) in elements { try XMLStreamWriter.appendTextElement(tag, value, to: &chunk) }
        chunk.append(contentsOf: "</\(name)>".utf8)
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
