import Catalog
import Foundation
internal import GRDB
import StorePort

/// Read-side queries over the catalog, streaming with cursors.
enum CatalogQueries {
    /// Every column a `VariantView` shows: overrides and stock per location packed into one value each
    /// (see `select(stockLocations:)`). Listing, `show` and the feeds add their own
    /// WHERE / ORDER BY.
    static let selectSQL = select(stockLocations: nil)
    /// `selectSQL` with the ledger's recent movements added to stock (`RecentMovements`).
    static let selectWithRecentSQL = select(stockLocations: nil, recent: true)

    /// The same, reading stock only at `stockLocations` locations, bound as parameters (`nil`: all).
    ///
    /// A variant's price, identifiers, images and custom attributes are columns of its own row; what
    /// remains are lookups by key, as few as the keys allow, since a correlated `group_concat` costs two
    /// to three times a lookup by primary key (docs/PERFORMANCE.md, "The feed query"). So stock at a
    /// single location is its `on_hand` alone, and the overrides' aggregate runs only for a SKU that has
    /// any.
    ///
    /// `joinProducts: false` (the feeds): the product's columns come back NULL and the caller merges
    /// them in from `productsSQL`, read alongside in the same order (see `feedRows`).
    ///
    /// `recent`: stock adds the movements of `stock_movements_recent` to `stock_levels` (needed only when
    /// that table has any: a fold empties it).
    static func select(stockLocations: Int?, joinProducts: Bool = true, recent: Bool = false) -> String {
        let inLocations = stockLocations.map { " AND location IN (" + Array(repeating: "?", count: $0).joined(separator: ", ") + ")" } ?? ""
        let stock =
            switch (stockLocations == 1, recent) {
            case (true, false): "(SELECT on_hand FROM stock_levels WHERE sku = v.sku AND location = ?) AS stock_on_hand"
            case (true, true): RecentMovements.onHandSQL(sku: "v.sku", location: "?1") + " AS stock_on_hand"
            case (false, false): "(SELECT group_concat(location || char(30) || on_hand, char(31)) FROM stock_levels WHERE sku = v.sku\(inLocations)) AS stock_packed"
            case (false, true):
                """
                (SELECT group_concat(location || char(30) || n, char(31)) FROM (
                  SELECT location, sum(n) AS n FROM (SELECT location, on_hand AS n FROM stock_levels WHERE sku = v.sku\(inLocations)
                    UNION ALL SELECT location, delta FROM stock_recent_levels WHERE sku = v.sku\(inLocations))
                  GROUP BY location ORDER BY location)) AS stock_packed
                """
            }
        // The product's columns, or NULLs of the same names where the caller merges the product in.
        func p(_ column: String) -> String { joinProducts ? "p.\(column)" : "NULL AS \(column)" }
        return """
            SELECT v.product_id, v.sku, v.status, \(p("title")), \(p("description")), \(p("brand")), v.gtin,
              \(p("condition")), v.amount_minor, v.currency, v.sale_amount_minor, v.sale_start, v.sale_end,
              \(joinProducts ? "COALESCE(v.link, p.link)" : "v.link") AS link,
              \(joinProducts ? "COALESCE(v.images, p.images)" : "v.images") AS images,
              v.color, v.size, v.size_system, v.size_type, \(p("gender")), \(p("age_group")), \(p("material")), \(p("pattern")),
              \(p("google_product_category")), \(p("product_type")), v.weight, v.availability_date,
              CASE WHEN EXISTS (SELECT 1 FROM channel_overrides WHERE sku = v.sku) THEN
                (SELECT group_concat(channel || char(30) || field || char(30) || value, char(31)) FROM channel_overrides WHERE sku = v.sku)
              END AS overrides_packed,
              v.custom,
              \(stock),
              v.mpn, v.stock_policy
            FROM variants v\(joinProducts ? " JOIN products p ON p.product_id = v.product_id" : "")
            """
    }

    /// A product's own columns, in the order `productColumns(_:)` reads them.
    private static let productColumnsSQL = """
        SELECT product_id, title, description, brand, condition, gender, age_group, material, pattern,
          google_product_category, product_type, link, images
        FROM products
        """
    /// Every product in `product_id` order, to merge with variant rows read in that order.
    static let productsSQL = productColumnsSQL + " ORDER BY product_id"

    /// The columns of `selectSQL` by position (read by index: a lookup by name costs a hash per column
    /// per row, and feeds read every row).
    private enum C {
        static let productID = 0, sku = 1, status = 2, title = 3, description = 4, brand = 5, gtin = 6, condition = 7
        static let amount = 8, currency = 9, saleAmount = 10, saleStart = 11, saleEnd = 12, link = 13, images = 14
        static let color = 15, size = 16, sizeSystem = 17, sizeType = 18, gender = 19, ageGroup = 20, material = 21
        static let pattern = 22, googleProductCategory = 23, productType = 24, weight = 25, availabilityDate = 26
        static let overrides = 27, custom = 28, stock = 29, mpn = 30, stockPolicy = 31
    }

    /// Calls `body` for each record of a packed value (records separated by U+001F, fields by U+001E)
    /// with its field count and its first three fields as bytes: no array per record (feeds unpack two
    /// of these per row: the overrides and the stock).
    private static func forEachRecord(
        _ packed: String?,
        _ body: (Int, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void
    ) {
        guard var packed, !packed.isEmpty else { return }
        packed.withUTF8 { bytes in
            let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            var fields = (empty, empty, empty)
            var count = 0
            var start = 0
            for i in 0...bytes.count {
                let b = i == bytes.count ? 0x1F : bytes[i]
                guard b == 0x1E || b == 0x1F else { continue }
                let field = UnsafeBufferPointer(rebasing: bytes[start..<i])
                switch count {
                case 0: fields.0 = field
                case 1: fields.1 = field
                case 2: fields.2 = field
                default: break
                }
                count += 1
                start = i + 1
                if b == 0x1F {
                    body(count, fields.0, fields.1, fields.2)
                    count = 0
                }
            }
        }
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// A product's own columns, shared by its variants' views.
    struct ProductColumns {
        var productID: String
        var title, description, brand, condition, gender, ageGroup, material, pattern: String?
        var googleProductCategory, productType: String?
        /// The product's own link and images, for a variant without its own (set when the product was read
        /// by `productsSQL`; from a joined row the variant's columns have them already).
        var link: String? = nil
        var images: String? = nil
    }

    /// `ProductColumns` from a row of `productsSQL`.
    private static func productColumns(_ row: Row) -> ProductColumns {
        ProductColumns(
            productID: row[0], title: row[1], description: row[2], brand: row[3], condition: row[4], gender: row[5],
            ageGroup: row[6], material: row[7], pattern: row[8], googleProductCategory: row[9], productType: row[10],
            link: row[11], images: row[12])
    }

    /// The view of one row. `product`: the product of the row before, when the caller keeps it, or the
    /// row's own product when the caller merged it in (`feedRows`: the row's product columns are NULL
    /// then). A product's variants come one after the other and its own columns (title, description,
    /// brand, categories…) are the same for each, so they are shared, not read and allocated again.
    ///
    /// `stockLocation`: the one location a query made with `select(stockLocations: 1)` reads stock at
    /// (its stock column is then that location's `on_hand`).
    static func view(_ row: Row, product: inout ProductColumns?, stockLocation: String? = nil) -> VariantView {
        let currencyCode: String = row[C.currency]
        // Imports store only currencies they know; one this build does not know keeps two decimals.
        let currency = Currency(code: currencyCode) ?? Currency(unknownCode: currencyCode)
        var v = VariantView(
            productID: row[C.productID], sku: SKU(row[C.sku] as String), price: Money(minorUnits: row[C.amount], currency: currency),
            status: VariantStatus(rawValue: row[C.status]) ?? .active)
        if product?.productID != v.productID {
            product = ProductColumns(
                productID: v.productID, title: row[C.title], description: row[C.description], brand: row[C.brand],
                condition: row[C.condition], gender: row[C.gender], ageGroup: row[C.ageGroup], material: row[C.material],
                pattern: row[C.pattern], googleProductCategory: row[C.googleProductCategory], productType: row[C.productType])
        }
        if let p = product {
            v.title = p.title
            v.description = p.description
            v.brand = p.brand
            v.condition = p.condition
            v.gender = p.gender
            v.ageGroup = p.ageGroup
            v.material = p.material
            v.pattern = p.pattern
            v.googleProductCategory = p.googleProductCategory
            v.productType = p.productType
        }
        v.gtin = row[C.gtin]
        v.mpn = row[C.mpn]
        v.salePrice = (row[C.saleAmount] as Int64?).map { Money(minorUnits: $0, currency: currency) }
        v.saleStart = (row[C.saleStart] as Int64?).map(Timestamp.init)
        v.saleEnd = (row[C.saleEnd] as Int64?).map(Timestamp.init)
        v.link = row[C.link] ?? product?.link
        if var images = row[C.images] as String? ?? product?.images {
            images.withUTF8 { bytes in
                // One allocation for the array (appending to an empty one grew it twice for three images).
                v.images.reserveCapacity(bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) })
                var start = 0
                for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
                    if i > start { v.images.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)) }
                    start = i + 1
                }
            }
        }
        v.color = row[C.color]
        v.size = row[C.size]
        v.sizeSystem = row[C.sizeSystem]
        v.sizeType = row[C.sizeType]
        v.weight = row[C.weight]
        v.availabilityDate = (row[C.availabilityDate] as Int64?).map(Timestamp.init)
        if let policy = row[C.stockPolicy] as String?, policy != "tracked" { v.stockPolicy = StockPolicy(rawValue: policy) ?? .tracked }
        forEachRecord(row[C.overrides]) { count, channel, field, value in
            if count == 3 { v.overrides.append((text(channel), text(field), text(value))) }
        }
        if v.overrides.count > 1 { v.overrides.sort { ($0.0, $0.1) < ($1.0, $1.1) } }
        if let custom = row[C.custom] as String? { v.custom = StoredJSON.stringMembers(custom) }
        if v.custom.count > 1 { v.custom.sort { $0.0 < $1.0 } }
        if let stockLocation {
            if let onHand = row[C.stock] as Int? { v.stock = [(location: stockLocation, quantity: onHand)] }
        } else {
            forEachRecord(row[C.stock]) { count, location, quantity, _ in
                if count == 2 { v.stock.append((location: text(location), quantity: Int(text(quantity)) ?? 0)) }
            }
        }
        v.quantity = v.stock.first { $0.location == StoreLocation.online }?.quantity
        return v
    }

    /// Every SKU for the feeds, ordered by product then SKU so that a product's variants arrive
    /// together; one at a time, inside the caller's read transaction.
    static func forEachFeedRow(_ db: Database, _ body: (VariantView) throws -> Void) throws {
        let cursor = try feedRows(db)
        while let v = try cursor.next() { try body(v) }
    }

    /// The same rows as a cursor: each `next()` hands over its view (a caller that keeps views, to group
    /// them by product, takes them without a copy).
    ///
    /// - Parameter locations: the stock locations to read (`nil`: all). A publish without local
    ///   inventory needs only its channels' stock locations, and stock is the dearest lookup per row.
    static func feedRows(_ db: Database, locations: [String]? = nil) throws -> MapCursor<RowCursor, VariantView> {
        let products = try ProductMerge(db)
        let single = locations?.count == 1 ? locations![0] : nil
        let recent = try RecentMovements.any(db)
        // With recent movements, a list of locations is bound twice (once per table); one location is `?1`.
        let arguments = recent && single == nil ? (locations ?? []) + (locations ?? []) : (locations ?? [])
        return try Row.fetchCursor(
            db, sql: select(stockLocations: locations?.count, joinProducts: false, recent: recent) + " ORDER BY v.product_id, v.sku",
            arguments: StatementArguments(arguments)
        )
        .map { row in
            try products.advance(to: row[C.productID] as String)
            return view(row, product: &products.current, stockLocation: single)
        }
    }

    /// The products, read in `product_id` order alongside variant rows read in the same order: a merge
    /// instead of a lookup by key per variant row (docs/PERFORMANCE.md, "The feed query").
    private final class ProductMerge {
        let db: Database
        let cursor: RowCursor
        var current: ProductColumns?

        init(_ db: Database) throws {
            self.db = db
            cursor = try Row.fetchCursor(db, sql: productsSQL)
        }

        /// Makes `current` the product `productID`. Ids are compared as SQLite orders them (bytes), not
        /// as Swift compares Strings (canonical equivalence).
        func advance(to productID: String) throws {
            if let current, current.productID.utf8.elementsEqual(productID.utf8) { return }
            while let row = try cursor.next() {
                let id: String = row[0]
                if id.utf8.elementsEqual(productID.utf8) {
                    current = CatalogQueries.productColumns(row)
                    return
                }
                if !id.utf8.lexicographicallyPrecedes(productID.utf8) { break }  // passed it: should not happen
            }
            // Not met in order (a foreign key makes every variant's product exist): look it up.
            current =
                try Row.fetchOne(db, sql: productColumnsSQL + " WHERE product_id = ?", arguments: [productID])
                .map(CatalogQueries.productColumns) ?? ProductColumns(productID: productID)
        }
    }

    /// The stores, ordered by code.
    static func stores(_ db: Database) throws -> [StoreLocation] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM locations WHERE kind = 'store' ORDER BY code")).compactMap { row in
            guard let method = PickupMethod(rawValue: row["pickup_method"] ?? ""), let sla = PickupSLA(rawValue: row["pickup_sla"] ?? "") else {
                return nil
            }
            return StoreLocation(
                code: row["code"], name: row["name"], address: row["address"] ?? "", city: row["city"] ?? "",
                postalCode: row["postal_code"] ?? "", country: row["country"] ?? "", pickupMethod: method, pickupSLA: sla)
        }
    }

    /// Every SKU sorted by SKU, one at a time (memory does not grow with the catalog).
    static func forEachVariant(_ db: Database, _ body: (VariantView) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db, sql: (try RecentMovements.any(db) ? selectWithRecentSQL : selectSQL) + " ORDER BY v.sku")
        var product: ProductColumns?
        while let row = try cursor.next() { try body(view(row, product: &product)) }
    }

    /// One SKU with its custom attributes and channel overrides, or `nil`.
    static func variant(_ db: Database, sku: String) throws -> VariantView? {
        var product: ProductColumns?
        return try Row.fetchOne(db.cachedStatement(sql: selectWithRecentSQL + " WHERE v.sku = ?"), arguments: [sku]).map { view($0, product: &product) }
    }

    /// A SKU's stock report, or `nil` when the SKU is unknown.
    static func stock(_ db: Database, sku: String) throws -> StockReport? {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM variants WHERE sku = ?"), arguments: [sku]) == true else {
            return nil
        }
        // On hand per location, each looked up by key in its tables (a join on the `stock_on_hand` view
        // would read all of it).
        let levels = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT l.code, COALESCE(\(RecentMovements.onHandSQL(sku: "?1", location: "l.code")), 0) FROM locations l ORDER BY l.kind = 'store', l.code"),
            arguments: [sku]
        ).map { (location: $0[0] as String, quantity: $0[1] as Int) }
        let movements = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, at, location, delta, kind, ref FROM stock_movements WHERE sku = ?1
                    UNION ALL SELECT id, at, location, delta, kind, ref FROM stock_movements_recent WHERE sku = ?1
                    ORDER BY id
                    """),
            arguments: [sku]
        ).map { StockMovement(id: $0["id"], at: $0["at"], location: $0["location"], delta: $0["delta"], kind: $0["kind"], ref: $0["ref"]) }
        return StockReport(sku: sku, onHand: levels, movements: movements)
    }

    /// Every promotion, sorted by id.
    static func promotions(_ db: Database) throws -> [Promotion] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT \(promotionColumns) FROM promotions p ORDER BY p.promotion_id")).map(promotion)
    }

    /// The active promotions that name one SKU (by itself, its product, product type or brand) or all
    /// products, sorted by id: one pass of SQLite over the (small) table, no Swift value per other row.
    static func promotions(_ db: Database, sku: String) throws -> [Promotion] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT \(promotionColumns) FROM variants v JOIN products pr ON pr.product_id = v.product_id, promotions p
                    WHERE v.sku = ?1 AND p.status = 'active' AND (
                      p.applies_to = 'all'
                      OR instr(char(31) || p.targets || char(31), char(31) || CASE p.applies_to
                           WHEN 'sku' THEN v.sku WHEN 'product_id' THEN v.product_id
                           WHEN 'brand' THEN pr.brand WHEN 'product_type' THEN pr.product_type END || char(31)) > 0)
                    ORDER BY p.promotion_id
                    """), arguments: [sku]
        ).map(promotion)
    }

    private static func promotion(_ row: Row) -> Promotion {
        Promotion(storedRow: StoreCopy.Value.row(row, count: StoreCopy.promotions.columns.count))
    }

    /// The promotions' columns in `Promotion.storedRow` order, of the table aliased `p`.
    private static let promotionColumns = StoreCopy.promotions.columns.map { "p." + $0.name }.joined(separator: ", ")

    /// Counts for summaries: products, variants, stores.
    static func counts(_ db: Database) throws -> (products: Int, variants: Int, stores: Int, movements: Int) {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT (SELECT count(*) FROM products), (SELECT count(*) FROM variants),
                       (SELECT count(*) FROM locations WHERE kind = 'store'),
                       (SELECT count(*) FROM stock_movements) + (SELECT count(*) FROM stock_movements_recent)
                """)!
        return (row[0], row[1], row[2], row[3])
    }
}

/// The port's read side over one read transaction.
struct SQLiteSnapshot: CatalogSnapshot {
    let db: Database

    func stores() throws -> [StoreLocation] { try CatalogQueries.stores(db) }

    func feedRows(locations: [String]?) throws -> any VariantCursor {
        FeedRowCursor(try CatalogQueries.feedRows(db, locations: locations))
    }

    func forEachVariant(_ body: (VariantView) throws -> Void) throws { try CatalogQueries.forEachVariant(db, body) }
    func variant(sku: String) throws -> VariantView? { try CatalogQueries.variant(db, sku: sku) }
    func stock(sku: String) throws -> StockReport? { try CatalogQueries.stock(db, sku: sku) }
    func counts() throws -> (products: Int, variants: Int, stores: Int, movements: Int) { try CatalogQueries.counts(db) }
    func orderLines() throws -> [RecordedOrderLine] { try OrderBook.list(db) }
    func promotions() throws -> [Promotion] { try CatalogQueries.promotions(db) }
    func promotions(sku: String) throws -> [Promotion] { try CatalogQueries.promotions(db, sku: sku) }

    func unknownSKUs(_ skus: [String]) throws -> [String] { try MovementWriter.unknownSKUs(db, skus) }
    func unknownLocations(_ codes: [String]) throws -> [String] { try MovementWriter.unknownLocations(db, codes) }

    func forEachStockLevel(location: String?, below: Int?, _ body: (String, String, Int) throws -> Void) throws {
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT sku, location, on_hand FROM \(try RecentMovements.levels(db))
                WHERE (?1 IS NULL OR location = ?1) AND (?2 IS NULL OR on_hand < ?2)
                ORDER BY sku, location
                """, arguments: [location, below])
        while let row = try cursor.next() { try body(row[0], row[1], row[2]) }
    }
}

/// The feed rows' cursor behind the port.
final class FeedRowCursor: VariantCursor {
    private let rows: MapCursor<RowCursor, VariantView>
    init(_ rows: MapCursor<RowCursor, VariantView>) { self.rows = rows }
    func next() throws -> VariantView? { try rows.next() }
}
