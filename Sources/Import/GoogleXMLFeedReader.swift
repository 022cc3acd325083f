import CLibXML2
public import Catalog
public import Config
import Formats
import Foundation
import Pipeline
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
        case google(name: String, label: String, field: GoogleField?)
        /// RSS's or Atom's own element standing in for a Google attribute.
        case fallback(name: String, label: String, field: GoogleField?)
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
    private var ignoredSaid: Set<String> = []
    /// Element roles by libxml2's interned name and namespace pointers (one lookup per element), as
    /// indexes into `roleTable`.
    private var roles: [RoleKey: Int] = [:]
    private var roleTable: [Role] = []
    /// The roles of the last item's children by position: items repeat the same elements in the same
    /// order, so most elements need no hashing at all.
    private var sequence: [(key: RoleKey, role: Int)] = []

    /// An item's child element being read.
    private struct OpenAttribute {
        var role: Int
        var line: Int
        var text = ""
        var subs: [(String, String)] = []
    }

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
        // The attribute being read, and the child of a group being read (a plain struct and flags: an
        // optional tuple of strings went through the runtime's generic paths on every node).
        var current: OpenAttribute?
        var children = 0
        var inSub = false
        var subName = ""
        var subText = ""
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
                    let role = self.role(localName, namespace, position: children)
                    children += 1
                    current = OpenAttribute(role: role, line: line)
                    if dialect == .atom, case .fallback(_, _, .link) = roleTable[role] {
                        current!.text = atomLink() ?? ""
                    }
                    if xmlTextReaderIsEmptyElement(reader) == 1 {
                        finish(current!, into: &item!)
                        current = nil
                    }
                } else if depth == itemDepth + 2, current != nil, xmlTextReaderIsEmptyElement(reader) != 1 {
                    inSub = true
                    subName = string(localName) ?? ""
                    subText = ""
                }
            case 3, 4, 13, 14:  // text, CDATA, whitespace
                guard current != nil, let value = xmlTextReaderConstValue(reader) else { continue }
                if inSub {
                    subText += String(cString: value)
                } else if depth == itemDepth + 2 {
                    if current!.text.isEmpty {
                        current!.text = String(cString: value)
                    } else {
                        current!.text += String(cString: value)
                    }
                }
            case 5:  // an entity reference the file declares itself: not expanded
                guard item != nil else { continue }
                let name = string(xmlTextReaderConstName(reader)) ?? ""
                let label: String? =
                    switch current.map({ roleTable[$0.role] }) {
                    case .google(_, let label, _), .fallback(_, let label, _), .ignored(let label): label
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
                } else if depth == itemDepth + 2, inSub {
                    current?.subs.append((subName, subText.trimmingCharacters(in: .whitespacesAndNewlines)))
                    inSub = false
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
    private func role(_ localName: UnsafePointer<xmlChar>?, _ namespace: UnsafePointer<xmlChar>?, position: Int) -> Int {
        let key = RoleKey(name: UInt(bitPattern: localName), namespace: UInt(bitPattern: namespace))
        if position < sequence.count, sequence[position].key == key { return sequence[position].role }
        let found = lookUpRole(localName, namespace, key: key)
        if position < sequence.count {
            sequence[position] = (key, found)
        } else if position == sequence.count {
            sequence.append((key, found))
        }
        return found
    }

    private func lookUpRole(_ localName: UnsafePointer<xmlChar>?, _ namespace: UnsafePointer<xmlChar>?, key: RoleKey) -> Int {
        if let known = roles[key] { return known }
        let name = (string(localName) ?? "").lowercased()
        let label = string(xmlTextReaderConstName(reader)) ?? name
        let role: Role
        switch string(namespace) {
        case Self.googleNamespace?, Self.customNamespace?: role = .google(name: name, label: label, field: GoogleField(name: name))
        case nil where ["title", "link", "description"].contains(name): role = .fallback(name: name, label: label, field: GoogleField(name: name))
        case Self.atomNamespace? where ["title", "link"].contains(name): role = .fallback(name: name, label: label, field: GoogleField(name: name))
        case Self.atomNamespace? where ["summary", "content"].contains(name):
            role = .fallback(name: "description", label: label, field: .description)
        case nil where Self.rssItemElements.contains(name), Self.atomNamespace? where Self.atomEntryElements.contains(name): role = .quiet
        default: role = .ignored(label: label)
        }
        roleTable.append(role)
        roles[key] = roleTable.count - 1
        return roleTable.count - 1
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

    private func finish(_ attribute: OpenAttribute, into item: inout GoogleItem) {
        let value = attribute.subs.isEmpty ? attribute.text : attribute.subs.filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1)" }.joined(separator: ";")
        switch roleTable[attribute.role] {
        case .google(let name, let label, let field):
            item.attributes.append(GoogleItem.Attribute(name: name, label: label, value: value, line: attribute.line, isGoogle: true, field: field))
        case .fallback(let name, let label, let field):
            item.attributes.append(GoogleItem.Attribute(name: name, label: label, value: value, line: attribute.line, isGoogle: false, field: field))
        case .ignored(let label):
            if ignoredSaid.insert(label).inserted {
                item.warnings.append(
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

    /// The consumer stopped taking records.
    private struct Stopped: Error {}

    /// Parsing and mapping each take about half of an item's time, so they run on two threads: libxml2
    /// and the items on a thread of its own, the mapping on the calling one (docs/PERFORMANCE.md,
    /// issue 19).
    mutating func run(_ emit: ([MappedRecord]) -> Bool) throws {
        var limits = ChannelLimitWarnings(file: reader.file, titleColumn: "g:title", imageColumn: "g:image_link")
        var batch: [MappedRecord] = []
        batch.reserveCapacity(256)
        func append(_ record: inout MappedRecord) {
            limits.check(&record)
            if record.errors.isEmpty, case .catalog(_, let variant?) = record.payload { record.contentHash = variant.contentHash }
            batch.append(record)
        }
        let items = BoundedPipe<[GoogleItem]>()
        let reading = UnsafeTransfer(reader)
        Workers.startProducer(into: items) { pipe in
            let reader = reading.value
            var read: [GoogleItem] = []
            read.reserveCapacity(256)
            while let item = try reader.next() {
                read.append(item)
                if read.count >= 256 {
                    guard pipe.put(.batch(read)) else { return }
                    read = []
                    read.reserveCapacity(256)
                }
            }
            pipe.put(.batch(read))
        }
        let keepsRawCells = self.keepsRawCells
        do {
            try Workers.drain(items) { read in
                for item in read {
                    let id = keepsRawCells ? item.attributes.first { $0.field == .id && $0.isGoogle }?.value ?? "" : ""
                    let source = SourceRow(line: item.line, fields: keepsRawCells ? [String(item.line), id] : [])
                    for var record in mapper.consume(item, source: source) { append(&record) }
                }
                if batch.count >= 256 {
                    guard emit(batch) else { throw Stopped() }
                    batch.removeAll(keepingCapacity: true)
                }
            }
        } catch is Stopped {
            return
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
