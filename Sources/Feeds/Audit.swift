public import CLibXML2
public import Catalog
public import Config
import Crypto
public import Formats
public import Foundation
public import Pipeline
public import StorePort

/// A value a published file shows that the catalog does not.
public struct AuditFinding: Sendable, Hashable {
    public var file: String
    public var line: Int
    public var sku: String
    public var column: String
    public var expected: String
    public var found: String

    /// A finding about a whole file (`line` 0): its bytes are not the ones published, or it is missing.
    public var fileProblem: String?

    /// `FILE:LINE: error: COLUMN: SKU shows FOUND, the catalog says EXPECTED`; for a whole file
    /// `FILE: error: sha256: what is wrong`.
    public var description: String {
        if let fileProblem { return "\(file): error: \(column): \(fileProblem)" }
        return
            "\(file):\(line): error: \(column): \(sku) shows \(InputError.displayValue(found.isEmpty ? "(empty)" : found)), the catalog says \(InputError.displayValue(expected.isEmpty ? "(empty)" : expected))"
    }
}

/// Reads published feeds back and checks each SKU's price, sale price and its window, availability,
/// quantity and promotion ids against the store, at the moment the feeds were published
/// (`generated_at` of the report), and the promotions file promotion by promotion.
public struct Auditor {
    /// The fields audit compares wherever a channel writes them.
    static let audited: Set<String> = [
        "price", "price_amount", "sale_price", "sale_price_amount", "sale_strikethrough_amount", "effective_price",
        "effective_price_amount", "availability", "quantity", "sale_price_effective_date", "promotion_id",
    ]

    let store: any CatalogStore
    let config: UnifeedConfig
    let channels: [ChannelDefinition]

    /// Show a progress line per file on stderr (only when stderr is a terminal).
    public var progress = false

    public init(store: any CatalogStore, config: UnifeedConfig, channels: [ChannelDefinition]) {
        self.store = store
        self.config = config
        self.channels = channels
    }

    /// Audits every file the last publish into `outDir` wrote; returns the rows checked and the findings.
    public func run(outDir: String) throws -> (rows: Int, findings: [AuditFinding]) {
        let reportPath = (outDir as NSString).appendingPathComponent("publish-report.json")
        guard let data = FileManager.default.contents(atPath: reportPath),
            let report = try? JSONReader.parse([UInt8](data), file: reportPath),
            let generated = report["generated_at"]?.string,
            let entries = report["channels"]?.array
        else {
            throw FeedError("\(reportPath): error: no readable publish report; publish first")
        }
        // Every file's SHA-256 is a task of its own, run on every core beside the read-back; every
        // output's file is read back against one scan of the catalog shared by all of them (each output
        // on a thread of its own behind a bounded pipe, as publish writes them), so the catalog is read
        // once, not once per output.
        var hashes: [() -> [AuditFinding]] = []
        /// Each hash task's file and its expected SHA-256.
        var hashed: [(path: String, sha256: String)] = []
        var outputs: [OutputAudit] = []
        var promotionChecks: [() throws -> (rows: Int, findings: [AuditFinding])] = []
        var order: [(kind: Int, index: Int)] = []  // the report's order: 0 hash, 1 output, 2 promotions
        for entry in entries {
            guard let name = entry["channel"]?.string, let channel = channels.first(where: { $0.name == name }) else { continue }
            // Each channel at the moment and with the config of its own last publish.
            let now = try Timestamp.parse(entry["generated_at"]?.string ?? generated, timeZone: config.shop.timeZone)
            if let published = entry["config_sha256"]?.string ?? report["config_sha256"]?.string, published != config.digest {
                throw FeedError(
                    "\(reportPath): error: \(name) was published with another config (sha256 \(published.prefix(12))…) than this one (\(config.digest == "built-in" ? "the built-in defaults" : "sha256 \(config.digest.prefix(12))…")); audit with the --config the publish used"
                )
            }
            // First the files themselves: each must be the one published, byte for byte.
            for file in entry["files"]?.array ?? [] {
                guard let path = file["path"]?.string, let sha256 = file["sha256"]?.string else { continue }
                let full = (outDir as NSString).appendingPathComponent(path)
                order.append((0, hashes.count))
                hashed.append((full, sha256))
                hashes.append {
                    guard let problem = Auditor.changed(full, expected: sha256) else { return [] }
                    return [AuditFinding(file: full, line: 0, sku: "", column: "sha256", expected: sha256, found: "", fileProblem: problem)]
                }
            }
            let files = (entry["files"]?.array ?? []).compactMap { $0["path"]?.string }
            for output in channel.outputs {
                let paths = output.publishedPaths(channel: name, outDir: outDir, listed: Set(files))
                guard !paths.isEmpty else { continue }
                if channel.scope == .promotions {
                    order.append((2, promotionChecks.count))
                    promotionChecks.append { try auditPromotions(path: paths[0], now: now) }
                } else {
                    order.append((1, outputs.count))
                    outputs.append(try OutputAudit(paths: paths, output: output, channel: channel, settings: config.settings(for: name), shop: config.shop, now: now))
                }
            }
        }
        // Files the read-back reads are hashed as it reads them; the others (gzip twins, promotions) on
        // the other core meanwhile, and any the read-back did not read to the end afterwards.
        let readBackPaths = Set(outputs.flatMap { $0.digests.keys })
        let results = HashResults(count: hashes.count)
        let hashing = DispatchGroup()
        let early = hashed.indices.filter { !readBackPaths.contains(hashed[$0].path) }
        let hashWork = UnsafeTransfer((hashes, early))
        DispatchQueue.global(qos: .utility).async(group: hashing) {
            DispatchQueue.concurrentPerform(iterations: hashWork.value.1.count) { n in
                let i = hashWork.value.1[n]
                results.set(i, hashWork.value.0[i]())
            }
        }
        try readBack(outputs)
        var promotionResults: [(rows: Int, findings: [AuditFinding])] = []
        for check in promotionChecks { promotionResults.append(try check()) }
        hashing.wait()
        var digests: [String: FileDigest] = [:]
        for output in outputs { digests.merge(output.digests) { a, _ in a } }
        for i in hashed.indices where readBackPaths.contains(hashed[i].path) {
            let (path, sha256) = hashed[i]
            if let digest = digests[path], digest.complete {
                let found = digest.hex
                if found != sha256 {
                    results.set(
                        i,
                        [
                            AuditFinding(
                                file: path, line: 0, sku: "", column: "sha256", expected: sha256, found: "",
                                fileProblem: Auditor.changedMessage(found: found, expected: sha256))
                        ])
                }
            } else {
                results.set(i, hashes[i]())
            }
        }
        let hashFindings = results.all
        var rows = 0
        var findings: [AuditFinding] = []
        for (kind, i) in order {
            switch kind {
            case 0: findings += hashFindings[i]
            case 1:
                rows += outputs[i].rows
                findings += outputs[i].findings
            default:
                rows += promotionResults[i].rows
                findings += promotionResults[i].findings
            }
        }
        return (rows, findings)
    }

    /// Why the file at `path` is not the one published with `expected` as its SHA-256 (hashed in
    /// chunks, memory flat whatever its size), or `nil` when it is.
    static func changed(_ path: String, expected: String) -> String? {
        guard FileManager.default.fileExists(atPath: path), let source = try? UncachedFileByteSource(path: path) else {
            return "the published file is missing"
        }
        var hasher = SHA256()
        while let bytes = try? source.nextBytes(), !bytes.isEmpty { hasher.update(bufferPointer: bytes) }
        let found = hasher.finalize().hex
        guard found != expected else { return nil }
        return changedMessage(found: found, expected: expected)
    }

    static func changedMessage(found: String, expected: String) -> String {
        "the file is not the one published (its SHA-256 is \(found), the report says \(expected)): it was changed after the publish"
    }

    /// The promotions file against the store: each promotion the feed should list at `now`, element by
    /// element (a repeated one as its values joined with `|`), and nothing else.
    private func auditPromotions(path: String, now: Timestamp) throws -> (rows: Int, findings: [AuditFinding]) {
        let listed = GooglePromotionsFeed.listed(try store.reading { try $0.promotions() }, now: now)
        var expected: [String: [String: String]] = [:]
        for p in listed {
            var values: [String: String] = [:]
            for (name, value) in GooglePromotionsFeed.elements(p, shop: config.shop) {
                let written = FeedText.xmlSafe(value)  // as the writer puts it
                values[name] = values[name].map { $0 + "|" + written } ?? written
            }
            expected[p.id] = values
        }
        var reader = try GooglePromotionsFormat.reader(path: path, digest: nil)
        var findings: [AuditFinding] = []
        var rows = 0
        var seen: Set<String> = []
        while let row = try reader.next() {
            rows += 1
            let id = row.values["promotion_id"] ?? ""
            seen.insert(id)
            guard let wanted = expected[id] else {
                findings.append(AuditFinding(file: path, line: row.line, sku: id, column: "promotion_id", expected: "(not listed)", found: id))
                continue
            }
            for name in Set(wanted.keys).union(row.values.keys).sorted() where wanted[name] != row.values[name] {
                findings.append(AuditFinding(file: path, line: row.line, sku: id, column: name, expected: wanted[name] ?? "", found: row.values[name] ?? ""))
            }
        }
        for id in expected.keys.sorted() where !seen.contains(id) {
            findings.append(AuditFinding(file: path, line: 0, sku: id, column: "promotion_id", expected: id, found: ""))
        }
        return (rows, findings)
    }

    /// One scan of the catalog (one read transaction, ordered as publish wrote the files) handed to
    /// every output's read-back, each on a thread of its own behind a bounded pipe.
    private func readBack(_ outputs: [OutputAudit]) throws {
        guard !outputs.isEmpty else { return }
        let broadcast = Workers.Broadcast<[VariantView]>(consumers: outputs.count)
        try broadcast.run {
            try store.reading { snapshot in
                let stores = try snapshot.stores()
                let markdowns = Markdowns(try snapshot.promotions())
                for (i, audit) in outputs.enumerated() {
                    audit.stores = stores
                    audit.markdowns = markdowns
                    let context = UnsafeTransfer(audit)
                    broadcast.startConsumer(i) { views in
                        try views.withUnsafeBufferPointer { views in
                            for i in views.indices { try context.value.consume(at: views.baseAddress! + i) }
                        }
                    }
                }
                // The total is a count over the catalog: only worth it when a terminal shows the line.
                let shown = progress && TerminalProgress.stderrIsTerminal
                let bar = TerminalProgress(label: "audit", unit: "SKUs", total: shown ? try snapshot.counts().variants : nil, enabled: shown)
                defer { bar.finish() }
                var batch: [VariantView] = []
                batch.reserveCapacity(256)
                var read = 0
                let rows = try snapshot.feedRows(locations: nil)
                while let v = try rows.next() {
                    read += 1
                    if read % 4096 == 0 { bar.update(read) }
                    batch.append(v)
                    if batch.count == 256 {
                        broadcast.send(batch)
                        batch = []
                        batch.reserveCapacity(256)
                    }
                }
                if !batch.isEmpty { broadcast.send(batch) }
            }
        }
        for audit in outputs { try audit.finish() }
    }
}

/// The findings of the files' SHA-256 checks, each set once from the thread that ran it.
private final class HashResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [[AuditFinding]]

    init(count: Int) { results = Array(repeating: [], count: count) }

    func set(_ i: Int, _ findings: [AuditFinding]) { lock.withLock { results[i] = findings } }

    var all: [[AuditFinding]] { lock.withLock { results } }
}

/// One output's files read back against the catalog: the published rows come in catalog order, so
/// each SKU's rows are compared as the SKU goes by (a merge, not a lookup per row).
final class OutputAudit {
    let channel: ChannelDefinition
    let settings: ChannelSettings
    let shop: ShopConfig
    let now: Timestamp
    var stores: [StoreLocation] = []
    var markdowns = Markdowns()
    private var reader: any FeedRowReader
    private var path: String
    private let headers: [String]
    private let idHeader: String
    private let storeHeader: String?
    private let checked: [(column: ChannelDefinition.Column, header: String)]
    private var pending: FeedReaderRow?
    private(set) var findings: [AuditFinding] = []
    private(set) var rows = 0
    /// Each file's SHA-256 as the read-back read it (complete only when it read to the end).
    let digests: [String: FileDigest]

    init(paths: [String], output: ChannelDefinition.Output, channel: ChannelDefinition, settings: ChannelSettings, shop: ShopConfig, now: Timestamp) throws {
        self.channel = channel
        self.settings = settings
        self.shop = shop
        self.now = now
        path = paths[0]
        // Marketplace adapters have a fixed layout: what they show, as columns of canonical fields.
        let columns = output.readBackColumns
        let headerName = { (c: ChannelDefinition.Column) in output.writtenHeader(c, settings: settings) }
        // Rows are keyed by the header as written (`store code` under header_style = "spaces").
        idHeader = columns.first { $0.field == "id" }.map(headerName) ?? "id"
        storeHeader = columns.first { $0.field == "store_code" }.map(headerName)
        checked = columns.filter { Auditor.audited.contains($0.field) }.map { ($0, headerName($0)) }
        headers = [idHeader] + (storeHeader.map { [$0] } ?? []) + checked.map(\.header)
        let wanted = Set(headers)
        let digests = Dictionary(uniqueKeysWithValues: paths.map { ($0, FileDigest()) })
        self.digests = digests
        reader = try ChainedFeedReader(paths: paths) { path in
            var reader = try PublishedFeedReader.open(path: path, format: output.format, digest: digests[path])
            reader.keep(only: wanted)
            return reader
        }
    }

    private func compare(_ row: FeedReaderRow, _ expectedRow: some FeedRow, sku: String) {
        rows += 1
        path = row.file ?? path
        for (column, header) in checked {
            let expected = expectedRow.values(column.id).map { column.values[$0] ?? $0 }.joined(separator: ",")
            let found = row.values[header] ?? ""
            if found != expected {
                findings.append(AuditFinding(file: path, line: row.line, sku: sku, column: header, expected: expected, found: found))
            }
        }
    }

    private var first = true

    /// Reads the view in place: a view handed over as a value was copied on every output's thread (its
    /// strings retained and released: 3% of the samples for `swift_retain` alone at 1M variants).
    func consume(at v: UnsafePointer<VariantView>) throws {
        if first {
            first = false
            pending = try reader.next()
        }
        // Items the channel left out have no row: no item to build for them.
        guard let row = pending, row.values[idHeader] == v.pointee.sku.rawValue else { return }
        let item = FeedItem(
            at: v, channel: channel.name, settings: settings, shop: shop, now: now, markdowns: markdowns, inStore: channel.scope == .stores, offerOnly: true)
        while let row = pending, row.values[idHeader] == item.id {
            if let storeHeader {
                if let code = row.values[storeHeader], let location = stores.first(where: { $0.code == code }) {
                    withUnsafePointer(to: location) { location in
                        compare(row, LocalRow(item: item, store: location, settings: settings), sku: item.id)
                    }
                } else {
                    findings.append(
                        AuditFinding(
                            file: path, line: row.line, sku: item.id, column: storeHeader, expected: "a store", found: row.values[storeHeader] ?? ""))
                }
            } else {
                compare(row, item, sku: item.id)
            }
            pending = try reader.next()
        }
    }

    /// Rows left over name SKUs the catalog does not have (or out of order: tampered).
    func finish() throws {
        if first {
            first = false
            pending = try reader.next()
        }
        while let row = pending {
            rows += 1
            findings.append(
                AuditFinding(
                    file: row.file ?? path, line: row.line, sku: row.values[idHeader] ?? "", column: idHeader,
                    expected: "a SKU of the catalog, in catalog order", found: row.values[idHeader] ?? ""))
            pending = try reader.next()
        }
    }
}

extension ChannelDefinition.Output {
    /// The columns read back from a published file: a marketplace adapter's fixed layout, else the
    /// template's.
    var readBackColumns: [ChannelDefinition.Column] { format.adapter.auditColumns ?? columns }

    /// A column's header as the published file writes it (TSV and CSV headers with spaces for
    /// underscores when the channel says so; XML and JSON names as they are).
    func writtenHeader(_ column: ChannelDefinition.Column, settings: ChannelSettings) -> String {
        format != .tsv && format != .csv ? column.header : (settings.headerSpaces ? column.header.replacingOccurrences(of: "_", with: " ") : column.header)
    }

    /// This output's files of `channel` that the report lists (`listed`, as `CHANNEL/FILE`), in order:
    /// one file, or the numbered files of a split output (they follow the catalog's order). Stops at
    /// the first one missing from the folder (audit reports that file by its SHA-256 check).
    func publishedPaths(channel: String, outDir: String, listed: Set<String>) -> [String] {
        var paths: [String] = []
        var n = 1
        while listed.contains("\(channel)/\(fileName(n))") {
            let path = ((outDir as NSString).appendingPathComponent(channel) as NSString).appendingPathComponent(fileName(n))
            guard FileManager.default.fileExists(atPath: path) else { break }
            paths.append(path)
            if maxItems == nil { break }
            n += 1
        }
        return paths
    }
}

/// One row (or XML item) of a published file: its values by header (or `g:` element name).
struct FeedReaderRow {
    var line: Int
    var values: [String: String]
    /// The file, when a reader spans several.
    var file: String?
}

protocol FeedRowReader {
    mutating func next() throws -> FeedReaderRow?
    /// Audit reads only these values (by header or element name): a reader may leave the others out.
    mutating func keep(only keys: Set<String>)
}

extension FeedRowReader {
    mutating func keep(only keys: Set<String>) {}
}

/// The numbered files of a split output read as one sequence.
struct ChainedFeedReader: FeedRowReader {
    var paths: ArraySlice<String>
    let open: (String) throws -> any FeedRowReader
    var current: (any FeedRowReader)?
    var currentPath = ""

    init(paths: [String], open: @escaping (String) throws -> any FeedRowReader) throws {
        self.paths = paths[...]
        self.open = open
    }

    mutating func next() throws -> FeedReaderRow? {
        while true {
            if current == nil {
                guard let path = paths.popFirst() else { return nil }
                current = try open(path)
                currentPath = path
            }
            if var row = try current!.next() {
                row.file = currentPath
                return row
            }
            current = nil
        }
    }
}

/// TSV/CSV feeds, read with the import's CSV reader.
struct DelimitedFeedReader: FeedRowReader {
    let reader: CSVReader
    let header: [String]

    init(path: String, format: ChannelDefinition.Format, digest: FileDigest? = nil) throws {
        let delimiter = format == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t")
        reader =
            try digest.map { try CSVReader(source: HashedFileSource(path: path, digest: $0), file: path, delimiter: delimiter) }
            ?? CSVReader(path: path, delimiter: delimiter)
        guard try reader.next() else { throw FeedError("\(path): error: the feed is empty") }
        header = reader.fields
    }

    /// The columns read (`keep(only:)`), each header with its first column; `nil`: all.
    var kept: [(name: String, index: Int)]?

    mutating func next() throws -> FeedReaderRow? {
        guard try reader.next() else { return nil }
        var values: [String: String] = [:]
        if let kept {
            values.reserveCapacity(kept.count)
            let fields = reader.fields
            for (name, index) in kept where index < fields.count { values[name] = fields[index] }
        } else {
            for (name, value) in zip(header, reader.fields) where values[name] == nil { values[name] = value }
        }
        return FeedReaderRow(line: reader.line, values: values)
    }

    mutating func keep(only keys: Set<String>) {
        var kept: [(name: String, index: Int)] = []
        for (i, name) in header.enumerated() where keys.contains(name) && !kept.contains(where: { $0.name == name }) { kept.append((name, i)) }
        self.kept = kept
        reader.keptColumns = Set(kept.map(\.index))
    }
}

/// Google RSS feeds, read item by item with libxml2's streaming reader. No network, no external
/// entities, no entity expansion.
final class XMLFeedReader: FeedRowReader {
    let path: String
    let reader: xmlTextReaderPtr
    /// The element of one row (`item`, Walmart's `inventory`).
    let itemElement: String
    /// Leaf elements at any depth are values (Walmart's `quantity/amount`); else only the row's children.
    let nested: Bool
    /// Put between the values of a repeated element (`nil`: run together).
    let repeatSeparator: String?
    /// The elements read (`keep(only:)`, names without `g:`); `nil`: all.
    var wanted: Set<String>?

    init(path: String, itemElement: String = "item", nested: Bool = false, repeatSeparator: String? = nil, digest: FileDigest? = nil) throws {
        self.path = path
        self.itemElement = itemElement
        self.nested = nested
        self.repeatSeparator = repeatSeparator
        XMLStreamWriter.quietOnThisThread()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOERROR.rawValue)
        let opened: xmlTextReaderPtr?
        if let digest {
            // libxml2 reads through these callbacks, so every byte it parses is hashed on the way.
            let source = Unmanaged.passRetained(HashedXMLInput(try HashedFileSource(path: path, digest: digest)))
            opened = xmlReaderForIO(
                { context, buffer, count in
                    guard let context, let buffer, count > 0 else { return 0 }
                    let input = Unmanaged<HashedXMLInput>.fromOpaque(context).takeUnretainedValue()
                    return Int32((try? input.source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(count)))) ?? -1)
                },
                { context in
                    if let context { Unmanaged<HashedXMLInput>.fromOpaque(context).release() }
                    return 0
                }, source.toOpaque(), path, nil, options)
            if opened == nil { source.release() }
        } else {
            opened = xmlReaderForFile(path, nil, options)
        }
        guard let reader = opened else { throw FeedError("\(path): error: cannot open the XML feed") }
        self.reader = reader
    }

    deinit { xmlFreeTextReader(reader) }

    func next() throws -> FeedReaderRow? {
        var values: [String: String] = [:]
        var inItem = false
        var line = 0
        var current: String?
        var depth = 0
        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { return nil }
            guard status == 1 else {
                throw FeedError("\(path):\(xmlTextReaderGetParserLineNumber(reader)): error: the XML feed is not well-formed")
            }
            let type = xmlTextReaderNodeType(reader)
            let name = xmlTextReaderConstName(reader).map { String(cString: $0) } ?? ""
            switch type {
            case 1:  // element
                if name == itemElement {
                    inItem = true
                    line = Int(xmlGetLineNo(xmlTextReaderCurrentNode(reader)))
                    depth = Int(xmlTextReaderDepth(reader))
                } else if inItem && (nested || Int(xmlTextReaderDepth(reader)) == depth + 1) {
                    current = name.hasPrefix("g:") ? String(name.dropFirst(2)) : name
                    if let wanted, let key = current, !wanted.contains(key) { current = nil }
                    if let key = current, let separator = repeatSeparator, values[key] != nil { values[key]! += separator }
                    if xmlTextReaderIsEmptyElement(reader) == 1, let key = current, values[key] == nil { values[key] = "" }
                }
            case 3, 4:  // text, CDATA
                if let key = current, inItem, let value = xmlTextReaderConstValue(reader) {
                    values[key, default: ""] += String(cString: value)
                }
            case 15:  // end element
                if name == itemElement && inItem { return FeedReaderRow(line: line, values: values) }
                if inItem && (nested || Int(xmlTextReaderDepth(reader)) == depth + 1) { current = nil }
            default:
                break
            }
        }
    }
}

extension XMLFeedReader {
    func keep(only keys: Set<String>) { wanted = keys }
}

/// The context libxml2's read callbacks get: the hashed file.
final class HashedXMLInput {
    let source: HashedFileSource
    init(_ source: HashedFileSource) { self.source = source }
}

/// The feed readers audit uses, by output format: every row of a published file (fuzzing and tests).
public enum PublishedFeedReader {
    /// The reader for a file of `format`.
    static func open(path: String, format: ChannelDefinition.Format, digest: FileDigest? = nil) throws -> any FeedRowReader {
        try format.adapter.reader(path: path, digest: digest)
    }

    /// Reads every row of `path` as `format`; returns the number of rows.
    public static func countRows(path: String, format: ChannelDefinition.Format) throws -> Int {
        var reader = try open(path: path, format: format)
        var rows = 0
        while try reader.next() != nil { rows += 1 }
        return rows
    }
}
