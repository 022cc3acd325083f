import CLibXML2
public import Catalog
public import Config
import Formats
import Foundation
public import StorePort

/// Google Shopping XML feeds, RSS 2.0 (`<rss><channel><item>`) or Atom 1.0 (`<feed><entry>`) with the
/// `g:` namespace, read item by item through libxml2's streaming reader: memory stays flat whatever the
/// file's size.
///
/// Nothing outside the file is read: no network, no DTD loading, and entities are not substituted (a
/// reference to an entity the file declares itself rejects its item), so no external entity and no
/// "billion laughs". `g:` elements are the item's attributes; RSS's own `<title>`, `<link>` and
/// `<description>` (Atom's `<title>`, `<link href>`, `<summary>`, `<content>`) count where no `g:` one
/// is given; group elements (`g:shipping`) become `sub=value` pairs joined by `;`. Elements of other
/// namespaces are ignored, each name said once.
final class GoogleXMLFeedReader {
    static let googleNamespace = "http://base.google.com/ns/1.0"
    /// Google's namespace for custom attributes (`c:`), from the Google Base days.
    static let customNamespace = "http://base.google.com/cns/1.0"
    static let atomNamespace = "http://www.w3.org/2005/Atom"

    enum Dialect: String { case rss = "RSS 2.0", atom = "Atom 1.0" }

    private enum Role {
        /// A `g:` (or `c:`) attribute.
        case google(name: String, label: String)
        /// RSS's or Atom's own element standing in for a Google attribute.
        case fallback(name: String, label: String)
        case ignored(label: String)
        /// RSS's or Atom's own bookkeeping (`<guid>`, `<updated>`): nothing to say.
        case quiet
    }

    /// The item elements RSS 2.0 and Atom 1.0 define that say nothing about the product.
    static let rssItemElements: Set<String> = ["guid", "pubdate", "author", "category", "comments", "enclosure", "source"]
    static let atomEntryElements: Set<String> = ["id", "updated", "published", "author", "category", "contributor", "rights", "source"]

    /// The first error libxml2 reports, with its line.
    private final class ErrorBox {
        var message: String?
        var line = 0
    }

    let file: String
    private let reader: xmlTextReaderPtr
    private let errors = ErrorBox()
    private(set) var dialect: Dialect?
    /// Warnings about the file as a whole (an ignored element), each said once.
    private(set) var warnings: [InputError] = []
    private var ignoredSaid: Set<String> = []
    /// Element roles by libxml2's interned name and namespace pointers (one lookup per element).
    private var roles: [RoleKey: Role] = [:]

    private struct RoleKey: Hashable {
        var name: UInt
        var namespace: UInt
    }

    init(path: String, file: String) throws {
        self.file = file
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_NOWARNING.rawValue)
        guard FileManager.default.isReadableFile(atPath: path), let reader = xmlReaderForFile(path, nil, options) else {
            throw InputError("cannot open the file", at: .wholeFile(file))
        }
        self.reader = reader
        xmlTextReaderSetStructuredErrorHandler(
            reader,
            { context, error in
                guard let context, let error else { return }
                let box = Unmanaged<ErrorBox>.fromOpaque(context).takeUnretainedValue()
                guard box.message == nil, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
                box.message = error.pointee.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "not well-formed"
                box.line = Int(error.pointee.line)
            }, Unmanaged.passUnretained(errors).toOpaque())
    }

    deinit { xmlFreeTextReader(reader) }

    private var line: Int { Int(xmlGetLineNo(xmlTextReaderCurrentNode(reader))) }

    private func read() throws -> Bool {
        let status = xmlTextReaderRead(reader)
        if status == 1 { return true }
        if status == 0 && errors.message == nil { return false }
        let line = errors.line > 0 ? errors.line : Int(xmlTextReaderGetParserLineNumber(reader))
        throw InputError(
            "the XML is not well-formed: \(errors.message ?? "read error") (nothing was imported)",
            at: InputLocation(file: file, line: line))
    }

    private func string(_ pointer: UnsafePointer<xmlChar>?) -> String? { pointer.map { String(cString: $0) } }

    /// The next item, or `nil` at the end of the feed.
    func next() throws -> GoogleItem? {
        var item: GoogleItem?
        var itemDepth = 0
        // The attribute being read: its role, line, text, and the children of a group.
        var current: (role: Role, line: Int, text: String, subs: [(String, String)])?
        var sub: (name: String, text: String)?
        while try read() {
            let type = xmlTextReaderNodeType(reader)
            let depth = Int(xmlTextReaderDepth(reader))
            switch type {
            case 1:  // element
                let localName = xmlTextReaderConstLocalName(reader)
                let namespace = xmlTextReaderConstNamespaceUri(reader)
                guard let dialect else {
                    try startDocument(localName: string(localName) ?? "", namespace: string(namespace))
                    continue
                }
                guard item != nil else {
                    if isItem(localName, namespace, dialect) {
                        item = GoogleItem(line: line)
                        itemDepth = depth
                        if xmlTextReaderIsEmptyElement(reader) == 1 { return item }
                    }
                    continue
                }
                if depth == itemDepth + 1 {
                    let role = self.role(localName, namespace)
                    current = (role, line, "", [])
                    if case .fallback(let name, _) = role, name == "link", dialect == .atom {
                        current!.text = atomLink() ?? ""
                    }
                    if xmlTextReaderIsEmptyElement(reader) == 1 {
                        finish(current!, into: &item!)
                        current = nil
                    }
                } else if depth == itemDepth + 2, current != nil {
                    sub = (string(localName) ?? "", "")
                    if xmlTextReaderIsEmptyElement(reader) == 1 { sub = nil }
                }
            case 3, 4, 13, 14:  // text, CDATA, whitespace
                guard current != nil, let value = xmlTextReaderConstValue(reader) else { continue }
                if sub != nil {
                    sub!.text += String(cString: value)
                } else if depth == itemDepth + 2 {
                    current!.text += String(cString: value)
                }
            case 5:  // an entity reference the file declares itself: not expanded
                guard item != nil else { continue }
                let name = string(xmlTextReaderConstName(reader)) ?? ""
                let label: String? =
                    switch current?.role {
                    case .google(_, let label), .fallback(_, let label), .ignored(let label): label
                    case .quiet, nil: nil
                    }
                item!.errors.append(
                    InputError(
                        "the entity &\(name); is not expanded: a feed's own entities are off (no file or network reads); write the text itself",
                        at: InputLocation(file: file, line: line), column: label, found: "&\(name);"))
            case 15:  // end of element
                guard item != nil else { continue }
                if depth == itemDepth {
                    return item
                } else if depth == itemDepth + 1, let attribute = current {
                    finish(attribute, into: &item!)
                    current = nil
                } else if depth == itemDepth + 2, let done = sub {
                    current?.subs.append((done.name, done.text.trimmingCharacters(in: .whitespacesAndNewlines)))
                    sub = nil
                }
            default:
                break
            }
        }
        if item != nil {
            throw InputError("the file ends inside an item (truncated?); nothing was imported", at: InputLocation(file: file, line: item!.line))
        }
        if dialect == nil {
            throw InputError("empty file: expected a Google feed (RSS 2.0 or Atom 1.0)", at: InputLocation(file: file, line: 1))
        }
        return nil
    }

    private func startDocument(localName: String, namespace: String?) throws {
        if localName == "rss" && namespace == nil {
            dialect = .rss
        } else if localName == "feed" && namespace == Self.atomNamespace {
            dialect = .atom
        } else {
            throw InputError(
                "expected a Google feed: an RSS 2.0 <rss> or an Atom 1.0 <feed> root element", at: InputLocation(file: file, line: line),
                found: "<\(localName)>" + (namespace.map { " in \($0)" } ?? ""))
        }
    }

    private func isItem(_ localName: UnsafePointer<xmlChar>?, _ namespace: UnsafePointer<xmlChar>?, _ dialect: Dialect) -> Bool {
        guard let name = string(localName) else { return false }
        switch dialect {
        case .rss: return name == "item" && namespace == nil
        case .atom: return name == "entry" && string(namespace) == Self.atomNamespace
        }
    }

    /// What an item's child element is, looked up once per distinct name.
    private func role(_ localName: UnsafePointer<xmlChar>?, _ namespace: UnsafePointer<xmlChar>?) -> Role {
        let key = RoleKey(name: UInt(bitPattern: localName), namespace: UInt(bitPattern: namespace))
        if let known = roles[key] { return known }
        let name = (string(localName) ?? "").lowercased()
        let label = string(xmlTextReaderConstName(reader)) ?? name
        let role: Role
        switch string(namespace) {
        case Self.googleNamespace?, Self.customNamespace?: role = .google(name: name, label: label)
        case nil where ["title", "link", "description"].contains(name): role = .fallback(name: name, label: label)
        case Self.atomNamespace? where ["title", "link"].contains(name): role = .fallback(name: name, label: label)
        case Self.atomNamespace? where ["summary", "content"].contains(name): role = .fallback(name: "description", label: label)
        case nil where Self.rssItemElements.contains(name), Self.atomNamespace? where Self.atomEntryElements.contains(name): role = .quiet
        default: role = .ignored(label: label)
        }
        roles[key] = role
        return role
    }

    /// Atom's `<link href="…">` (the alternate one, or one without `rel`).
    private func atomLink() -> String? {
        var rel: String?
        if xmlTextReaderMoveToAttribute(reader, "rel") == 1 { rel = string(xmlTextReaderConstValue(reader)) }
        _ = xmlTextReaderMoveToElement(reader)
        guard rel == nil || rel == "alternate" else { return nil }
        defer { _ = xmlTextReaderMoveToElement(reader) }
        guard xmlTextReaderMoveToAttribute(reader, "href") == 1 else { return nil }
        return string(xmlTextReaderConstValue(reader))
    }

    private func finish(_ attribute: (role: Role, line: Int, text: String, subs: [(String, String)]), into item: inout GoogleItem) {
        let value = attribute.subs.isEmpty ? attribute.text : attribute.subs.filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
        switch attribute.role {
        case .google(let name, let label):
            item.attributes.append(GoogleItem.Attribute(name: name, label: label, value: value, line: attribute.line))
        case .fallback(let name, let label):
            item.attributes.append(GoogleItem.Attribute(name: name, label: label, value: value, line: attribute.line, isGoogle: false))
        case .ignored(let label):
            if ignoredSaid.insert(label).inserted {
                warnings.append(
                    InputError(
                        "element <\(label)> is not one of Google's attributes (namespace \(Self.googleNamespace)): ignored in every item",
                        at: InputLocation(file: file, line: attribute.line), severity: .warning))
            }
        case .quiet:
            break
        }
    }
}

extension GoogleXMLFeedReader {
    /// Whether the file is XML (its first character after a byte-order mark and blanks is `<`), not a
    /// Google text feed or another CSV. A file that cannot be read is left to the CSV reader, which says
    /// why.
    static func sniff(path: String) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        var bytes = [UInt8]((try? handle.read(upToCount: 4096)) ?? Data())[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return true }  // UTF-16: only XML here
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return first == UInt8(ascii: "<")
    }
}

/// Reads a Google XML feed's items and maps them, handing records on in batches of 256. A rejected
/// item's `--rejects` row is its line and id.
struct GoogleXMLProducer: RecordProducer {
    let reader: GoogleXMLFeedReader
    var mapper: GoogleFeedMapper
    let keepsRawCells: Bool
    var usesImportScratch: Bool { false }

    mutating func run(_ emit: ([MappedRecord]) -> Bool) throws {
        var limits = ChannelLimitWarnings(file: reader.file, titleColumn: "g:title", imageColumn: "g:image_link")
        var batch: [MappedRecord] = []
        batch.reserveCapacity(256)
        var warningsSaid = 0
        var pendingWarnings: [InputError] = []
        func append(_ record: inout MappedRecord) {
            if !pendingWarnings.isEmpty {
                record.warnings = pendingWarnings + record.warnings
                pendingWarnings.removeAll()
            }
            limits.check(&record)
            if record.errors.isEmpty, case .catalog(_, let variant?) = record.payload { record.contentHash = variant.contentHash }
            batch.append(record)
        }
        while let item = try reader.next() {
            let id = item.attributes.first { $0.name == "id" && $0.isGoogle }?.value ?? ""
            let source = SourceRow(line: item.line, fields: keepsRawCells ? [String(item.line), id] : [])
            if reader.warnings.count > warningsSaid {
                // The file's own warnings (each said once) go out with the next record.
                pendingWarnings += reader.warnings[warningsSaid...]
                warningsSaid = reader.warnings.count
            }
            for var record in mapper.consume(item, source: source) {
                append(&record)
            }
            if batch.count >= 256 {
                guard emit(batch) else { return }
                batch.removeAll(keepingCapacity: true)
            }
        }
        for var record in mapper.finish() { append(&record) }
        _ = emit(batch)
    }
}

/// A Google XML feed mapped item by item as the importer maps it, without a store (fuzzing, tests).
public enum GoogleXMLFeed {
    /// Hands each record of the feed at `path` to `body`; throws what the reader throws.
    public static func forEachRecord(path: String, config: UnifeedConfig, _ body: (MappedRecord) -> Void) throws {
        var producer = GoogleXMLProducer(
            reader: try GoogleXMLFeedReader(path: path, file: path), mapper: GoogleFeedMapper(file: path, config: config, prefix: "g:"),
            keepsRawCells: false)
        try producer.run { batch in
            batch.forEach(body)
            return true
        }
    }
}
