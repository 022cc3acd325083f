import Catalog
import Foundation
import PostgresNIO
import StorePort

/// Writes catalog rows inside one import transaction on PostgreSQL, with the SQLite store's rules.
///
/// Round trips are the cost here, so the import works a batch at a time: `prepare` asks at once (one
/// round trip) for the batch's products as stored, whether this import saw its products and SKUs
/// before (`import_seen`, a temporary table dropped at commit: memory stays flat) and its variants'
/// hashes and online stock, so a duplicate, unchanged or new row costs nothing more. What the batches
/// write waits in COPY buffers and goes, 2,048 variants at a time, right behind a batch's reads without
/// waiting (`sendPending`): the server writes them while the batch is worked on; the reads' answers are
/// completed from what was still waiting when they were sent. New rows go by `COPY … FROM STDIN`, changed
/// variants and products through staging tables and `UPDATE … FROM`; the ledger's statement trigger keeps
/// the stock levels.
final class PGCatalogWriter: ImportSession {
    let c: PGConnection
    let at: String
    private let catalogWasEmpty: Bool

    init(_ c: PGConnection, now: Date) throws {
        self.c = c
        at = Timestamp(now).iso8601UTC
        catalogWasEmpty = try c.query("SELECT 1 FROM variants LIMIT 1").isEmpty
        try c.execute("CREATE TEMP TABLE import_seen (key text COLLATE \"C\" NOT NULL PRIMARY KEY, line bigint NOT NULL) ON COMMIT DROP")
    }

    lazy var scratch: any ImportScratch = PGScratch(c)

    /// What the current batch's SKUs hold (content hash, online on hand), read with its duplicate check.
    private var batchFacts: [String: (hash: Int64, online: Int?)] = [:]
    /// The SKUs `batchFacts` answers for (one not in `batchFacts` is new).
    private var batchSKUs: Set<String> = []

    private var promotionTargets: [String: Set<String>] = [:]
    private var knownLocations: Set<String> = [StoreLocation.online]

    // MARK: Duplicates

    func firstLine(ofDuplicate key: String, line: Int) throws -> Int? {
        try firstLines(ofDuplicates: [(key, line)])[0]
    }

    func firstLines(ofDuplicates keys: [(key: String, line: Int)?]) throws -> [Int?] {
        var result = [Int?](repeating: nil, count: keys.count)
        let present = keys.compactMap { $0?.key }
        guard !present.isEmpty else { return result }
        if present.allSatisfy({ seenLines[$0] != nil }) {
            // Read with the batch (`prepare`): answered here, and the new keys written with the next rows.
            for (i, entry) in keys.enumerated() {
                guard let (key, line) = entry else { continue }
                if let first = pendingSeen[key] ?? seenLines[key].flatMap({ $0 == 0 ? nil : $0 }) {
                    if first != line { result[i] = first }
                } else {
                    pendingSeen[key] = line
                }
            }
            return result
        }
        try flushSeen()
        var seen: [String: Int] = [:]
        for row in try c.query("SELECT key, line FROM import_seen WHERE key = ANY($1)", binds(.texts(present))) {
            let (key, line) = try row.decode((String, Int64).self)
            seen[key] = Int(line)
        }
        var newKeys: [String] = []
        var newLines: [Int64] = []
        for (i, entry) in keys.enumerated() {
            guard let (key, line) = entry else { continue }
            if let first = seen[key] {
                if first != line { result[i] = first }
            } else {
                seen[key] = line
                newKeys.append(key)
                newLines.append(Int64(line))
            }
        }
        if !newKeys.isEmpty {
            try c.execute("INSERT INTO import_seen(key, line) SELECT * FROM unnest($1::text[], $2::bigint[])", binds(.texts(newKeys), .ints(newLines)))
        }
        return result
    }

    private static let factsSQL = """
        SELECT v.sku, v.content_hash, s.on_hand FROM variants v
          LEFT JOIN stock_levels s ON s.sku = v.sku AND s.location = 'online'
        WHERE v.sku = ANY($1)
        """

    // MARK: Products

    /// A product's stored columns: the eleven texts of `productTexts`, then the image list.
    typealias ProductRow = [String?]

    /// The products the current batch names, as stored (absent: none), read by `prepare`.
    private var storedProducts: [String: ProductRow?] = [:]
    /// New products not written yet (in order), and changed ones, with their rows as they will be.
    private var newProducts: [String] = []
    private var pendingProducts: [String: ProductRow] = [:]
    private var changedProducts: [String: ProductRow] = [:]
    /// The lines `import_seen` gave for this batch's product keys and SKUs (0: not seen; `prepare`), and
    /// the keys recorded since the last `flushSeen`.
    private var seenLines: [String: Int] = [:]
    private var pendingSeen: [String: Int] = [:]

    static let productColumns = [
        "title", "description", "brand", "google_product_category", "product_type", "link", "condition", "gender", "age_group",
        "material", "pattern", "images",
    ]

    private static func productKey(_ id: String) -> String { "\u{1}product\u{1}" + id }

    /// Reads at once what the batch's records will ask: their products as stored, whether this import
    /// saw those products and SKUs before, and the SKUs' hashes and online stock. The rows waiting from
    /// earlier batches are sent right behind these reads without waiting (`sendPending`): the server
    /// writes them while this batch is worked on, and the answers are completed from what was waiting.
    func prepare(_ batch: [MappedRecord]) throws {
        var productIDs: [String] = []
        var skus: [String] = []
        for i in batch.indices {
            guard batch[i].errors.isEmpty, case .catalog(let product, let variant) = batch[i].payload else { continue }
            if let product { productIDs.append(product.productID) }
            if let variant { skus.append(variant.sku) }
        }
        guard !productIDs.isEmpty || !skus.isEmpty else { return }
        let ids = Array(Set(productIDs))
        let keys = ids.map(Self.productKey) + skus
        // The keys and products the reads cannot see: waiting, or sent after the reads.
        let unwrittenSeen = pendingSeen
        storedProducts = [:]
        let productsAnswer =
            ids.isEmpty
            ? nil : try c.send("SELECT product_id, \(Self.productColumns.joined(separator: ", ")) FROM products WHERE product_id = ANY($1)", binds(.texts(ids)))
        let seenAnswer = try c.send("SELECT key, line FROM import_seen WHERE key = ANY($1)", binds(.texts(keys)))
        let factsAnswer = !catalogWasEmpty && !skus.isEmpty ? try c.send(Self.factsSQL, binds(.texts(skus))) : nil
        // Sets `storedProducts` of the products it writes: newer than the reads' answer.
        // (Keys seen count too: an import of unchanged rows writes nothing else, and memory stays flat.)
        if newVariants.rows + changedVariants.rows >= 2048 || movements.rows >= 2048 || pendingSeen.count >= 4096 { try sendPending() }
        if let productsAnswer {
            for row in try c.wait(productsAnswer) {
                let r = row.makeRandomAccess()
                let id = try r.text(0) ?? ""
                if storedProducts.index(forKey: id) == nil { storedProducts[id] = try (1...12).map { try r.text($0) } }
            }
            for id in ids where storedProducts.index(forKey: id) == nil { storedProducts.updateValue(nil, forKey: id) }
        }
        seenLines = [:]
        for row in try c.wait(seenAnswer) {
            let (key, line) = try row.decode((String, Int64).self)
            seenLines[key] = Int(line)
        }
        for key in keys where seenLines[key] == nil { seenLines[key] = unwrittenSeen[key] ?? 0 }
        if let factsAnswer {
            batchFacts = [:]
            batchSKUs = Set(skus)
            for row in try c.wait(factsAnswer) {
                let (sku, hash, online) = try row.decode((String, Int64, Int64?).self)
                batchFacts[sku] = (hash, online.map { Int($0) })
            }
        }
    }

    /// The product as it stands in this import (written or waiting), `nil` when there is none.
    private func currentProduct(_ id: String) throws -> ProductRow? {
        if let row = pendingProducts[id] ?? changedProducts[id] { return row }
        if let stored = storedProducts[id] { return stored }
        // Not read ahead (a caller that did not prepare): one lookup.
        let row = try c.query("SELECT \(Self.productColumns.joined(separator: ", ")) FROM products WHERE product_id = $1", binds(.text(id)))
            .first.map { row in try (0..<12).map { try row.makeRandomAccess().text($0) } }
        storedProducts.updateValue(row, forKey: id)
        return row
    }

    func upsertOnFirstSight(_ product: Product, line: Int) throws -> Change {
        if product.isBare { return try insertIfNew(product) ? .new : .unchanged }
        let key = Self.productKey(product.productID)
        if let first = pendingSeen[key] ?? seenLines[key].flatMap({ $0 == 0 ? nil : $0 }) {
            if first != line { return .unchanged }
        } else if seenLines[key] == 0 {
            pendingSeen[key] = line
        } else if try firstLine(ofDuplicate: key, line: line) != nil {
            return .unchanged
        }
        return try upsert(product)
    }

    private func insertIfNew(_ product: Product) throws -> Bool {
        guard try currentProduct(product.productID) == nil else { return false }
        newProducts.append(product.productID)
        pendingProducts[product.productID] = product.storedTexts + [product.images.flatMap(StoredJSON.imageList)]
        return true
    }

    func upsert(_ product: Product) throws -> Change {
        guard var row = try currentProduct(product.productID) else {
            _ = try insertIfNew(product)
            return .new
        }
        var change: Change = .unchanged
        if !product.isBare {
            // Given fields replace the stored ones; absent ones keep them.
            for (i, value) in product.storedTexts.enumerated() where value != nil && value != row[i] {
                row[i] = value
                change = .updated
            }
        }
        if let images = product.images, StoredJSON.imageList(images) != row[11] {
            row[11] = StoredJSON.imageList(images)
            change = .updated
        }
        if change == .updated {
            if pendingProducts[product.productID] != nil {
                pendingProducts[product.productID] = row
            } else {
                changedProducts[product.productID] = row
            }
        }
        return change
    }

    /// Sends the keys this import recorded since the last time (without waiting: `sendPending`).
    private func flushSeen() throws {
        guard !pendingSeen.isEmpty else { return }
        var rows = CopyText()
        for (key, line) in pendingSeen {
            rows.text(key); rows.int(line)
            rows.endRow()
            seenLines[key] = line
        }
        try c.sendCopy(into: "import_seen", columns: ["key", "line"], data: rows.buffer)
        pendingSeen = [:]
    }

    /// Sends the waiting new and changed products (before the variants that name them).
    private func flushProducts() throws {
        if !newProducts.isEmpty {
            var rows = CopyText()
            for id in newProducts {
                rows.text(id)
                for value in pendingProducts[id]! { rows.text(value) }
                rows.endRow()
                storedProducts.updateValue(pendingProducts[id]!, forKey: id)
            }
            try c.sendCopy(into: "products", columns: ["product_id"] + Self.productColumns, data: rows.buffer)
            newProducts = []
            pendingProducts = [:]
        }
        if !changedProducts.isEmpty {
            var rows = CopyText()
            for (id, row) in changedProducts {
                rows.text(id)
                for value in row { rows.text(value) }
                rows.endRow()
                storedProducts.updateValue(row, forKey: id)
            }
            try c.sendStatement("CREATE TEMP TABLE IF NOT EXISTS import_products (LIKE products) ON COMMIT DROP")
            try c.sendStatement("TRUNCATE import_products")
            try c.sendCopy(into: "import_products", columns: ["product_id"] + Self.productColumns, data: rows.buffer)
            try c.sendStatement(
                "UPDATE products p SET (\(Self.productColumns.joined(separator: ", "))) = (\(Self.productColumns.map { "s." + $0 }.joined(separator: ", "))) FROM import_products s WHERE p.product_id = s.product_id"
            )
            changedProducts = [:]
        }
    }

    // MARK: Variants

    func upsert(_ variant: Variant, contentHash: UInt64?) throws -> Change {
        let hash = Int64(bitPattern: contentHash ?? variant.contentHash)
        var stored: Int64?
        if !catalogWasEmpty {
            if batchSKUs.contains(variant.sku) {
                stored = batchFacts[variant.sku]?.hash
            } else {
                stored = try c.query("SELECT content_hash FROM variants WHERE sku = $1", binds(.text(variant.sku))).first?.decode(Int64.self)
            }
        }
        if stored == hash { return .unchanged }
        if stored == nil {
            variantRow(variant, hash: hash, into: &newVariants)
        } else {
            variantRow(variant, hash: hash, into: &changedVariants)
            changedSKUs.append(variant.sku)
        }
        // Its overrides replace the stored ones: they are deleted before these are written (`flushVariants`).
        appendOverrides(variant)
        if newVariants.rows + changedVariants.rows >= 8192 { try sendPending() }
        return stored == nil ? .new : .updated
    }

    static let variantColumns = [
        "sku", "product_id", "status", "currency", "amount_minor", "sale_amount_minor", "sale_start", "sale_end", "gtin", "mpn", "color",
        "size", "size_system", "size_type", "link", "images", "weight", "availability_date", "custom", "content_hash", "stock_policy",
    ]

    private func variantRow(_ v: Variant, hash: Int64, into out: inout CopyText) {
        out.text(v.sku); out.text(v.productID); out.text(v.status.rawValue); out.text(v.price.currency.code)
        out.int(v.price.minorUnits); out.int(v.sale?.price.minorUnits); out.int(v.sale?.start?.secondsSinceEpoch)
        out.int(v.sale?.end?.secondsSinceEpoch); out.text(v.gtin?.digits); out.text(v.mpn); out.text(v.color)
        out.text(v.size); out.text(v.sizeSystem?.rawValue); out.text(v.sizeType?.rawValue); out.text(v.link)
        out.text(StoredJSON.imageList(v.images)); out.text(v.weight?.description); out.int(v.availabilityDate?.secondsSinceEpoch)
        out.text(StoredJSON.customObject(v.custom)); out.int(hash); out.text(v.stockPolicy.rawValue)
        out.endRow()
    }

    private func appendOverrides(_ variant: Variant) {
        for (channel, fields) in variant.overrides.sorted(by: { $0.key < $1.key }) {
            for (field, value) in fields.sorted(by: { $0.key < $1.key }) {
                newOverrides.text(variant.sku); newOverrides.text(channel); newOverrides.text(field); newOverrides.text(value)
                newOverrides.endRow()
            }
        }
    }

    // MARK: Buffers

    private var newVariants = CopyText()
    private var changedVariants = CopyText()
    private var changedSKUs: [String] = []
    private var newOverrides = CopyText()
    private var movements = CopyText()
    private var zeroLevels: [(String, String)] = []

    /// Writes everything waiting and waits until the database has it.
    func flush() throws {
        try sendPending()
        try c.settle()
    }

    /// Sends everything waiting, in the order the keys need (products, variants, their overrides, stock),
    /// without waiting: statements after these run after them, and a failure among them is thrown by the
    /// next statement waited for (`PGConnection.sendCopy`).
    private func sendPending() throws {
        try sendCatalog()
        if !movements.isEmpty {
            try c.sendCopy(into: "stock_movements", columns: ["at", "sku", "location", "delta", "kind", "ref"], data: movements.buffer)
            movements.reset()
        }
        if !zeroLevels.isEmpty {
            try c.sendStatement(
                "INSERT INTO stock_levels(sku, location, on_hand) SELECT s, l, 0 FROM unnest($1::text[], $2::text[]) AS k(s, l) ON CONFLICT DO NOTHING",
                binds(.texts(zeroLevels.map(\.0)), .texts(zeroLevels.map(\.1))))
            zeroLevels = []
        }
    }

    private func sendCatalog() throws {
        try flushSeen()
        try flushProducts()
        if !newVariants.isEmpty {
            try c.sendCopy(into: "variants", columns: Self.variantColumns, data: newVariants.buffer)
            newVariants.reset()
        }
        if !changedVariants.isEmpty {
            // Changed variants through a staging table; their stored overrides go (the new ones follow).
            try c.sendStatement("DELETE FROM channel_overrides WHERE sku = ANY($1)", binds(.texts(changedSKUs)))
            try c.sendStatement("CREATE TEMP TABLE IF NOT EXISTS import_variant (LIKE variants) ON COMMIT DROP")
            try c.sendStatement("TRUNCATE import_variant")
            try c.sendCopy(into: "import_variant", columns: Self.variantColumns, data: changedVariants.buffer)
            try c.sendStatement(
                """
                UPDATE variants v SET product_id = s.product_id, status = s.status, currency = s.currency, amount_minor = s.amount_minor,
                  sale_amount_minor = s.sale_amount_minor, sale_start = s.sale_start, sale_end = s.sale_end, gtin = s.gtin, mpn = s.mpn,
                  color = s.color, size = s.size, size_system = s.size_system, size_type = s.size_type, link = s.link, images = s.images,
                  weight = s.weight, availability_date = s.availability_date, custom = s.custom, content_hash = s.content_hash,
                  stock_policy = s.stock_policy
                FROM import_variant s WHERE v.sku = s.sku
                """)
            changedVariants.reset()
            changedSKUs = []
        }
        if !newOverrides.isEmpty {
            try c.sendCopy(into: "channel_overrides", columns: ["sku", "channel", "field", "value"], data: newOverrides.buffer)
            newOverrides.reset()
        }
    }

    func logRun(_ run: ImportRun) throws {
        try c.execute(
            "INSERT INTO import_runs(at, kind, file, format, rows, new, updated, unchanged, rejected, warnings) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            binds(
                .text(run.at), .text(run.kind), .text(run.file), .text(run.format), .int(run.rows), .int(run.new), .int(run.updated),
                .int(run.unchanged), .int(run.rejected), .int(run.warnings)))
    }

    // MARK: Lookups

    func variantExists(_ sku: String) throws -> Bool {
        try flush()
        return try !c.query("SELECT 1 FROM variants WHERE sku = $1", binds(.text(sku))).isEmpty
    }

    func productID(ofSKU sku: String) throws -> String? {
        try flush()
        return try c.query("SELECT product_id FROM variants WHERE sku = $1", binds(.text(sku))).first?.decode(String.self)
    }

    func locationExists(_ code: String) throws -> Bool {
        if knownLocations.contains(code) { return true }
        guard try !c.query("SELECT 1 FROM locations WHERE code = $1", binds(.text(code))).isEmpty else { return false }
        knownLocations.insert(code)
        return true
    }

    // MARK: Stock

    @discardableResult
    func setStock(sku: String, location: String, quantity: Int, kind: String, ref: String, knownZero: Bool) throws -> Int {
        var current: Int?
        if !knownZero {
            if location == StoreLocation.online, batchSKUs.contains(sku) {
                current = batchFacts[sku]?.online
            } else {
                try flush()
                current = try c.query("SELECT on_hand FROM stock_levels WHERE sku = $1 AND location = $2", binds(.text(sku), .text(location)))
                    .first.map { Int(try $0.decode(Int64.self)) }
            }
        }
        return try setStock(sku: sku, location: location, quantity: quantity, current: current, kind: kind) { ref }
    }

    func stockFacts(_ keys: [(sku: String, location: String)]) throws -> [(variantExists: Bool, onHand: Int?)] {
        // New variants first (a count may name a SKU this import created); movements wait until 8,192
        // (a key comes once per import: none of them changes a level asked for here).
        try sendCatalog()
        if movements.rows >= 8192 { try sendPending() }
        var facts = [(variantExists: Bool, onHand: Int?)](repeating: (false, nil), count: keys.count)
        for row in try c.query(
            """
            SELECT k.n, v.sku IS NOT NULL, s.on_hand
            FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(sku, location, n)
              LEFT JOIN variants v ON v.sku = k.sku
              LEFT JOIN stock_levels s ON s.sku = k.sku AND s.location = k.location
            """, binds(.texts(keys.map(\.sku)), .texts(keys.map(\.location))))
        {
            let (n, exists, onHand) = try row.decode((Int64, Bool, Int64?).self)
            facts[Int(n) - 1] = (exists, onHand.map { Int($0) })
        }
        return facts
    }

    @discardableResult
    func setStock(sku: String, location: String, quantity: Int, current: Int?, kind: String, ref: () -> String) throws -> Int {
        let delta = quantity - (current ?? 0)
        if delta != 0 {
            movements.text(at); movements.text(sku); movements.text(location); movements.int(delta); movements.text(kind); movements.text(ref())
            movements.endRow()
        } else if current == nil {
            zeroLevels.append((sku, location))
        }
        return delta
    }

    // MARK: Stores and promotions

    func upsert(_ store: StoreLocation) throws -> Change {
        let b = binds(
            .text(store.code), .text(store.name), .text(store.address), .text(store.city), .text(store.postalCode), .text(store.country),
            .text(store.pickupMethod.rawValue), .text(store.pickupSLA.rawValue))
        if try c.execute(
            """
            INSERT INTO locations(code, kind, name, address, city, postal_code, country, pickup_method, pickup_sla)
            VALUES ($1, 'store', $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING
            """, b) == 1
        {
            knownLocations.insert(store.code)
            return .new
        }
        let updated = try c.execute(
            """
            UPDATE locations SET name = $2, address = $3, city = $4, postal_code = $5, country = $6, pickup_method = $7, pickup_sla = $8
            WHERE code = $1 AND kind = 'store' AND (name IS DISTINCT FROM $2 OR address IS DISTINCT FROM $3 OR city IS DISTINCT FROM $4
              OR postal_code IS DISTINCT FROM $5 OR country IS DISTINCT FROM $6 OR pickup_method IS DISTINCT FROM $7
              OR pickup_sla IS DISTINCT FROM $8)
            """, b)
        return updated == 1 ? .updated : .unchanged
    }

    func upsert(_ promotion: Promotion) throws -> Change {
        let existed = try !c.query("SELECT 1 FROM promotions WHERE promotion_id = $1", binds(.text(promotion.id))).isEmpty
        let changed = try c.execute(
            """
            INSERT INTO promotions(promotion_id, title, discount_type, percent_off, amount_minor, currency, coupon_code, applies_to,
              targets, start_at, end_at, redemption, price_effect, minimum_minor, status, promotion_url, fine_print, display_start_at,
              display_end_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            ON CONFLICT (promotion_id) DO UPDATE SET title = $2, discount_type = $3, percent_off = $4, amount_minor = $5, currency = $6,
              coupon_code = $7, applies_to = $8, targets = $9, start_at = $10, end_at = $11, redemption = $12, price_effect = $13,
              minimum_minor = $14, status = $15, promotion_url = $16, fine_print = $17, display_start_at = $18, display_end_at = $19
            WHERE (promotions.title, promotions.discount_type, promotions.percent_off, promotions.amount_minor, promotions.currency,
              promotions.coupon_code, promotions.applies_to, promotions.targets, promotions.start_at, promotions.end_at,
              promotions.redemption, promotions.price_effect, promotions.minimum_minor, promotions.status, promotions.promotion_url,
              promotions.fine_print, promotions.display_start_at, promotions.display_end_at)
              IS DISTINCT FROM ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            """, StoreCopy.Value.binds(promotion.storedRow))
        if !existed { return .new }
        return changed == 1 ? .updated : .unchanged
    }

    func targetExists(_ kind: Promotion.AppliesTo, _ value: String) throws -> Bool {
        switch kind {
        case .all: return true
        case .sku: return try variantExists(value)
        case .productID: return try !c.query("SELECT 1 FROM products WHERE product_id = $1", binds(.text(value))).isEmpty
        case .brand, .productType:
            let column = kind == .brand ? "brand" : "product_type"
            if promotionTargets[column] == nil {
                promotionTargets[column] = Set(
                    try c.query("SELECT DISTINCT \(column) FROM products WHERE \(column) IS NOT NULL").map { try $0.decode(String.self) })
            }
            return promotionTargets[column]!.contains(value)
        }
    }
}

/// `ImportScratch` over a temporary table dropped at the import's commit.
final class PGScratch: ImportScratch {
    let c: PGConnection
    private var created = false
    init(_ c: PGConnection) { self.c = c }
    private func create() throws {
        guard !created else { return }
        try c.execute("CREATE TEMP TABLE import_keys (key text COLLATE \"C\" NOT NULL PRIMARY KEY, value text NOT NULL) ON COMMIT DROP")
        created = true
    }
    func remember(_ key: String, _ value: String) throws {
        try create()
        try c.execute(
            "INSERT INTO import_keys(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", binds(.text(key), .text(value)))
    }
    func recall(_ key: String) throws -> String? {
        try create()
        return try c.query("SELECT value FROM import_keys WHERE key = $1", binds(.text(key))).first?.decode(String.self)
    }
    func forget(_ key: String) throws {
        try create()
        try c.execute("DELETE FROM import_keys WHERE key = $1", binds(.text(key)))
    }
    func forEach(withPrefix prefix: String, _ body: (String, String) throws -> Void) throws {
        try create()
        let cursor = try PGCursor(
            c, sql: "SELECT key, value FROM import_keys WHERE key >= $1 AND starts_with(key, $1) ORDER BY key", binds: binds(.text(prefix))
        ) { try $0.decode((String, String).self) }
        while let (key, value) = try cursor.next() { try body(key, value) }
    }
}
