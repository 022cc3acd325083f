#if canImport(Glibc)
import Glibc
#endif
import Catalog
import Foundation
import GRDB
import Store

/// The catalog formats `import catalog` reads.
public enum CatalogFormat: String, Sendable, CaseIterable {
    case unifeed, shopify, woocommerce, akeneo

    /// Tells the format from the header: Shopify by `Handle` + `Variant Price`, WooCommerce by `Type` +
    /// `Regular price`, Akeneo by `;` or locale/currency-suffixed columns with `sku`, Unifeed by
    /// `product_id` + `sku`.
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
        return nil
    }
}

/// What is imported: a catalog (in one of its formats), stores, or inventory counts.
public enum ImportKind: Sendable, Equatable {
    case catalog(CatalogFormat?)
    case stores
    case inventory
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

/// The outcome of one import, for the summary line and `--json`.
public struct ImportSummary: Sendable {
    public var file: String
    public var format: String
    public var rows = 0
    public var new = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected = 0
    public var skipped = 0
    public var warnings = 0
    public var committed = false
    public var dryRun = false
    /// `--strict` and rows were rejected: nothing was written.
    public var strictFailure = false

    public var imported: Int { new + updated + unchanged }

    /// `catalog.csv: 1204 rows, 1190 imported (12 new, 3 updated, 1175 unchanged), 14 rejected`
    public var line: String {
        var s = "\(file): \(rows) rows, \(imported) imported (\(new) new, \(updated) updated, \(unchanged) unchanged), \(rejected) rejected"
        if skipped > 0 { s += ", \(skipped) skipped" }
        if dryRun { s += "; dry run, nothing written" } else if strictFailure { s += "; --strict: nothing written" }
        return s
    }

    /// DESIGN.md §3 exit status: 0 all done, 1 nothing written, 2 partly done.
    public var exitCode: Int32 {
        if strictFailure { return 1 }
        if rejected > 0 { return imported > 0 ? 2 : 1 }
        return 0
    }
}

/// Runs one import: streams the file through a mapper into the store in one transaction.
public struct Importer {
    let store: CatalogStore
    let config: UnifeedConfig

    public init(store: CatalogStore, config: UnifeedConfig) {
        self.store = store
        self.config = config
    }

    /// Imports `path`. Row problems go to `report` as they are found (and are counted); a problem with
    /// the whole file is thrown as an `InputError` and nothing is written.
    /// - Parameter displayName: the file name used in messages (as the user typed it).
    public func run(
        path: String, displayName: String? = nil, kind: ImportKind, options: ImportOptions,
        report: (InputError) -> Void
    ) throws -> ImportSummary {
        let name = displayName ?? path
        let reader = try CSVReader(path: path, displayName: name, encoding: options.encoding)
        guard try reader.next() else {
            throw InputError("empty file: expected a header row", at: InputLocation(file: name, line: 1))
        }
        let header = Header(reader.fields, file: name)
        let errorColumn = header.column("error")
        var summary = ImportSummary(file: name, format: "")
        summary.dryRun = options.dryRun

        var rejects: CSVWriter?
        if let rejectsPath = options.rejectsPath {
            rejects = try CSVWriter(path: rejectsPath, delimiter: reader.delimiter, formulaGuard: true)
            try rejects?.write(header.names.enumerated().filter { $0.offset != errorColumn }.map(\.element) + ["error"])
        }
        defer { rejects?.discard() }
        let interactive = options.progress && isatty(2) == 1

        try store.write { db in
            let writer = try CatalogWriter(db: db)
            let scratch = try TempTableScratch(db: db)
            var mapper: any RowMapper
            switch kind {
            case .stores:
                summary.format = "stores"
                mapper = try StoresMapper(header: header)
            case .inventory:
                summary.format = "inventory"
                mapper = try InventoryMapper(header: header)
            case .catalog(let forced):
                guard let format = forced ?? CatalogFormat.detect(header, delimiter: reader.delimiter) else {
                    throw InputError(
                        "cannot tell the catalog format from the header: expected product_id and sku (unifeed), Handle and Variant Price (shopify), Type and Regular price (woocommerce) or sku with price-CUR columns (akeneo); use --format",
                        at: InputLocation(file: name, line: 1), found: header.names.joined(separator: String(UnicodeScalar(reader.delimiter))))
                }
                summary.format = format.rawValue
                switch format {
                case .unifeed:
                    let native = try NativeMapper(header: header, config: config)
                    for warning in native.headerWarnings { summary.warnings += 1; report(warning) }
                    mapper = native
                case .shopify: mapper = try ShopifyMapper(header: header, config: config)
                case .woocommerce: mapper = try WooCommerceMapper(header: header, config: config, scratch: scratch)
                case .akeneo: mapper = try AkeneoMapper(header: header, config: config)
                }
            }

            var lastProductID: String?
            var lastProductHadFields = false
            var failure: (any Error)?
            func apply(_ record: MappedRecord, firstSeen: Int?) throws {
                for warning in record.warnings {
                    summary.warnings += 1
                    report(warning)
                }
                var errors = record.errors
                var change: Change = .unchanged
                if errors.isEmpty {
                    switch record.payload {
                    case .skip:
                        summary.skipped += 1
                        return
                    case .store(let location):
                        change = try writer.upsert(location)
                    case .stock(let sku, let location, let quantity, let skuColumn, let locationColumn):
                        let at = InputLocation(file: name, line: record.source.line)
                        if try !writer.variantExists(sku) {
                            errors.append(InputError("unknown SKU: import the catalog first", at: at, column: skuColumn, found: sku))
                        } else if try !writer.locationExists(location) {
                            errors.append(InputError("unknown location: expected online or a store_code from import stores",
                                                     at: at, column: locationColumn, found: location))
                        } else if let first = try writer.firstLine(ofDuplicate: "\(sku)\u{1}\(location)", line: record.source.line) {
                            errors.append(InputError("duplicate SKU and location: first given on line \(first)", at: at,
                                                     column: skuColumn, found: sku))
                        } else {
                            let delta = try writer.setStock(sku: sku, location: location, quantity: quantity, kind: "inventory",
                                                            ref: "\(name):\(record.source.line)")
                            change = delta == 0 ? .unchanged : .updated
                        }
                    case .catalog(let product, let variant):
                        if variant != nil, let first = firstSeen {
                            let column = header.column(anyOf: ["sku", "Variant SKU", "SKU"]).map { header.names[$0] }
                            errors.append(InputError("duplicate SKU: first seen on line \(first)",
                                                     at: InputLocation(file: name, line: record.source.line),
                                                     column: column, found: variant?.sku))
                        } else {
                            // A product's fields come from its first row in the file; later rows
                            // (product-level cells may be empty there) only need it to exist.
                            if let product, product.productID != lastProductID || (!product.isBare && !lastProductHadFields) {
                                lastProductID = product.productID
                                lastProductHadFields = !product.isBare
                                change = try writer.upsertOnFirstSight(product, line: record.source.line)
                            }
                            if let variant {
                                let variantChange = try writer.upsert(variant, contentHash: record.contentHash)
                                change = merge(change, variantChange)
                                if let quantity = variant.quantity {
                                    let delta = try writer.setStock(sku: variant.sku, location: StoreLocation.online, quantity: quantity,
                                                                    kind: "catalog", ref: "\(name):\(record.source.line)",
                                                                    knownZero: variantChange == .new)
                                    if delta != 0 { change = merge(change, .updated) }
                                }
                            }
                        }
                    }
                }
                if !errors.isEmpty {
                    summary.rejected += 1
                    for error in errors { report(error) }
                    try rejects?.write(
                        record.source.fields.enumerated().filter { $0.offset != errorColumn }.map(\.element)
                            + [errors.map { ($0.column.map { "\($0): " } ?? "") + $0.message }.joined(separator: "; ")])
                    return
                }
                switch change {
                case .new: summary.new += 1
                case .updated: summary.updated += 1
                case .unchanged: summary.unchanged += 1
                }
            }

            func consume(_ batch: [MappedRecord]) throws {
                // Duplicate SKUs, checked for the whole batch at once (a record with errors is not).
                let firstSeen = try writer.firstLines(ofDuplicates: batch.map { record -> (key: String, line: Int)? in
                    guard record.errors.isEmpty, case .catalog(_, let variant?) = record.payload else { return nil }
                    return (variant.sku, record.source.line)
                })
                // Records are read in place: `enumerated()` copied each one (every String in it retained
                // and released again) on the writing thread, the import's bottleneck.
                try batch.withUnsafeBufferPointer { records in
                    for i in records.indices {
                        summary.rows += 1
                        try apply(records[i], firstSeen: firstSeen[i])
                        if interactive && summary.rows % 50_000 == 0 {
                            FileHandle.standardError.write(Data("\r\(name): \(summary.rows) rows…".utf8))
                        }
                    }
                }
            }

            if mapper is WooCommerceMapper {
                // Its mapper looks parents up in this connection's scratch table: one thread.
                var producer = RowProducer(reader: reader, header: header, mapper: mapper, keepsRawCells: rejects != nil)
                try producer.run { batch in
                    do { try consume(batch) } catch { failure = error; return false }
                    return true
                }
                if let failure { throw failure }
            } else {
                let pipe = RecordPipe()
                let transfer = UnsafeTransfer(RowProducer(reader: reader, header: header, mapper: mapper, keepsRawCells: rejects != nil))
                let thread = Thread {
                    var producer = transfer.value
                    do {
                        try producer.run { pipe.put(.batch($0)) }
                        pipe.put(.end)
                    } catch {
                        pipe.put(.failed(error))
                    }
                }
                thread.stackSize = 8 << 20
                thread.start()
                do {
                    loop: while true {
                        // The item is consumed into the switch, so that once the batch is handed back
                        // no reference stays here: the reading thread frees it (measured: otherwise the
                        // last release, and the freeing, often fell to this thread, the bottleneck).
                        let item = pipe.take()
                        switch consume item {
                        case .batch(let batch):
                            try consume(batch)
                            pipe.recycle(batch)
                        case .failed(let error): throw error
                        case .end: break loop
                        }
                    }
                } catch {
                    pipe.cancel()
                    throw error
                }
            }
            if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            try writer.flush()
            if summary.rows == 0 {
                throw InputError("no data rows after the header", at: InputLocation(file: name, line: 1))
            }
            if options.strict && summary.rejected > 0 {
                summary.strictFailure = true
                return ((), commit: false)
            }
            let commit = !options.dryRun && summary.imported > 0
            summary.committed = commit
            // Order lines that waited for SKUs this import brought move their stock now (DESIGN.md §7).
            if commit { try OrderBook(db: db, restockRefunds: config.orders.restockRefunds).settleWaitingLines() }
            return ((), commit: commit)
        }
        if !summary.strictFailure { try rejects?.commit() }
        rejects = nil
        return summary
    }
}

func merge(_ a: Change, _ b: Change) -> Change {
    if a == .new || b == .new { return .new }
    if a == .updated || b == .updated { return .updated }
    return .unchanged
}

/// `ImportScratch` over a temporary table of the import's connection.
final class TempTableScratch: ImportScratch {
    let db: Database
    init(db: Database) throws {
        self.db = db
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS import_keys (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
            DELETE FROM import_keys;
            """)
    }
    func remember(_ key: String, _ value: String) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO import_keys(key, value) VALUES (?, ?)").execute(arguments: [key, value])
    }
    func recall(_ key: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM import_keys WHERE key = ?"), arguments: [key])
    }
}

/// Moves a value to another thread when the sender gives it up entirely (the import's reader and mapper
/// go to the producer thread and are never touched again by the caller).
/// Hands a value to another thread whose use of it the caller orders (the thread is joined before the
/// value is touched again).
public struct UnsafeTransfer<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}

/// Reads, checks and maps rows, handing records on in batches of 256.
struct RowProducer {
    let reader: CSVReader
    let header: Header
    var mapper: any RowMapper
    /// Records keep their raw cells only for a `--rejects` file (the one thing that reads them). Without
    /// one they are dropped here: carried to the writing thread, the cell arrays of a million rows
    /// stayed alive on this thread's heap (30–50 bytes a row in malloc_stats; heaptrack named the
    /// arrays), so the import's memory grew with the file.
    var keepsRawCells = true

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
