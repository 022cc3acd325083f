public import Catalog
public import Formats

/// What one source row becomes after mapping: a change to apply, a row to skip, or errors.
public struct MappedRecord: Sendable {
    public enum Payload: Sendable {
        /// A product's fields and/or a variant (the product is upserted first).
        case catalog(product: Product?, variant: Variant?)
        case store(StoreLocation)
        case stock(sku: String, location: String, quantity: Int, skuColumn: String, locationColumn: String)
        /// A promotion, upserted by id; `targetsColumn` names the column its targets came from.
        case promotion(Promotion, targetsColumn: String)
        /// Read but not imported (a WooCommerce grouped product), with the reason as a warning.
        case skip(String)
    }

    public var source: SourceRow
    public var payload: Payload
    /// Non-empty: the row is rejected, with one line per problem.
    public var errors: [InputError]
    public var warnings: [InputError]
    /// The variant's content hash, computed on the reading thread so the writing thread need not.
    public var contentHash: UInt64?

    public init(source: SourceRow, payload: Payload, errors: [InputError] = [], warnings: [InputError] = []) {
        self.source = source
        self.payload = payload
        self.errors = errors
        self.warnings = warnings
    }
}

/// A stock row's lookups, made for its whole batch (`ImportSession.stockChecks(in:)`).
public struct StockCheck: Sendable {
    public var variantExists: Bool
    public var locationExists: Bool
    public var onHand: Int?
    public var firstSeen: Int?
}

/// What applying one record did.
public enum RecordOutcome: Sendable {
    case applied(Change)
    /// Read but not imported (the reason was a warning of the record).
    case skipped
    /// Not imported: one error per problem.
    case rejected([InputError])
    /// Not imported: its SKU came earlier in the file.
    case rejectedDuplicate(InputError)
}

/// What the record rules remember from one record to the next within an import.
public struct RecordRulesState: Sendable {
    /// The file's name in messages.
    public var file: String
    /// The SKU column's header as written, for duplicate messages.
    public var skuColumn: String?
    var lastProductID: String?
    var lastProductHadFields = false

    public init(file: String, skuColumn: String?) {
        self.file = file
        self.skuColumn = skuColumn
    }
}

extension ImportSession {
    /// Nothing to read ahead (SQLite's lookups are cheap one by one).
    public func prepare(_ batch: [MappedRecord]) throws {}
}

/// The import's record rules, on any store: a duplicate SKU is refused with the line that came first;
/// a product's fields come from its first row in the file; a variant's `quantity` sets online stock as
/// an absolute count; inventory rows need a known SKU and location, once each.
extension ImportSession {
    /// Checks a batch for duplicate SKUs at once (records with errors are not checked): for each record,
    /// the line its SKU was first seen on, when it was seen before.
    public func duplicates(in batch: [MappedRecord]) throws -> [Int?] {
        try prepare(batch)
        // Read in place: `map` handed each record over as a copy (every string of it retained and
        // released), a few percent of an inventory import's writing thread where no record is a SKU's.
        var keys: [(key: String, line: Int)?] = []
        keys.reserveCapacity(batch.count)
        var any = false
        for i in batch.indices {
            guard batch[i].errors.isEmpty, case .catalog(_, let variant?) = batch[i].payload else {
                keys.append(nil)
                continue
            }
            keys.append((variant.sku, batch[i].source.line))
            any = true
        }
        return any ? try firstLines(ofDuplicates: keys) : [Int?](repeating: nil, count: batch.count)
    }

    /// Looks up a batch's stock rows at once (`nil` for other records): whether the SKU and location
    /// exist, on hand there, and the line the same SKU and location came on before. A row whose SKU or
    /// location is unknown is not recorded as seen (it is rejected for that, as row by row).
    public func stockChecks(in batch: [MappedRecord]) throws -> [StockCheck?] {
        var checks = [StockCheck?](repeating: nil, count: batch.count)
        var keys: [(sku: String, location: String)] = []
        var indexes: [Int] = []
        for i in batch.indices {
            guard batch[i].errors.isEmpty, case .stock(let sku, let location, _, _, _) = batch[i].payload else { continue }
            keys.append((sku, location))
            indexes.append(i)
        }
        guard !keys.isEmpty else { return checks }
        let facts = try stockFacts(keys)
        var seen: [(key: String, line: Int)?] = []
        seen.reserveCapacity(keys.count)
        for (n, i) in indexes.enumerated() {
            let locationKnown = facts[n].variantExists ? try locationExists(keys[n].location) : false
            checks[i] = StockCheck(variantExists: facts[n].variantExists, locationExists: locationKnown, onHand: facts[n].onHand)
            seen.append(locationKnown ? ("\(keys[n].sku)\u{1}\(keys[n].location)", batch[i].source.line) : nil)
        }
        let firstLines = try firstLines(ofDuplicates: seen)
        for (n, i) in indexes.enumerated() { checks[i]!.firstSeen = firstLines[n] }
        return checks
    }

    /// Applies one record. `firstSeen`: what `duplicates(in:)` said of it; `stock`: what
    /// `stockChecks(in:)` said of a stock row (without it, a stock row is looked up alone).
    public func apply(
        _ record: borrowing MappedRecord, firstSeen: Int?, stock: StockCheck? = nil, state: inout RecordRulesState
    ) throws -> RecordOutcome {
        guard record.errors.isEmpty else { return .rejected(record.errors) }
        let at = InputLocation(file: state.file, line: record.source.line)
        switch record.payload {
        case .skip:
            return .skipped
        case .store(let location):
            return .applied(try upsert(location))
        case .promotion(let promotion, let targetsColumn):
            if let first = try firstLine(ofDuplicate: "promotion\u{1}\(promotion.id)", line: record.source.line) {
                return .rejected([InputError("duplicate promotion_id: first given on line \(first)", at: at, column: "promotion_id", found: promotion.id)])
            }
            let unknown = try promotion.targets.filter { try !targetExists(promotion.appliesTo, $0) }
            if !unknown.isEmpty {
                let what = String(promotion.appliesTo.rawValue.map { $0 == "_" ? " " : $0 })
                return .rejected(
                    unknown.map {
                        InputError("unknown target: no \(what) '\($0)' in the catalog (import the catalog first)", at: at, column: targetsColumn, found: $0)
                    })
            }
            return .applied(try upsert(promotion))
        case .stock(let sku, let location, let quantity, let skuColumn, let locationColumn):
            // Looked up with its batch (`stockChecks(in:)`), or alone when the caller did not.
            guard let stock = try stock ?? stockChecks(in: [copy record])[0] else { return .skipped }
            if !stock.variantExists {
                return .rejected([InputError("unknown SKU: import the catalog first", at: at, column: skuColumn, found: sku)])
            }
            if !stock.locationExists {
                return .rejected([
                    InputError("unknown location: expected online or a store_code from import stores", at: at, column: locationColumn, found: location)
                ])
            }
            if let first = stock.firstSeen {
                return .rejected([InputError("duplicate SKU and location: first given on line \(first)", at: at, column: skuColumn, found: sku)])
            }
            let file = state.file
            let line = record.source.line
            let delta = try setStock(sku: sku, location: location, quantity: quantity, current: stock.onHand, kind: "inventory") { "\(file):\(line)" }
            return .applied(delta == 0 ? .unchanged : .updated)
        case .catalog(let product, let variant):
            if let variant, let first = firstSeen {
                // Across products (Shopify allows it), the message names both, so the merchant can tell
                // which listing to renumber.
                var message = "duplicate SKU: first seen on line \(first)"
                if let firstProduct = try productID(ofSKU: variant.sku), firstProduct != variant.productID {
                    message += " in product \(firstProduct); this row is in product \(variant.productID)"
                }
                return .rejectedDuplicate(InputError(message, at: at, column: state.skuColumn, found: variant.sku))
            }
            var change: Change = .unchanged
            // A product's fields come from its first row in the file; later rows (product-level cells may
            // be empty there) only need it to exist.
            if let product, product.productID != state.lastProductID || (!product.isBare && !state.lastProductHadFields) {
                state.lastProductID = product.productID
                state.lastProductHadFields = !product.isBare
                change = try upsertOnFirstSight(product, line: record.source.line)
            }
            if let variant {
                let variantChange = try upsert(variant, contentHash: record.contentHash)
                change = change.merged(with: variantChange)
                if let quantity = variant.quantity {
                    let delta = try setStock(
                        sku: variant.sku, location: StoreLocation.online, quantity: quantity, kind: "catalog",
                        ref: "\(state.file):\(record.source.line)", knownZero: variantChange == .new)
                    if delta != 0 { change = change.merged(with: .updated) }
                }
            }
            return .applied(change)
        }
    }
}
