public import Catalog
public import Foundation

/// The store port: everything the rest of Unifeed asks of the canonical product repository, in the
/// domain's words and values. No database type appears here; `Store` implements it over SQLite (GRDB),
/// and another implementation (PostgreSQL, DESIGN.md §12) can stand behind the same calls.
///
/// Each entry point is one transaction: an import, an order report, a publish's gate and one read
/// snapshot. The body runs synchronously on the calling thread while the transaction is open, so long
/// work (an import of a million rows, a publish) streams through it without collecting rows first.
///
/// Threads: the calls block their thread (SQLite is a C library; a transaction belongs to one
/// connection). Asynchronous callers such as an HTTP server use the `async` variants below, which run
/// the body on a thread of the store's own pool (`StoreThreads`), never on the caller's executor.
public protocol CatalogStore: Sendable {
    /// Where the store lives, for messages (a file path or a URL without its password).
    var location: String { get }

    /// Runs one import in one write transaction; it commits only when `body` returns `commit: true`.
    /// A second writer waits for the first (no "busy" failure); a killed import leaves the store as it was.
    func importing<T>(now: Date, _ body: (any ImportSession) throws -> (T, commit: Bool)) throws -> T

    /// Records order lines in one write transaction (committed when `body` returns `commit: true`).
    func recordingOrders<T>(restockRefunds: Bool, now: Date, _ body: (any OrderBookSession) throws -> (T, commit: Bool)) throws -> T

    /// Reads the publish log and records a publish in one write transaction (always committed when
    /// `body` returns; a throw rolls it back).
    func loggingPublish<T>(_ body: (any PublishLogSession) throws -> T) throws -> T

    /// Runs `body` inside one read transaction: every read through the snapshot sees the same state,
    /// whatever commits meanwhile (a publish reads every channel from one snapshot).
    func reading<T>(_ body: (any CatalogSnapshot) throws -> T) throws -> T

    /// Creates, lists and revokes API tokens in one write transaction (committed when `body` returns).
    func managingTokens<T>(_ body: (any TokenSession) throws -> T) throws -> T

    /// Posts one request's stock movements in one write transaction, committed when `body` returns
    /// `commit: true`: all of them or none. A movement is durable once this returns.
    func postingMovements<T>(at now: Date, _ body: (any MovementSession) throws -> (T, commit: Bool)) throws -> T

    /// The live (not revoked) API tokens with their SHA-256 (the server compares a request's against
    /// each, in constant time), read on every request so a revocation takes effect on the next one.
    ///
    /// One short read of a small table that never waits for a writer, so an asynchronous caller may
    /// make it on its own executor: the hop to `StoreThreads` would cost more than the read.
    func liveTokens() throws -> [(token: APIToken, hash: [UInt8])]

    /// Creates, finds and ends dashboard sessions in one write transaction (committed when `body` returns).
    func managingSessions<T>(_ body: (any SessionTable) throws -> T) throws -> T

    /// The session of a cookie hash with its live token (one short read, like `liveTokens`).
    func session(hash: [UInt8], now: Int) throws -> (session: DashboardSession, token: APIToken)?

    /// One small read that proves the store answers (a health check; it costs the same at any size).
    func ping() throws
}

/// One consistent view of the catalog.
public protocol CatalogSnapshot: DashboardReads, MovementKeyCheck {
    /// The stores, ordered by code.
    func stores() throws -> [StoreLocation]

    /// Every SKU for the feeds, ordered by product then SKU (a product's variants arrive together), one
    /// at a time. `locations`: the stock locations to read (`nil`: all).
    func feedRows(locations: [String]?) throws -> any VariantCursor

    /// Every SKU sorted by SKU, one at a time.
    func forEachVariant(_ body: (VariantView) throws -> Void) throws

    /// One SKU, or `nil`.
    func variant(sku: String) throws -> VariantView?

    /// A SKU's stock report, or `nil` when the SKU is unknown.
    func stock(sku: String) throws -> StockReport?

    /// Counts for summaries.
    func counts() throws -> (products: Int, variants: Int, stores: Int, movements: Int)

    /// Every recorded order line, sorted by channel, order and line.
    func orderLines() throws -> [RecordedOrderLine]

    /// Every promotion, archived ones included, sorted by id.
    func promotions() throws -> [Promotion]

    /// The active promotions that name `sku` (by itself, its product, product type or brand) or all
    /// products, sorted by id (what one SKU's answer needs, without reading them all).
    func promotions(sku: String) throws -> [Promotion]

    /// On hand per SKU and location, sorted by SKU then location, one at a time: at `location` only
    /// (`nil`: every location), and below `below` only (`nil`: any figure).
    func forEachStockLevel(location: String?, below: Int?, _ body: (_ sku: String, _ location: String, _ onHand: Int) throws -> Void) throws
}

extension CatalogSnapshot {
    /// `feedRows(locations: nil)`, one view at a time.
    public func forEachFeedRow(_ body: (VariantView) throws -> Void) throws {
        let cursor = try feedRows(locations: nil)
        while let v = try cursor.next() { try body(v) }
    }
}

/// Views handed over one at a time (a caller that keeps them takes them without a copy).
public protocol VariantCursor: AnyObject {
    func next() throws -> VariantView?
}

/// The writes of one import, inside its transaction. New rows may be buffered: `flush()` writes them
/// (before anything reads what the import wrote, and before the commit).
public protocol ImportSession: AnyObject {
    /// Called with each batch of records before they are applied, so a store whose every lookup is a
    /// round trip (PostgreSQL) may read what the batch's records will ask for at once.
    func prepare(_ batch: [MappedRecord]) throws
    /// Records `key` as seen on `line` in this import; returns the earlier line when it was seen before.
    func firstLine(ofDuplicate key: String, line: Int) throws -> Int?
    /// The same for a batch of keys (`nil`: a record not checked).
    func firstLines(ofDuplicates keys: [(key: String, line: Int)?]) throws -> [Int?]
    /// Upserts `product` the first time this import sees its fields; later sightings change nothing.
    func upsertOnFirstSight(_ product: Product, line: Int) throws -> Change
    /// Inserts a variant, or replaces it when its content differs. Its product must exist.
    func upsert(_ variant: Variant, contentHash: UInt64?) throws -> Change
    /// Inserts or updates a store.
    func upsert(_ store: StoreLocation) throws -> Change
    /// Inserts or updates a promotion (by id).
    func upsert(_ promotion: Promotion) throws -> Change
    /// Whether the catalog has a SKU, product, product type or brand of that name (a promotion's target).
    func targetExists(_ kind: Promotion.AppliesTo, _ value: String) throws -> Bool
    func variantExists(_ sku: String) throws -> Bool
    /// The product a SKU belongs to, what this import wrote included (`nil`: unknown).
    func productID(ofSKU sku: String) throws -> String?
    func locationExists(_ code: String) throws -> Bool
    /// Sets on hand to `quantity` by appending the difference to the ledger; returns the difference.
    /// `knownZero`: the SKU was created by this import (no stock record yet).
    @discardableResult
    func setStock(sku: String, location: String, quantity: Int, kind: String, ref: String, knownZero: Bool) throws -> Int
    /// For stock counts, per key: whether the SKU exists, and its on hand at the location (`nil`: not
    /// counted there yet), one lookup per key.
    func stockFacts(_ keys: [(sku: String, location: String)]) throws -> [(variantExists: Bool, onHand: Int?)]
    /// Sets on hand to `quantity` knowing the current figure (`stockFacts`); returns the difference.
    /// `ref` is built only when a movement is written.
    @discardableResult
    func setStock(sku: String, location: String, quantity: Int, current: Int?, kind: String, ref: () -> String) throws -> Int
    func flush() throws
    /// Records the import in the runs history (in its transaction: only a committed import is listed).
    func logRun(_ run: ImportRun) throws
    /// Key-value scratch space private to this import (a mapper's lookups, such as WooCommerce parents).
    var scratch: any ImportScratch { get }
}

/// Scratch space for one import: lookups a mapper needs across rows without holding the file in memory.
public protocol ImportScratch: AnyObject {
    func remember(_ key: String, _ value: String) throws
    func recall(_ key: String) throws -> String?
    func forget(_ key: String) throws
    /// Every key starting with `prefix`, with its value, in key order.
    func forEach(withPrefix prefix: String, _ body: (String, String) throws -> Void) throws
}

/// The order book inside one transaction (DESIGN.md §7: each line once, `desired − applied` posted).
public protocol OrderBookSession: AnyObject {
    /// Reads ahead what recording `lines` will ask (a store with costly round trips reads it at once).
    func prepare(_ lines: [OrderLine]) throws
    /// Records `line` (stock from `location` when it is new) and settles its stock.
    func record(_ line: OrderLine, location: String, source: String) throws -> OrderLineOutcome
    /// Settles lines recorded before their SKU existed; returns how many.
    @discardableResult
    func settleWaitingLines() throws -> Int
    /// On hand below zero for these SKUs at these locations, sorted.
    func oversold(_ keys: Set<SKULocation>) throws -> [(sku: String, location: String, onHand: Int)]
}

extension OrderBookSession {
    /// Nothing to read ahead (SQLite's lookups are cheap one by one).
    public func prepare(_ lines: [OrderLine]) throws {}
}

/// The publish gate's baseline: items each channel last published into an output folder.
public protocol PublishLogSession: AnyObject {
    func lastPublished(channel: String, outDir: String) throws -> Int?
    func record(channel: String, outDir: String, at: String, items: Int, published: Bool, difference: PublishDifference?) throws
}

// MARK: - The asynchronous boundary

/// The threads on which `async` store calls run their bodies: a concurrent queue, so that blocking
/// database work never runs on a Swift concurrency executor or an event loop.
public enum StoreThreads {
    static let queue = DispatchQueue(label: "unifeed.store", qos: .userInitiated, attributes: .concurrent)

    /// Runs `work` on the store's threads and resumes the caller with its result.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}

extension CatalogStore {
    /// `reading(_:)` for asynchronous callers (see `StoreThreads`).
    public func read<T: Sendable>(_ body: @escaping @Sendable (any CatalogSnapshot) throws -> T) async throws -> T {
        try await StoreThreads.run { try self.reading(body) }
    }

    /// `postingMovements(at:_:)` for asynchronous callers.
    public func postMovements<T: Sendable>(
        at now: Date = Date(), _ body: @escaping @Sendable (any MovementSession) throws -> (T, commit: Bool)
    ) async throws -> T {
        try await StoreThreads.run { try self.postingMovements(at: now, body) }
    }

    /// `recordingOrders(_:_:_:)` for asynchronous callers.
    public func recordOrders<T: Sendable>(
        restockRefunds: Bool, now: Date = Date(), _ body: @escaping @Sendable (any OrderBookSession) throws -> (T, commit: Bool)
    ) async throws -> T {
        try await StoreThreads.run { try self.recordingOrders(restockRefunds: restockRefunds, now: now, body) }
    }
}
