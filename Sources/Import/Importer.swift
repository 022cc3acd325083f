public import Catalog
public import Config
public import Formats
public import Foundation
public import Pipeline
public import StorePort

#if canImport(Glibc)
    public import Glibc
#endif

/// The catalog formats `import catalog` reads.
public enum CatalogFormat: String, Sendable, CaseIterable {
    case unifeed, shopify, woocommerce, akeneo, google

    /// Tells the format from the header: Shopify by `Handle` + `Variant Price`, WooCommerce by `Type` +
    /// `Regular price`, Akeneo by `;` or locale/currency-suffixed columns with `sku`, Unifeed by
    /// `product_id` + `sku`, Google's text feed by `id` + `price` without `sku`. (Google's XML feed is
    /// told by its first bytes, before any header: `GoogleXMLFeedReader.sniff`.)
    public static func detect(_ header: Header, delimiter: UInt8) -> CatalogFormat? {
        if header.column("handle") != nil && header.column("variant price") != nil { return .shopify }
        if header.column("type") != nil && header.column("regular price") != nil { return .woocommerce }
        if header.column("product_id") != nil && header.column("sku") != nil { return .unifeed }
        if header.column("sku") != nil
            && (delimiter == UInt8(ascii: ";") || header.names.contains { $0.lowercased().hasPrefix("price-") }
                || header.column("family") != nil)
        {
            return .akeneo
        }
        if GoogleTSVMapper.matches(header) { return .google }
        return nil
    }
}

/// What is imported: a catalog (in one of its formats), stores, or inventory counts.
public enum ImportKind: Sendable, Equatable {
    case catalog(CatalogFormat?)
    case stores
    case inventory
    case promotions

    /// `catalog`, `stores`, `inventory` or `promotions` (the runs history).
    public var name: String {
        switch self {
        case .catalog: "catalog"
        case .stores: "stores"
        case .inventory: "inventory"
        case .promotions: "promotions"
        }
    }
}

public struct ImportOptions: Sendable {
    public var encoding: TextEncoding = .utf8
    public var strict = false
    public var dryRun = false
    public var rejectsPath: String?
    /// Show a progress line on stderr (only when stderr is a terminal).
    public var progress = false
    public init() {}
}

/// The outcome of one import, for the summary line and `--json` (the CLI renders both).
public struct ImportSummary: Sendable {
    public var file: String
    public var format: String
    public var rows = 0
    public var new = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected = 0
    /// Of the rejected rows, those whose SKU came earlier in the file.
    public var duplicateSKUs = 0
    public var skipped = 0
    public var warnings = 0
    public var committed = false
    public var dryRun = false
    /// `--strict` and rows were rejected: nothing was written.
    public var strictFailure = false

    public var imported: Int { new + updated + unchanged }
}

/// Runs one import: streams the file through a mapper into the store in one transaction.
///
/// The file is read and mapped on a thread of its own while this thread applies the records through
/// the store's import session (unless the mapper needs the session's scratch space: then one thread).
/// Row problems are reported as they are found; a problem with the whole file is thrown and nothing is
/// written. Order lines that waited for the SKUs an import brings are settled by the caller afterwards
/// (`OrderSettlement`), in a transaction of their own.
public struct Importer {
    let store: any CatalogStore
    let config: UnifeedConfig

    public init(store: any CatalogStore, config: UnifeedConfig) {
        self.store = store
        self.config = config
    }

    /// Imports `path`. Row problems go to `report` as they are found (and are counted); a problem with
    /// the whole file is thrown as an `InputError` and nothing is written.
    /// - Parameter displayName: the file name used in messages (as the user typed it).
    public func run(
        path: String, displayName: String? = nil, kind: ImportKind, options: ImportOptions, now: Date = Date(),
        report: (InputError) -> Void
    ) throws -> ImportSummary {
        let name = displayName ?? path
        if case .catalog(let forced) = kind, forced == nil || forced == .google, try GoogleXMLFeedReader.sniff(path: path) {
            let reader = try GoogleXMLFeedReader(path: path, file: name)
            let producer = GoogleXMLProducer(
                reader: reader, mapper: GoogleFeedMapper(file: name, config: config, prefix: "g:"), keepsRawCells: options.rejectsPath != nil)
            return try importRecords(
                name: name, kind: kind, rejectsHeader: ["line", "g:id"], delimiter: UInt8(ascii: ","), leading: nil, nothingRead: "no items in the feed",
                options: options, now: now, report: report
            ) { _ in (producer, "google", "g:id", []) }
        }
        let reader = try CSVReader(path: path, displayName: name, encoding: options.encoding)
        guard try reader.next() else {
            throw InputError("empty file: expected a header row", at: InputLocation(file: name, line: 1))
        }
        let header = Header(reader.fields, file: name)
        var leading: InputError?
        if reader.skippedBeforeHeader > 0 {
            leading = InputError(
                "\(reader.skippedBeforeHeader) bytes of whitespace or blank lines before the header were skipped (a plugin or theme that printed them into the export, most likely)",
                at: InputLocation(file: name, line: reader.line), severity: .warning)
        }
        return try importRecords(
            name: name, kind: kind, rejectsHeader: header.names, delimiter: reader.delimiter, leading: leading, options: options, now: now, report: report
        ) { session in
            var warnings: [InputError] = []
            let (mapper, format, header) = try makeMapper(
                kind: kind, header: header, delimiter: reader.delimiter, session: session, report: { warnings.append($0) })
            let producer = RowProducer(reader: reader, header: header, mapper: mapper, keepsRawCells: options.rejectsPath != nil)
            return (producer, format, header.column(anyOf: ["sku", "Variant SKU", "SKU", "id", "g:id"]).map { header.names[$0] }, warnings)
        }
    }

    /// The import loop whatever the source: records from `makeProducer`'s producer (made inside the
    /// transaction: a mapper may need the session's scratch space) applied through the import session,
    /// rejects written, all in one transaction.
    /// - Parameters:
    ///   - rejectsHeader: the `--rejects` file's columns before `error` (a column called `error`, from a
    ///     rejects file read back, is left out).
    ///   - makeProducer: the producer, the format's name, the SKU column's name for messages and warnings
    ///     about the header.
    private func importRecords(
        name: String, kind: ImportKind, rejectsHeader: [String], delimiter: UInt8, leading: InputError?, nothingRead: String = "no data rows after the header",
        options: ImportOptions, now: Date, report: (InputError) -> Void,
        makeProducer: (any ImportSession) throws -> (any RecordProducer, String, String?, [InputError])
    ) throws -> ImportSummary {
        let errorColumn = rejectsHeader.firstIndex { $0.trimmingASCIIWhitespace().lowercased() == "error" }
        var summary = ImportSummary(file: name, format: "")
        summary.dryRun = options.dryRun

        var rejects: CSVWriter?
        if let rejectsPath = options.rejectsPath {
            rejects = try CSVWriter(path: rejectsPath, delimiter: delimiter, formulaGuard: true)
            try rejects?.write(rejectsHeader.enumerated().filter { $0.offset != errorColumn }.map(\.element) + ["error"])
        }
        defer { rejects?.discard() }
        let progress = TerminalProgress(label: name, unit: "rows", total: nil, enabled: options.progress)
        defer { progress.finish() }

        try store.importing(now: now) { session in
            var (producer, format, skuColumn, headerWarnings) = try makeProducer(session)
            summary.format = format
            for warning in headerWarnings + (leading.map { [$0] } ?? []) {
                summary.warnings += 1
                report(warning)
            }
            var rules = RecordRulesState(file: name, skuColumn: skuColumn)
            func reject(_ record: MappedRecord, _ errors: [InputError]) throws {
                summary.rejected += 1
                for error in errors { report(error) }
                try rejects?.write(
                    record.source.fields.enumerated().filter { $0.offset != errorColumn }.map(\.element)
                        + [errors.map { ($0.column.map { "\($0): " } ?? "") + $0.message }.joined(separator: "; ")])
            }

            func consume(_ batch: [MappedRecord]) throws {
                let firstSeen = try session.duplicates(in: batch)
                let stock = try session.stockChecks(in: batch)
                // Records are read in place: `enumerated()` copied each one (every String in it retained
                // and released again) on the writing thread, the import's bottleneck.
                try batch.withUnsafeBufferPointer { records in
                    for i in records.indices {
                        summary.rows += 1
                        for warning in records[i].warnings {
                            summary.warnings += 1
                            report(warning)
                        }
                        switch try session.apply(records[i], firstSeen: firstSeen[i], stock: stock[i], state: &rules) {
                        case .applied(.new): summary.new += 1
                        case .applied(.updated): summary.updated += 1
                        case .applied(.unchanged): summary.unchanged += 1
                        case .skipped: summary.skipped += 1
                        case .rejected(let errors):
                            try reject(records[i], errors)
                        case .rejectedDuplicate(let error):
                            summary.duplicateSKUs += 1
                            try reject(records[i], [error])
                        }
                        if summary.rows % 8192 == 0 { progress.update(summary.rows) }
                    }
                }
            }

            if producer.usesImportScratch {
                var failure: (any Error)?
                try producer.run { batch in
                    do { try consume(batch) } catch { failure = error; return false }
                    return true
                }
                if let failure { throw failure }
            } else {
                // The reader and mapper go to the reading thread and are not touched here again.
                let pipe = BoundedPipe<[MappedRecord]>()
                let reading = producer
                Workers.startProducer(into: pipe) { pipe in
                    var producer = reading
                    try producer.run { pipe.put(.batch($0)) }
                }
                try Workers.drain(pipe, consume)
            }
            progress.finish()
            try session.flush()
            if summary.rows == 0 {
                throw InputError(nothingRead, at: InputLocation(file: name, line: 1))
            }
            if options.strict && summary.rejected > 0 {
                summary.strictFailure = true
                return ((), commit: false)
            }
            let commit = !options.dryRun && summary.imported > 0
            summary.committed = commit
            if commit {
                try session.logRun(
                    ImportRun(
                        at: Timestamp(now).iso8601UTC, kind: kind.name, file: name, format: summary.format, rows: summary.rows, new: summary.new,
                        updated: summary.updated, unchanged: summary.unchanged, rejected: summary.rejected, warnings: summary.warnings))
            }
            return ((), commit: commit)
        }
        if !summary.strictFailure { try rejects?.commit() }
        rejects = nil
        return summary
    }

    /// The mapper for `kind` (a catalog's format detected from the header unless given), the format's
    /// name for the summary and the header as the mapper reads it (a localized WooCommerce header
    /// answering to the English names). Header warnings go to `warn`.
    private func makeMapper(
        kind: ImportKind, header: Header, delimiter: UInt8, session: any ImportSession, report warn: (InputError) -> Void
    ) throws -> (any RowMapper, String, Header) {
        switch kind {
        case .stores: return (try StoresMapper(header: header), "stores", header)
        case .inventory: return (try InventoryMapper(header: header), "inventory", header)
        case .promotions: return (try PromotionsMapper(header: header, config: config), "promotions", header)
        case .catalog(let forced):
            var header = header
            var detected = forced ?? CatalogFormat.detect(header, delimiter: delimiter)
            // WooCommerce exports its headers in the shop's language: read them through its translations.
            if detected == nil || detected == .woocommerce {
                let localized = WooCommerceHeaders.localize(header, extra: config.importing.wooCommerceHeaders)
                if detected == .woocommerce || CatalogFormat.detect(localized.header, delimiter: delimiter) == .woocommerce {
                    header = localized.header
                    detected = .woocommerce
                }
            }
            guard let format = detected else {
                throw InputError(
                    "cannot tell the catalog format from the header: expected product_id and sku (unifeed), Handle and Variant Price (shopify), Type and Regular price (woocommerce), sku with price-CUR columns (akeneo) or id, title and price (a Google text feed); use --format",
                    at: InputLocation(file: header.file, line: 1), found: header.names.joined(separator: String(UnicodeScalar(delimiter))))
            }
            let mapper: any RowMapper
            switch format {
            case .unifeed: mapper = try NativeMapper(header: header, config: config)
            case .shopify: mapper = try ShopifyMapper(header: header, config: config)
            case .woocommerce: mapper = try WooCommerceMapper(header: header, config: config, scratch: session.scratch)
            case .akeneo: mapper = try AkeneoMapper(header: header, config: config)
            case .google: mapper = try GoogleTSVMapper(header: header, config: config)
            }
            mapper.headerWarnings.forEach(warn)
            return (mapper, format.rawValue, header)
        }
    }
}

/// Order lines recorded before their SKUs existed move their stock once the catalog has them
/// (DESIGN.md §7): the step the application runs after an import that committed.
public enum OrderSettlement {
    /// Settles every waiting line in one transaction; returns how many.
    @discardableResult
    public static func run(store: any CatalogStore, config: UnifeedConfig, now: Date = Date()) throws -> Int {
        try store.recordingOrders(restockRefunds: config.orders.restockRefunds, now: now) { book in
            (try book.settleWaitingLines(), commit: true)
        }
    }
}

/// Where an import's records come from, handed on in batches on whichever thread runs it.
protocol RecordProducer {
    /// The mapper reads the import session's scratch space: run on the writing thread.
    var usesImportScratch: Bool { get }
    /// Runs to the end of the input, or until `emit` returns `false`. Throws what the reader throws.
    mutating func run(_ emit: ([MappedRecord]) -> Bool) throws
}

/// Reads, checks and maps rows, handing records on in batches of 256.
struct RowProducer: RecordProducer {
    let reader: CSVReader
    let header: Header
    var mapper: any RowMapper
    /// Records keep their raw cells only for a `--rejects` file (the one thing that reads them). Without
    /// one they are dropped here: carried to the writing thread, the cell arrays of a million rows
    /// stayed alive on this thread's heap (30–50 bytes a row in malloc_stats; heaptrack named the
    /// arrays), so the import's memory grew with the file.
    var keepsRawCells = true
    /// Storable values some channel will not take, said as warnings.
    var limits: ChannelLimitWarnings

    init(reader: CSVReader, header: Header, mapper: any RowMapper, keepsRawCells: Bool) {
        self.reader = reader
        self.header = header
        self.mapper = mapper
        self.keepsRawCells = keepsRawCells
        self.limits = ChannelLimitWarnings(header: header)
    }

    var usesImportScratch: Bool { mapper.usesImportScratch }

    /// Runs to the end of the file, or until `emit` returns `false`. Throws what the reader throws.
    mutating func run(_ emit: ([MappedRecord]) -> Bool) throws {
        var batch: [MappedRecord] = []
        batch.reserveCapacity(256)
        while try reader.next() {
            var fields = reader.fields
            var rowErrors: [InputError] = []
            let at = InputLocation(file: header.file, line: reader.line)
            if fields.count != header.names.count {
                rowErrors.append(InputError("expected \(header.names.count) fields as in the header, found \(fields.count)", at: at))
            }
            for i in fields.indices {
                let utf8 = fields[i].utf8
                guard let first = utf8.first else { continue }
                // Undo the formula guard that --rejects files carry (`'=…`, `'+…`, `'-…`, `'@…`).
                if first == UInt8(ascii: "'"), utf8.count > 1 {
                    let second = utf8[utf8.index(after: utf8.startIndex)]
                    if second == UInt8(ascii: "=") || second == UInt8(ascii: "+") || second == UInt8(ascii: "-") || second == UInt8(ascii: "@") {
                        fields[i] = String(fields[i].dropFirst())
                    }
                }
            }
            for i in reader.fieldsWithNUL {
                rowErrors.append(InputError("contains a NUL byte", at: at, column: reader.columnName(i), found: fields[i]))
            }
            let row = SourceRow(line: reader.line, fields: fields)
            if !rowErrors.isEmpty {
                batch.append(MappedRecord(source: row, payload: .skip("bad row"), errors: rowErrors))
            } else {
                for var record in mapper.consume(row) {
                    limits.check(&record)
                    if record.errors.isEmpty, case .catalog(_, let variant?) = record.payload { record.contentHash = variant.contentHash }
                    if !keepsRawCells { record.source.fields = [] }
                    batch.append(record)
                }
            }
            if batch.count >= 256 {
                guard emit(batch) else { return }
                batch.removeAll(keepingCapacity: true)
            }
        }
        batch.append(contentsOf: mapper.finish())
        _ = emit(batch)
    }
}
