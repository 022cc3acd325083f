import CLibXML2
import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

/// libxml2's `xmlTextWriter` streaming into a `FeedFile`: the XML feed writers build on it, and
/// libxml2 does all escaping.
final class XMLStreamWriter {
    let file: FeedFile
    private let writer: xmlTextWriterPtr

    /// libxml2's global state, set up once on the calling thread before channel threads use the library
    /// (its documented rule for threaded programs).
    static let initialized: Void = {
        xmlInitParser()
        // Errors come back as results and become one clear line; libxml2 must not print its own
        // ("I/O error : write error"), on this thread or the channel threads started after it.
        xmlThrDefSetStructuredErrorFunc(nil) { _, _ in }
        xmlSetStructuredErrorFunc(nil) { _, _ in }
    }()

    /// Initializes libxml2 once and keeps it from printing on the calling thread (libxml2's error
    /// handlers are per thread).
    static func quietOnThisThread() {
        _ = initialized
        xmlSetStructuredErrorFunc(nil) { _, _ in }
    }

    /// - Parameter indent: one element per line, indented (libxml2 writes the indentation element by
    ///   element, which costs as much as the content for a feed of short values); otherwise the writer
    ///   breaks lines itself with `newline()`.
    init(file: FeedFile, indent: Bool = true) throws {
        XMLStreamWriter.quietOnThisThread()
        self.file = file
        let context = Unmanaged.passUnretained(file).toOpaque()
        guard
            let output = xmlOutputBufferCreateIO(
                { context, buffer, length in
                    guard let context, let buffer else { return -1 }
                    let file = Unmanaged<FeedFile>.fromOpaque(context).takeUnretainedValue()
                    do {
                        try file.write(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
                        return length
                    } catch {
                        return -1
                    }
                }, nil, context, nil), let writer = xmlNewTextWriter(output)
        else {
            throw FeedError("\(file.path): error: libxml2 could not start the XML writer")
        }
        self.writer = writer
        if indent {
            xmlTextWriterSetIndent(writer, 1)
            xmlTextWriterSetIndentString(writer, " ")
        }
        try check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
    }

    deinit { xmlFreeTextWriter(writer) }

    func start(_ name: String) throws { try check(xmlTextWriterStartElement(writer, name)) }
    func end() throws { try check(xmlTextWriterEndElement(writer)) }
    /// A line break between elements (whitespace libxml2 writes as it is; RSS readers ignore it).
    func newline() throws { try check(xmlTextWriterWriteRaw(writer, "\n")) }
    func attribute(_ name: String, _ value: String) throws { try check(xmlTextWriterWriteAttribute(writer, name, value)) }

    // MARK: Markup built in one piece
    //
    // A feed item is some forty short elements. Handing libxml2 each tag and value on its own costs
    // more than the text: every call goes through the writer's state checks and its output buffer.
    // So an item's markup is assembled here, from constant tags and values escaped by libxml2
    // (`xmlEncodeSpecialChars`, what `xmlTextWriterWriteString` itself uses), and handed to the
    // writer with one `xmlTextWriterWriteRawLen`. libxml2 still writes the document and does all the
    // escaping; it only sees bigger pieces.

    /// The markup being built, kept between items so that it is allocated once. A writer takes it
    /// out while it builds an item (no access checks per append) and puts it back with `write`.
    private var chunk: [UInt8] = []

    func takeChunk() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &chunk)
        return taken
    }

    /// Hands the markup built in `chunk` to libxml2 and keeps the emptied buffer for the next item.
    func write(_ chunk: inout [UInt8]) throws {
        if !chunk.isEmpty {
            try chunk.withUnsafeBufferPointer { try check(xmlTextWriterWriteRawLen(writer, $0.baseAddress!, Int32($0.count))) }
        }
        chunk.removeAll(keepingCapacity: true)
        swap(&chunk, &self.chunk)
    }

    /// Appends `<g:id>value</g:id>`, the value escaped by libxml2.
    static func appendTextElement(_ tag: ElementTag, _ value: String, to chunk: inout [UInt8]) throws {
        if let done = try value.utf8.withContiguousStorageIfAvailable({ try appendTextElement(tag.parts, bytes: $0, to: &chunk) }) {
            _ = done
        } else {
            var copy = value
            try copy.withUTF8 { try appendTextElement(tag.parts, bytes: $0, to: &chunk) }
        }
    }

    /// The same for a value given as UTF-8 bytes.
    @inline(__always)
    static func appendTextElement(_ tag: ElementTag.Parts, bytes: UnsafeBufferPointer<UInt8>, to chunk: inout [UInt8]) throws {
        chunk.append(contentsOf: tag.open)
        try appendText(bytes, tag.escapes, to: &chunk)
        chunk.append(contentsOf: tag.close)
    }

    /// Text as XML character data. A value without any character libxml2's escaping would change
    /// (`& < > "` and CR) goes in as it is: escaping it would give the same bytes. Otherwise libxml2
    /// escapes it; neighbouring items share product-level values (categories, product type,
    /// descriptions), so each element keeps its last input and libxml2's result.
    private static func appendText(_ v: UnsafeBufferPointer<UInt8>, _ cache: UnsafeMutablePointer<ElementTag.LastEscape>, to chunk: inout [UInt8]) throws {
        guard !v.isEmpty, ByteScan.hasXMLMarkup(v) else {
            chunk.append(contentsOf: v)
            return
        }
        if cache.pointee.input.count == v.count, cache.pointee.input.withUnsafeBufferPointer({ memcmp($0.baseAddress!, v.baseAddress!, v.count) == 0 }) {
            chunk.append(contentsOf: cache.pointee.escaped)
            return
        }
        // libxml2 escapes from a NUL-terminated copy (withUTF8's buffer need not end in NUL).
        let escaped: UnsafeMutablePointer<xmlChar>? = withUnsafeTemporaryAllocation(of: xmlChar.self, capacity: v.count + 1) { c in
            _ = c.initialize(from: v)
            c[v.count] = 0
            return xmlEncodeSpecialChars(nil, c.baseAddress!)
        }
        guard let escaped else { throw FeedError("error: libxml2 could not escape a value (out of memory)") }
        defer { free(escaped) }
        let result = UnsafeBufferPointer(start: escaped, count: strlen(UnsafeRawPointer(escaped).assumingMemoryBound(to: CChar.self)))
        chunk.append(contentsOf: result)
        cache.pointee.input = Array(v)
        cache.pointee.escaped = Array(result)
    }

    /// Values must be XML-safe already (`FeedItem` cleans them once).
    func element(_ name: String, _ value: String) throws {
        try name.withCString { n in
            try value.withCString { v in
                try check(
                    xmlTextWriterWriteElement(
                        writer, UnsafeRawPointer(n).assumingMemoryBound(to: xmlChar.self),
                        UnsafeRawPointer(v).assumingMemoryBound(to: xmlChar.self)))
            }
        }
    }

    /// Closes the document and flushes it into the file (which the caller then finishes and commits).
    func close() throws {
        try check(xmlTextWriterEndDocument(writer))
        try check(xmlTextWriterFlush(writer))
    }

    private func check(_ result: Int32) throws {
        if result < 0 { throw file.failure ?? FeedError("\(file.path): error: cannot write the XML feed (libxml2 error)") }
    }
}

/// The start and end tags of a text-only element, built once (`<g:id>`, `</g:id>`), and the last
/// value with markup written in it with libxml2's escaping of it.
final class ElementTag {
    struct LastEscape {
        var input: [UInt8] = []
        var escaped: [UInt8] = []
    }

    /// What writing an element needs, as plain pointers (valid while the tag lives): a writer walks
    /// these for every element of every item without reference counting.
    struct Parts {
        let open: UnsafeBufferPointer<UInt8>
        let close: UnsafeBufferPointer<UInt8>
        let escapes: UnsafeMutablePointer<LastEscape>
    }

    let parts: Parts

    /// `name` must be an XML name (templates are checked when they are read).
    init(_ name: String) {
        func bytes(_ text: String) -> UnsafeBufferPointer<UInt8> {
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.utf8.count)
            _ = buffer.initialize(from: text.utf8)
            return UnsafeBufferPointer(buffer)
        }
        let escapes = UnsafeMutablePointer<LastEscape>.allocate(capacity: 1)
        escapes.initialize(to: LastEscape())
        parts = Parts(open: bytes("<\(name)>"), close: bytes("</\(name)>"), escapes: escapes)
    }

    deinit {
        parts.open.deallocate()
        parts.close.deallocate()
        parts.escapes.deinitialize(count: 1)
        parts.escapes.deallocate()
    }
}
