import CLibXML2
import Catalog
import Foundation

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

    /// Values must be XML-safe already (`FeedItem` cleans them once).
    func element(_ name: UnsafePointer<CChar>, _ value: String) throws {
        try value.withCString { v in
            try check(xmlTextWriterWriteElement(writer, UnsafeRawPointer(name).assumingMemoryBound(to: xmlChar.self),
                                                UnsafeRawPointer(v).assumingMemoryBound(to: xmlChar.self)))
        }
    }

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
