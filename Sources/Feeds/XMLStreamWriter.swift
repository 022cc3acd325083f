import CLibXML2
import Catalog
import Foundation
import Import

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

    /// `<g:id>value</g:id>` for a feed attribute: the constant tags (`tag`, built once per column from
    /// a checked XML name) go out as they are, the value through libxml2's `xmlTextWriterWriteString`,
    /// which escapes it. Half the work of `xmlTextWriterWriteElement`, which copies the name and keeps a
    /// stack entry for an element that holds only text.
    ///
    /// A value without any character libxml2's escaping would change (`& < > "` and CR) goes to the
    /// writer as it is: escaping it would give the same bytes, after a copy and a scan libxml2 makes
    /// for every string.
    func textElement(_ tag: ElementTag, _ value: String) throws {
        try check(xmlTextWriterWriteRawLen(writer, tag.open, tag.openLength))
        var value = value
        try value.withUTF8 { v in
            if v.isEmpty { return }
            if ByteScan.hasXMLMarkup(v) {
                // libxml2 escapes it, from a NUL-terminated copy (withUTF8's buffer need not end in NUL).
                try withUnsafeTemporaryAllocation(of: xmlChar.self, capacity: v.count + 1) { c in
                    _ = c.initialize(from: v)
                    c[v.count] = 0
                    try check(xmlTextWriterWriteString(writer, c.baseAddress!))
                }
            } else {
                try check(xmlTextWriterWriteRawLen(writer, v.baseAddress!, Int32(v.count)))
            }
        }
        try check(xmlTextWriterWriteRawLen(writer, tag.close, tag.closeLength))
    }

    /// Values must be XML-safe already (`FeedItem` cleans them once).
    func element(_ name: String, _ value: String) throws {
        try name.withCString { n in
            try value.withCString { v in
                try check(xmlTextWriterWriteElement(writer, UnsafeRawPointer(n).assumingMemoryBound(to: xmlChar.self),
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

/// The start and end tags of a text-only element, built once (`<g:id>`, `</g:id>`).
final class ElementTag {
    let open: UnsafeMutablePointer<xmlChar>
    let close: UnsafeMutablePointer<xmlChar>
    let openLength: Int32
    let closeLength: Int32

    /// `name` must be an XML name (templates are checked when they are read).
    init(_ name: String) {
        func bytes(_ text: String) -> (UnsafeMutablePointer<xmlChar>, Int32) {
            let utf8 = Array(text.utf8)
            let pointer = UnsafeMutablePointer<xmlChar>.allocate(capacity: utf8.count + 1)
            pointer.initialize(from: utf8, count: utf8.count)
            pointer[utf8.count] = 0
            return (pointer, Int32(utf8.count))
        }
        (open, openLength) = bytes("<\(name)>")
        (close, closeLength) = bytes("</\(name)>")
    }

    deinit {
        open.deallocate()
        close.deallocate()
    }
}
