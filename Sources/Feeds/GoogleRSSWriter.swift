import Catalog
import Foundation

/// Google's RSS 2.0 feed with the `g:` namespace, written through libxml2's `xmlTextWriter` into a
/// `FeedFile` (streaming: one item at a time; libxml2 does all escaping). Shipping and tax are nested
/// groups; repeated attributes repeat the element.
public final class GoogleRSSWriter {
    private let xml: XMLStreamWriter

    public init(file: FeedFile, shop: ShopConfig) throws {
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
    func write(_ item: FeedItem, columns: [PlannedColumn], settings: ChannelSettings) throws {
        try xml.newline()
        try xml.start("item")
        for column in columns {
            switch column.id {
            case .shipping:
                for rate in settings.shipping {
                    try xml.start("g:shipping")
                    try xml.element("g:country", rate.country)
                    if let region = rate.region { try xml.element("g:region", region) }
                    if let service = rate.service { try xml.element("g:service", service) }
                    try xml.element("g:price", rate.price.description)
                    if let min = rate.minTransitDays { try xml.element("g:min_transit_time", String(min)) }
                    if let max = rate.maxTransitDays { try xml.element("g:max_transit_time", String(max)) }
                    try xml.end()
                }
            case .tax:
                for rule in settings.tax {
                    try xml.start("g:tax")
                    try xml.element("g:country", rule.country)
                    if let region = rule.region { try xml.element("g:region", region) }
                    try xml.element("g:rate", rule.rate)
                    try xml.element("g:tax_ship", rule.taxShip ? "yes" : "no")
                    try xml.end()
                }
            case .additionalImageLink:
                for value in item.additionalImageLinks.prefix(10) { try column.withRenamed(value) { try xml.textElement(column.tag, $0) } }
            default:
                try item.withValue(column.id) { value in try column.withRenamed(value) { try xml.textElement(column.tag, $0) } }
            }
        }
        try xml.end()
    }

    /// Closes the document and flushes it into the file.
    public func close() throws {
        try xml.newline()
        try xml.close()
    }
}
