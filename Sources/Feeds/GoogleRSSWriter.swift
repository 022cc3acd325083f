import CLibXML2
import Catalog
import Foundation

/// Google's RSS 2.0 feed with the `g:` namespace, written through libxml2's `xmlTextWriter` into a
/// `FeedFile` (streaming: one item at a time; libxml2 does all escaping). Shipping and tax are nested
/// groups; repeated attributes repeat the element.
public final class GoogleRSSWriter {
    private let file: FeedFile
    private let writer: xmlTextWriterPtr
    private var failure: (any Error)?

    public init(file: FeedFile, shop: ShopConfig) throws {
        self.file = file
        let context = Unmanaged.passUnretained(file).toOpaque()
        guard let output = xmlOutputBufferCreateIO({ context, buffer, length in
            guard let context, let buffer else { return -1 }
            let file = Unmanaged<FeedFile>.fromOpaque(context).takeUnretainedValue()
            do {
                try file.write(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
                return length
            } catch {
                return -1
            }
        }, nil, context, nil), let writer = xmlNewTextWriter(output) else {
            throw FeedError("\(file.path): error: libxml2 could not start the XML writer")
        }
        self.writer = writer
        xmlTextWriterSetIndent(writer, 1)
        xmlTextWriterSetIndentString(writer, " ")
        try check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
        try start("rss")
        try check(xmlTextWriterWriteAttribute(writer, "version", "2.0"))
        try check(xmlTextWriterWriteAttribute(writer, "xmlns:g", "http://base.google.com/ns/1.0"))
        try start("channel")
        try element("title", FeedText.xmlSafe(shop.name))
        try element("link", FeedText.xmlSafe(shop.url))
        try element("description", FeedText.xmlSafe("\(shop.name) product feed"))
    }

    deinit { xmlFreeTextWriter(writer) }

    /// One `<item>` with a `g:` element per value of each column's field.
    public func write(_ item: FeedItem, columns: [ChannelDefinition.Column], settings: ChannelSettings) throws {
        try start("item")
        for column in columns {
            switch column.id {
            case .shipping:
                for rate in settings.shipping {
                    try start("g:shipping")
                    try element("g:country", rate.country)
                    if let region = rate.region { try element("g:region", region) }
                    if let service = rate.service { try element("g:service", service) }
                    try element("g:price", rate.price.description)
                    if let min = rate.minTransitDays { try element("g:min_transit_time", String(min)) }
                    if let max = rate.maxTransitDays { try element("g:max_transit_time", String(max)) }
                    try end()
                }
            case .tax:
                for rule in settings.tax {
                    try start("g:tax")
                    try element("g:country", rule.country)
                    if let region = rule.region { try element("g:region", region) }
                    try element("g:rate", rule.rate)
                    try element("g:tax_ship", rule.taxShip ? "yes" : "no")
                    try end()
                }
            default:
                var values = item.values(column.id)
                if column.id == .additionalImageLink { values = Array(values.prefix(10)) }
                for value in values { try element(column.elementName, column.values[value] ?? value) }
            }
        }
        try end()
    }

    /// Closes the document and flushes it into the file (which the caller then finishes and commits).
    public func close() throws {
        try check(xmlTextWriterEndDocument(writer))
        try check(xmlTextWriterFlush(writer))
    }

    private func start(_ name: String) throws { try check(xmlTextWriterStartElement(writer, name)) }
    private func end() throws { try check(xmlTextWriterEndElement(writer)) }
    /// Feed values are XML-safe already (`FeedItem` cleans them once); shop texts are cleaned here.
    private func element(_ name: String, _ value: String) throws {
        try name.withCString { n in
            try value.withCString { v in
                try check(xmlTextWriterWriteElement(writer, UnsafeRawPointer(n).assumingMemoryBound(to: xmlChar.self),
                                                    UnsafeRawPointer(v).assumingMemoryBound(to: xmlChar.self)))
            }
        }
    }

    private func check(_ result: Int32) throws {
        if result < 0 { throw FeedError("\(file.path): error: cannot write the XML feed (libxml2 error; disk full?)") }
    }
}
