import Catalog
import Foundation
import GRDB

/// What an upsert did to a row.
public enum Change: Sendable, Equatable { case new, updated, unchanged }

/// Writes catalog rows inside one import transaction, with cached statements (the hot path of import).
///
/// Variants carry a content hash of everything the catalog says about them, so an unchanged row costs
/// one indexed lookup. Duplicate SKUs within one file are found through a temporary table, never an
/// in-memory set, so memory stays flat whatever the file size.
public final class CatalogWriter {
    public let db: Database
    let at: String

    public init(db: Database, now: Date = Date()) throws {
        self.db = db
        self.at = Timestamp(secondsSinceEpoch: Int64(now.timeIntervalSince1970)).iso8601UTC
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS import_seen (key TEXT NOT NULL PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;
            DELETE FROM import_seen;
            """)
    }

    private var statements: [UnsafeRawPointer: Statement] = [:]
    private var multiRowStatements: [String: Statement] = [:]

    /// A statement prepared once per import, found by the address of its literal (no SQL hashing).
    private func prepared(_ sql: StaticString) throws -> Statement {
        let key = UnsafeRawPointer(sql.utf8Start)
        if let statement = statements[key] { return statement }
        let statement = try db.makeStatement(sql: sql.description)
        statements[key] = statement
        return statement
    }

    /// `INSERT INTO table VALUES (?, …), (?, …)` with `count` rows of `width` values, prepared once.
    private func multiRow(_ table: String, width: Int, count: Int) throws -> Statement {
        let key = "\(table)#\(count)"
        if let statement = multiRowStatements[key] { return statement }
        let row = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        let statement = try db.makeStatement(sql: "INSERT INTO \(table) VALUES " + Array(repeating: row, count: count).joined(separator: ", "))
        multiRowStatements[key] = statement
        return statement
    }

    /// Records `key` (a SKU) as seen on `line`; returns the earlier line when it was seen before.
    public func firstLine(ofDuplicate key: String, line: Int) throws -> Int? {
        let insert = try prepared("INSERT OR IGNORE INTO import_seen(key, line) VALUES (?, ?)")
        insert.resetForBinding()
        insert.bind(1, key)
        insert.bind(2, line)
        try insert.run(db)
        if db.lastChanges == 1 { return nil }
        let select = try prepared("SELECT line FROM import_seen WHERE key = ?")
        select.resetForBinding()
        select.bind(1, key)
        return try select.firstInt64(db).map { Int($0) }
    }

    /// Inserts a product or merges its non-nil fields into the stored one.
    public func upsert(_ product: Product) throws -> Change {
        let values: [(any DatabaseValueConvertible)?] = [
            product.title, product.description, product.brand, product.googleProductCategory, product.productType,
            product.link, product.condition?.rawValue, product.gender?.rawValue, product.ageGroup?.rawValue,
            product.material, product.pattern,
        ]
        let insert = try prepared("""
            INSERT OR IGNORE INTO products(product_id, title, description, brand, google_product_category,
              product_type, link, condition, gender, age_group, material, pattern)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insert.resetForBinding()
        insert.bind(1, product.productID)
        for (i, value) in productTexts(product).enumerated() { insert.bind(Int32(i + 2), value) }
        try insert.run(db)
        var change: Change = .unchanged
        if db.lastChanges == 1 {
            change = .new
        } else if !product.isBare {
            let update = try prepared("""
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
            try update.execute(arguments: StatementArguments(values + [product.productID]))
            if db.changesCount == 1 { change = .updated }
        }
        if let images = product.images {
            let stored = try String.fetchAll(
                prepared("SELECT url FROM product_images WHERE product_id = ? ORDER BY position"),
                arguments: [product.productID])
            if stored != images {
                try prepared("DELETE FROM product_images WHERE product_id = ?")
                    .execute(arguments: [product.productID])
                let insertImage = try db.cachedStatement(
                    sql: "INSERT INTO product_images(product_id, position, url) VALUES (?, ?, ?)")
                for (i, url) in images.enumerated() {
                    try insertImage.execute(arguments: [product.productID, i + 1, url])
                }
                if change == .unchanged { change = .updated }
            }
        }
        return change
    }

    /// Inserts a variant, or replaces it when its content differs from what is stored.
    /// The product must exist (upsert it first).
    public func upsert(_ variant: Variant) throws -> Change {
        let hash = Int64(bitPattern: variant.contentHash)
        let select = try prepared("SELECT content_hash FROM variants WHERE sku = ?")
        select.resetForBinding()
        select.bind(1, variant.sku)
        let stored = try select.firstInt64(db)
        if stored == hash { return .unchanged }
        let statement: Statement
        if stored == nil {
            statement = try prepared("""
                INSERT INTO variants(sku, product_id, status, color, size, size_system, size_type, link, weight,
                  availability_date, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        } else {
            statement = try prepared("""
                UPDATE variants SET product_id = ?2, status = ?3, color = ?4, size = ?5, size_system = ?6,
                  size_type = ?7, link = ?8, weight = ?9, availability_date = ?10, content_hash = ?11
                WHERE sku = ?1
                """)
            for table: StaticString in [
                "DELETE FROM prices WHERE sku = ?", "DELETE FROM identifiers WHERE sku = ?",
                "DELETE FROM variant_images WHERE sku = ?", "DELETE FROM channel_overrides WHERE sku = ?",
                "DELETE FROM custom_attributes WHERE sku = ?",
            ] {
                let delete = try prepared(table)
                delete.resetForBinding()
                delete.bind(1, variant.sku)
                try delete.run(db)
            }
        }
        statement.resetForBinding()
        statement.bind(1, variant.sku)
        statement.bind(2, variant.productID)
        statement.bind(3, variant.status.rawValue)
        statement.bind(4, variant.color)
        statement.bind(5, variant.size)
        statement.bind(6, variant.sizeSystem?.rawValue)
        statement.bind(7, variant.sizeType?.rawValue)
        statement.bind(8, variant.link)
        statement.bind(9, variant.weight?.description)
        statement.bind(10, variant.availabilityDate?.secondsSinceEpoch)
        statement.bind(11, hash)
        try statement.run(db)

        let price = try prepared("""
            INSERT INTO prices(sku, currency, amount_minor, sale_amount_minor, sale_start, sale_end)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        price.resetForBinding()
        price.bind(1, variant.sku)
        price.bind(2, variant.price.currency.code)
        price.bind(3, variant.price.minorUnits)
        price.bind(4, variant.sale?.price.minorUnits)
        price.bind(5, variant.sale?.start?.secondsSinceEpoch)
        price.bind(6, variant.sale?.end?.secondsSinceEpoch)
        try price.run(db)

        var identifiers: [(String, String)] = []
        if let gtin = variant.gtin { identifiers.append(("gtin", gtin.digits)) }
        if let mpn = variant.mpn { identifiers.append(("mpn", mpn)) }
        try insertRows(into: "identifiers(sku, scheme, value)", key: variant.sku, identifiers)
        try insertRows(into: "variant_images(sku, position, url)", key: variant.sku,
                       variant.images.enumerated().map { (String($0.offset + 1), $0.element) })
        var overrides: [(String, String, String)] = []
        for (channel, fields) in variant.overrides.sorted(by: { $0.key < $1.key }) {
            for (field, value) in fields.sorted(by: { $0.key < $1.key }) { overrides.append((channel, field, value)) }
        }
        for chunk in stride(from: 0, to: overrides.count, by: 100) {
            let part = overrides[chunk..<min(chunk + 100, overrides.count)]
            let insert = try multiRow("channel_overrides(sku, channel, field, value)", width: 4, count: part.count)
            insert.resetForBinding()
            for (i, (channel, field, value)) in part.enumerated() {
                insert.bind(Int32(i * 4 + 1), variant.sku)
                insert.bind(Int32(i * 4 + 2), channel)
                insert.bind(Int32(i * 4 + 3), field)
                insert.bind(Int32(i * 4 + 4), value)
            }
            try insert.run(db)
        }
        try insertRows(into: "custom_attributes(sku, name, value)", key: variant.sku,
                       variant.custom.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) })
        return stored == nil ? .new : .updated
    }

    /// Inserts `(key, a, b)` rows in one statement per 100 rows (fewer steps than one insert each).
    private func insertRows(into table: String, key: String, _ rows: [(String, String)]) throws {
        for chunk in stride(from: 0, to: rows.count, by: 100) {
            let part = rows[chunk..<min(chunk + 100, rows.count)]
            let insert = try multiRow(table, width: 3, count: part.count)
            insert.resetForBinding()
            for (i, (a, b)) in part.enumerated() {
                insert.bind(Int32(i * 3 + 1), key)
                insert.bind(Int32(i * 3 + 2), a)
                insert.bind(Int32(i * 3 + 3), b)
            }
            try insert.run(db)
        }
    }

    /// Whether a SKU exists in the store.
    public func variantExists(_ sku: String) throws -> Bool {
        try Bool.fetchOne(prepared("SELECT 1 FROM variants WHERE sku = ?"), arguments: [sku]) ?? false
    }

    /// Whether a location code exists (`online` always does).
    public func locationExists(_ code: String) throws -> Bool {
        try Bool.fetchOne(prepared("SELECT 1 FROM locations WHERE code = ?"), arguments: [code]) ?? false
    }

    /// Sets on-hand stock to an absolute `quantity` by appending the difference to the ledger.
    /// Returns the delta (0 when the figure was already right: nothing is written then).
    /// - Parameter knownZero: the caller knows there is no stock record yet (a SKU created just now).
    @discardableResult
    public func setStock(sku: String, location: String, quantity: Int, kind: String, ref: String, knownZero: Bool = false) throws -> Int {
        var current: Int?
        if !knownZero {
            let select = try prepared("SELECT on_hand FROM stock_levels WHERE sku = ? AND location = ?")
            select.resetForBinding()
            select.bind(1, sku)
            select.bind(2, location)
            current = try select.firstInt64(db).map { Int($0) }
        }
        let delta = quantity - (current ?? 0)
        if delta != 0 {
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
    public func appendMovement(sku: String, location: String, delta: Int, kind: String, ref: String) throws {
        let insert = try prepared("""
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

    private func productTexts(_ product: Product) -> [String?] {
        [product.title, product.description, product.brand, product.googleProductCategory, product.productType,
         product.link, product.condition?.rawValue, product.gender?.rawValue, product.ageGroup?.rawValue,
         product.material, product.pattern]
    }

    /// Inserts or updates a store; returns what happened.
    public func upsert(_ store: StoreLocation) throws -> Change {
        let args: StatementArguments = [
            store.code, store.name, store.address, store.city, store.postalCode, store.country,
            store.pickupMethod.rawValue, store.pickupSLA.rawValue,
        ]
        try prepared("""
            INSERT OR IGNORE INTO locations(code, kind, name, address, city, postal_code, country, pickup_method, pickup_sla)
            VALUES (?1, 'store', ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """).execute(arguments: args)
        if db.changesCount == 1 { return .new }
        try prepared("""
            UPDATE locations SET name = ?2, address = ?3, city = ?4, postal_code = ?5, country = ?6,
              pickup_method = ?7, pickup_sla = ?8
            WHERE code = ?1 AND kind = 'store' AND (name IS NOT ?2 OR address IS NOT ?3 OR city IS NOT ?4 OR
              postal_code IS NOT ?5 OR country IS NOT ?6 OR pickup_method IS NOT ?7 OR pickup_sla IS NOT ?8)
            """).execute(arguments: args)
        return db.changesCount == 1 ? .updated : .unchanged
    }
}

