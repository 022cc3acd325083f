import Catalog
import Foundation
internal import GRDB
import StorePort

/// Writes catalog rows inside one import transaction, with cached statements (the hot path of import).
///
/// Variants carry a content hash of everything the catalog says about them, so an unchanged row costs
/// one indexed lookup. Duplicate SKUs within one file are found through a temporary table, never an
/// in-memory set, so memory stays flat whatever the file size.
final class CatalogWriter: ImportSession {
    let db: Database
    let at: String

    /// The catalog had no variant when this import began: no lookup can find one.
    private let catalogWasEmpty: Bool

    init(db: Database, now: Date = Date()) throws {
        self.db = db
        catalogWasEmpty = try Bool.fetchOne(db, sql: "SELECT 1 FROM variants LIMIT 1") == nil
        self.at = Timestamp(now).iso8601UTC
        try db.execute(
            sql: """
                PRAGMA temp.cache_size = -1024;
                CREATE TEMP TABLE IF NOT EXISTS import_seen (key TEXT NOT NULL PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;
                DELETE FROM import_seen;
                """)
    }

    private lazy var statements = StatementCache(db)

    /// The import's scratch table, made on first use.
    lazy var scratch: any ImportScratch = TempTableScratch(db: db)

    /// The brands and product types of the catalog, read once when a promotion first targets one.
    private var promotionTargets: [String: Set<String>] = [:]

    private func prepared(_ sql: StaticString) throws -> Statement { try statements.prepared(sql) }

    /// Records `key` (a SKU) as seen on `line`; returns the earlier line when it was seen before.
    func firstLine(ofDuplicate key: String, line: Int) throws -> Int? {
        let insert = try prepared("INSERT OR IGNORE INTO import_seen(key, line) VALUES (?, ?)")
        insert.resetForBinding()
        insert.bind(1, key)
        insert.bind(2, line)
        try insert.run(db)
        if db.lastChanges == 1 { return nil }
        return try seenLine(key)
    }

    /// The line `key` was first recorded on by `firstLine(ofDuplicate:line:)` or `firstLines(ofDuplicates:)`.
    private func seenLine(_ key: String) throws -> Int? {
        let select = try prepared("SELECT line FROM import_seen WHERE key = ?")
        select.resetForBinding()
        select.bind(1, key)
        return try select.firstInt64(db).map { Int($0) }
    }

    /// `firstLine(ofDuplicate:line:)` for a batch of keys (`nil`: a record not checked), 64 keys per
    /// statement: one statement step per key was about 6% of the import's writing thread. Returns, for
    /// each key, the earlier line when it was seen before (in this batch or an earlier one).
    func firstLines(ofDuplicates keys: [(key: String, line: Int)?]) throws -> [Int?] {
        var result = [Int?](repeating: nil, count: keys.count)
        let checked = keys.indices.filter { keys[$0] != nil }
        let rows = 64
        var start = 0
        while start + rows <= checked.count {
            let chunk = checked[start..<start + rows]
            // `rows` (64) pairs of parameters.
            let insert = try prepared(
                """
                INSERT OR IGNORE INTO import_seen(key, line) VALUES
                (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?),
                (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?),
                (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?),
                (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?),
                (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?),
                (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?),
                (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?),
                (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?, ?)
                """)
            insert.resetForBinding()
            for (n, i) in chunk.enumerated() {
                insert.bind(Int32(2 * n + 1), keys[i]!.key)
                insert.bind(Int32(2 * n + 2), keys[i]!.line)
            }
            try insert.run(db)
            if db.lastChanges != rows {
                // Some key was there already, or came twice: the line kept is the first one's.
                for i in chunk {
                    if let first = try seenLine(keys[i]!.key), first != keys[i]!.line { result[i] = first }
                }
            }
            start += rows
        }
        for i in checked[start...] { result[i] = try firstLine(ofDuplicate: keys[i]!.key, line: keys[i]!.line) }
        return result
    }

    /// Upserts `product` the first time this import sees its fields; later sightings change nothing (a
    /// product's fields come from its first row in the file). A bare sighting (a variant row that only
    /// names its product, such as a WooCommerce variation before its parent) only makes sure it exists.
    func upsertOnFirstSight(_ product: Product, line: Int) throws -> Change {
        if product.isBare { return try insertIfNew(product) ? .new : .unchanged }
        guard try firstLine(ofDuplicate: "\u{1}product\u{1}" + product.productID, line: line) == nil else { return .unchanged }
        return try upsert(product)
    }

    /// Inserts a product unless one with its id exists (with its images); returns whether it did.
    private func insertIfNew(_ product: Product) throws -> Bool {
        let insert = try prepared(
            """
            INSERT OR IGNORE INTO products(product_id, title, description, brand, google_product_category,
              product_type, link, condition, gender, age_group, material, pattern, images)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.resetForBinding()
        insert.bind(1, product.productID)
        for (i, value) in product.storedTexts.enumerated() { insert.bind(Int32(i + 2), value) }
        insert.bind(13, product.images.flatMap(Self.imageList))
        try insert.run(db)
        guard db.lastChanges == 1 else { return false }
        if let title = product.title { try indexTitle(of: product.productID, title, replacing: false) }
        return true
    }

    /// Keeps the products search (`product_search`) in step with a product's title.
    private func indexTitle(of productID: String, _ title: String, replacing: Bool) throws {
        let rowid = ProductSearchKey.rowid(productID)
        if replacing {
            let delete = try prepared("DELETE FROM product_search WHERE rowid = ?")
            delete.resetForBinding()
            delete.bind(1, rowid)
            try delete.run(db)
        }
        let insert = try prepared("INSERT INTO product_search(rowid, title, product_id) VALUES (?, ?, ?)")
        insert.resetForBinding()
        insert.bind(1, rowid)
        insert.bind(2, title)
        insert.bind(3, productID)
        try insert.run(db)
    }

    /// Inserts a product or merges its non-nil fields (and its images, when given) into the stored one.
    func upsert(_ product: Product) throws -> Change {
        if try insertIfNew(product) { return .new }
        var change: Change = .unchanged
        if !product.isBare {
            let update = try prepared(
                """
                UPDATE products SET
                  title = COALESCE(?1, title), description = COALESCE(?2, description), brand = COALESCE(?3, brand),
                  google_product_category = COALESCE(?4, google_product_category),
                  product_type = COALESCE(?5, product_type), link = COALESCE(?6, link),
                  condition = COALESCE(?7, condition), gender = COALESCE(?8, gender),
                  age_group = COALESCE(?9, age_group), material = COALESCE(?10, material),
                  pattern = COALESCE(?11, pattern)
                WHERE product_id = ?12 AND (
                  COALESCE(?1, title) IS NOT title OR COALESCE(?2, description) IS NOT description OR
                  COALESCE(?3, brand) IS NOT brand OR COALESCE(?4, google_product_category) IS NOT google_product_category OR
                  COALESCE(?5, product_type) IS NOT product_type OR COALESCE(?6, link) IS NOT link OR
                  COALESCE(?7, condition) IS NOT condition OR COALESCE(?8, gender) IS NOT gender OR
                  COALESCE(?9, age_group) IS NOT age_group OR COALESCE(?10, material) IS NOT material OR
                  COALESCE(?11, pattern) IS NOT pattern)
                """)
            update.resetForBinding()
            for (i, value) in product.storedTexts.enumerated() { update.bind(Int32(i + 1), value) }
            update.bind(12, product.productID)
            try update.run(db)
            if db.lastChanges == 1 {
                change = .updated
                if let title = product.title { try indexTitle(of: product.productID, title, replacing: true) }
            }
        }
        if let images = product.images {
            let stored = try String.fetchOne(prepared("SELECT images FROM products WHERE product_id = ?"), arguments: [product.productID])
            if stored != Self.imageList(images) {
                try replaceImages(of: product.productID, with: images)
                change = .updated
            }
        }
        return change
    }

    private func replaceImages(of productID: String, with images: [String]) throws {
        let update = try prepared("UPDATE products SET images = ? WHERE product_id = ?")
        update.resetForBinding()
        update.bind(1, Self.imageList(images))
        update.bind(2, productID)
        try update.run(db)
    }

    static func imageList(_ images: [String]) -> String? { StoredJSON.imageList(images) }

    /// Inserts a variant, or replaces it when its content differs from what is stored.
    /// The product must exist (upsert it first).
    /// - Parameter contentHash: `variant.contentHash` when the caller computed it already (on another thread).
    func upsert(_ variant: Variant, contentHash: UInt64?) throws -> Change {
        let hash = Int64(bitPattern: contentHash ?? variant.contentHash)
        var stored: Int64?
        if !catalogWasEmpty {  // into an empty catalog every SKU is new (duplicates were refused before)
            let select = try prepared("SELECT content_hash FROM variants WHERE sku = ?")
            select.resetForBinding()
            select.bind(1, variant.sku)
            stored = try select.firstInt64(db)
        }
        if stored == hash { return .unchanged }
        if stored == nil {
            try bufferNew(variant, hash: hash)
            return .new
        }
        let delete = try prepared("DELETE FROM channel_overrides WHERE sku = ?")
        delete.resetForBinding()
        delete.bind(1, variant.sku)
        try delete.run(db)
        let update = try prepared(
            """
            UPDATE variants SET product_id = ?2, status = ?3, currency = ?4, amount_minor = ?5, sale_amount_minor = ?6,
              sale_start = ?7, sale_end = ?8, gtin = ?9, mpn = ?10, color = ?11, size = ?12, size_system = ?13,
              size_type = ?14, link = ?15, images = ?16, weight = ?17, availability_date = ?18, custom = ?19, content_hash = ?20,
              stock_policy = ?21
            WHERE sku = ?1
            """)
        update.resetForBinding()
        var index: Int32 = 0
        variantRow(variant, hash: hash) { value in
            index += 1
            switch value {
            case .text(let s): update.bind(index, s)
            case .int(let n): update.bind(index, n)
            }
        }
        try update.run(db)
        // The children of a changed variant go through the same buffers, written right away.
        appendChildren(variant)
        try flush()
        return .updated
    }

    // MARK: Buffered inserts of new rows

    /// Buffers, in foreign-key order (parents first), flushed together every 64 new variants.
    private let variantRows = BulkInsert(
        """
        variants(sku, product_id, status, currency, amount_minor, sale_amount_minor, sale_start, sale_end, gtin, mpn,
          color, size, size_system, size_type, link, images, weight, availability_date, custom, content_hash,
          stock_policy)
        """, width: 21)
    private let overrideRows = BulkInsert("channel_overrides(sku, channel, field, value)", width: 4)
    private let movementRows = BulkInsert("stock_movements(at, sku, location, delta, kind, ref)", width: 6, rowsPerStatement: 512)
    private let zeroLevelRows = BulkInsert("stock_levels(sku, location, on_hand)", width: 3)
    private var bufferedVariants = 0

    /// The `variants` row of `v`, value by value to `put`, in the column order of `variantRows` and of
    /// the update's parameters (no array per row: new rows go straight into the insert's buffer).
    @inline(__always)
    private func variantRow(_ v: Variant, hash: Int64, _ put: (BulkInsert.Value) -> Void) {
        put(.text(v.sku)); put(.text(v.productID)); put(.text(v.status.rawValue)); put(.text(v.price.currency.code))
        put(.int(v.price.minorUnits)); put(.int(v.sale?.price.minorUnits)); put(.int(v.sale?.start?.secondsSinceEpoch))
        put(.int(v.sale?.end?.secondsSinceEpoch)); put(.text(v.gtin?.digits)); put(.text(v.mpn)); put(.text(v.color))
        put(.text(v.size)); put(.text(v.sizeSystem?.rawValue)); put(.text(v.sizeType?.rawValue)); put(.text(v.link))
        put(.text(Self.imageList(v.images))); put(.text(v.weight?.description)); put(.int(v.availabilityDate?.secondsSinceEpoch))
        put(.text(Self.customObject(v.custom))); put(.int(hash)); put(.text(v.stockPolicy.rawValue))
    }

    static func customObject(_ custom: [String: String]) -> String? { StoredJSON.customObject(custom) }

    private func bufferNew(_ variant: Variant, hash: Int64) throws {
        variantRow(variant, hash: hash) { variantRows.appendValue($0) }
        variantRows.endRow()
        appendChildren(variant)
        bufferedVariants += 1
        if bufferedVariants >= 64 { try flush() }
    }

    /// The rows a variant has beside its own: its channel overrides.
    private func appendChildren(_ variant: Variant) {
        guard !variant.overrides.isEmpty else { return }
        let sku = BulkInsert.Value.text(variant.sku)
        for (channel, fields) in variant.overrides.sorted(by: { $0.key < $1.key }) {
            for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
                overrideRows.append(sku, .text(channel), .text(field), .text(value))
            }
        }
    }

    /// Writes every buffered row. Call before reading what the import wrote, and before committing.
    func logRun(_ run: ImportRun) throws {
        try db.execute(
            sql: "INSERT INTO import_runs(at, kind, file, format, rows, new, updated, unchanged, rejected, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [run.at, run.kind, run.file, run.format, run.rows, run.new, run.updated, run.unchanged, run.rejected, run.warnings])
    }

    func flush() throws {
        for buffer in [variantRows, overrideRows, movementRows, zeroLevelRows]
        where !buffer.isEmpty {
            try buffer.flush(db)
        }
        bufferedVariants = 0
    }

    /// Whether a SKU exists in the store.
    func variantExists(_ sku: String) throws -> Bool {
        try flush()
        // Bound and stepped directly: GRDB's `fetchOne(arguments:)` cost four times the lookup itself,
        // and an inventory count asks once per row (docs/PERFORMANCE.md, issue 20).
        let select = try prepared("SELECT 1 FROM variants WHERE sku = ?")
        select.resetForBinding()
        select.bind(1, sku)
        return try select.firstInt64(db) != nil
    }

    /// The product of `sku`, with what this import buffered written first.
    func productID(ofSKU sku: String) throws -> String? {
        try flush()
        return try String.fetchOne(prepared("SELECT product_id FROM variants WHERE sku = ?"), arguments: [sku])
    }

    /// Whether a location code exists (`online` always does).
    func locationExists(_ code: String) throws -> Bool { try knownLocations.contain(code, using: statements) }

    private var knownLocations = KnownLocations()

    /// Sets on-hand stock to an absolute `quantity` by appending the difference to the ledger.
    /// Returns the delta (0 when the figure was already right: nothing is written then).
    /// - Parameter knownZero: the caller knows there is no stock record yet (a SKU created just now).
    @discardableResult
    func setStock(sku: String, location: String, quantity: Int, kind: String, ref: String, knownZero: Bool) throws -> Int {
        var current: Int?
        if !knownZero {
            let select = try prepared("SELECT on_hand FROM stock_levels WHERE sku = ? AND location = ?")
            select.resetForBinding()
            select.bind(1, sku)
            select.bind(2, location)
            current = try select.firstInt64(db).map { Int($0) }
        }
        let delta = quantity - (current ?? 0)
        if knownZero {
            // A SKU created in this import: its first count goes with its buffered rows.
            if delta != 0 {
                movementRows.append(.text(at), .text(sku), .text(location), .int(Int64(delta)), .text(kind), .text(ref))
            } else {
                zeroLevelRows.append(.text(sku), .text(location), .int(0))
            }
        } else if delta != 0 {
            try appendMovement(sku: sku, location: location, delta: delta, kind: kind, ref: ref)
        } else if current == nil {
            // A first count of 0: record that the SKU is counted here (0 is the sum of no movements).
            let insert = try prepared("INSERT OR IGNORE INTO stock_levels(sku, location, on_hand) VALUES (?, ?, 0)")
            insert.resetForBinding()
            insert.bind(1, sku)
            insert.bind(2, location)
            try insert.run(db)
        }
        return delta
    }

    /// Appends one movement to the ledger (the stock level follows by trigger).
    func stockFacts(_ keys: [(sku: String, location: String)]) throws -> [(variantExists: Bool, onHand: Int?)] {
        // New variants are written first (a count may name a SKU this import created). The stock rows
        // wait until 4,096 do: a key comes once per import (a second is rejected as a duplicate), so no
        // buffered movement changes a level asked for here, and the ledger takes them 512 rows a
        // statement: each statement's journal then copies the pages it shares once for all its rows
        // (docs/PERFORMANCE.md, "Stock rows 512 to a statement").
        for buffer in [variantRows, overrideRows] where !buffer.isEmpty { try buffer.flush(db) }
        bufferedVariants = 0
        if movementRows.count + zeroLevelRows.count >= 4096 { try flush() }
        // A stock level exists only for a SKU and location that exist (levels come from movements, whose
        // keys are foreign keys, or from a first count of 0 checked the same way; neither variants nor
        // locations are ever deleted): the variant is looked up only where no level is.
        let level = try prepared("SELECT on_hand FROM stock_levels WHERE sku = ? AND location = ?")
        let variant = try prepared("SELECT 1 FROM variants WHERE sku = ?")
        // A count lists a SKU's locations one after another: its variant is looked up once for them.
        var last: (sku: String, exists: Bool)?
        return try keys.map { key in
            level.resetForBinding()
            level.bind(1, key.sku)
            level.bind(2, key.location)
            if let onHand = try level.firstInt64(db) { return (true, Int(onHand)) }
            if let last, last.sku == key.sku { return (last.exists, nil) }
            variant.resetForBinding()
            variant.bind(1, key.sku)
            let exists = try variant.firstInt64(db) != nil
            last = (key.sku, exists)
            return (exists, nil)
        }
    }

    @discardableResult
    func setStock(sku: String, location: String, quantity: Int, current: Int?, kind: String, ref: () -> String) throws -> Int {
        let delta = quantity - (current ?? 0)
        // Buffered and written 512 rows a statement (`stockFacts` flushes once 4,096 wait):
        // one statement per movement made SQLite keep a statement journal of every page each one
        // touched (docs/PERFORMANCE.md, issue 20). `current` was read for this batch, and a key comes
        // once per import (a second is rejected as a duplicate), so the figure is still right here.
        if delta != 0 {
            movementRows.append(.text(at), .text(sku), .text(location), .int(Int64(delta)), .text(kind), .text(ref()))
        } else if current == nil {
            // A first count of 0: record that the SKU is counted here (0 is the sum of no movements).
            zeroLevelRows.append(.text(sku), .text(location), .int(0))
        }
        return delta
    }

    func appendMovement(sku: String, location: String, delta: Int, kind: String, ref: String) throws {
        let insert = try prepared(
            """
            INSERT INTO stock_movements(at, sku, location, delta, kind, ref) VALUES (?, ?, ?, ?, ?, ?)
            """)
        insert.resetForBinding()
        insert.bind(1, at)
        insert.bind(2, sku)
        insert.bind(3, location)
        insert.bind(4, delta)
        insert.bind(5, kind)
        insert.bind(6, ref)
        try insert.run(db)
    }

    /// Inserts or updates a store; returns what happened.
    func upsert(_ store: StoreLocation) throws -> Change {
        let args: StatementArguments = [
            store.code, store.name, store.address, store.city, store.postalCode, store.country,
            store.pickupMethod.rawValue, store.pickupSLA.rawValue,
        ]
        try prepared(
            """
            INSERT OR IGNORE INTO locations(code, kind, name, address, city, postal_code, country, pickup_method, pickup_sla)
            VALUES (?1, 'store', ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """
        ).execute(arguments: args)
        if db.changesCount == 1 { return .new }
        try prepared(
            """
            UPDATE locations SET name = ?2, address = ?3, city = ?4, postal_code = ?5, country = ?6,
              pickup_method = ?7, pickup_sla = ?8
            WHERE code = ?1 AND kind = 'store' AND (name IS NOT ?2 OR address IS NOT ?3 OR city IS NOT ?4 OR
              postal_code IS NOT ?5 OR country IS NOT ?6 OR pickup_method IS NOT ?7 OR pickup_sla IS NOT ?8)
            """
        ).execute(arguments: args)
        return db.changesCount == 1 ? .updated : .unchanged
    }

    func upsert(_ promotion: Promotion) throws -> Change {
        let args = StoreCopy.Value.arguments(promotion.storedRow)
        let existed = try Bool.fetchOne(prepared("SELECT 1 FROM promotions WHERE promotion_id = ?"), arguments: [promotion.id]) ?? false
        try prepared(
            """
            INSERT INTO promotions(promotion_id, title, discount_type, percent_off, amount_minor, currency, coupon_code, applies_to,
              targets, start_at, end_at, redemption, price_effect, minimum_minor, status, promotion_url, fine_print, display_start_at,
              display_end_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
            ON CONFLICT(promotion_id) DO UPDATE SET title = ?2, discount_type = ?3, percent_off = ?4, amount_minor = ?5, currency = ?6,
              coupon_code = ?7, applies_to = ?8, targets = ?9, start_at = ?10, end_at = ?11, redemption = ?12, price_effect = ?13,
              minimum_minor = ?14, status = ?15, promotion_url = ?16, fine_print = ?17, display_start_at = ?18, display_end_at = ?19
            WHERE title IS NOT ?2 OR discount_type IS NOT ?3 OR percent_off IS NOT ?4 OR amount_minor IS NOT ?5 OR currency IS NOT ?6
              OR coupon_code IS NOT ?7 OR applies_to IS NOT ?8 OR targets IS NOT ?9 OR start_at IS NOT ?10 OR end_at IS NOT ?11
              OR redemption IS NOT ?12 OR price_effect IS NOT ?13 OR minimum_minor IS NOT ?14 OR status IS NOT ?15
              OR promotion_url IS NOT ?16 OR fine_print IS NOT ?17 OR display_start_at IS NOT ?18 OR display_end_at IS NOT ?19
            """
        ).execute(arguments: args)
        if !existed { return .new }
        return db.changesCount == 1 ? .updated : .unchanged
    }

    func targetExists(_ kind: Promotion.AppliesTo, _ value: String) throws -> Bool {
        switch kind {
        case .all: return true
        case .sku: return try variantExists(value)
        case .productID: return try Bool.fetchOne(prepared("SELECT 1 FROM products WHERE product_id = ?"), arguments: [value]) ?? false
        case .brand, .productType:
            // One pass over the products the first time a file asks (no index on them: it would cost
            // every catalog import), then lookups in memory.
            let column = kind == .brand ? "brand" : "product_type"
            if promotionTargets[column] == nil {
                promotionTargets[column] = Set(try String.fetchAll(db, sql: "SELECT DISTINCT \(column) FROM products WHERE \(column) IS NOT NULL"))
            }
            return promotionTargets[column]!.contains(value)
        }
    }
}

/// `ImportScratch` over a temporary table of the import's connection.
final class TempTableScratch: ImportScratch {
    let db: Database
    private var created = false
    init(db: Database) { self.db = db }
    private func create() throws {
        guard !created else { return }
        try db.execute(
            sql: """
                CREATE TEMP TABLE IF NOT EXISTS import_keys (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                DELETE FROM import_keys;
                """)
        created = true
    }
    func remember(_ key: String, _ value: String) throws {
        try create()
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO import_keys(key, value) VALUES (?, ?)").execute(arguments: [key, value])
    }
    func recall(_ key: String) throws -> String? {
        try create()
        return try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM import_keys WHERE key = ?"), arguments: [key])
    }
    func forget(_ key: String) throws {
        try create()
        try db.cachedStatement(sql: "DELETE FROM import_keys WHERE key = ?").execute(arguments: [key])
    }
    func forEach(withPrefix prefix: String, _ body: (String, String) throws -> Void) throws {
        try create()
        // `key >= prefix AND key < prefix + U+10FFFF`: a range on the primary key, not a scan.
        let rows = try Row.fetchCursor(
            db, sql: "SELECT key, value FROM import_keys WHERE key >= ? AND key < ? ORDER BY key", arguments: [prefix, prefix + "\u{10FFFF}"])
        while let row = try rows.next() { try body(row[0], row[1]) }
    }
}
