import Catalog
import Foundation
import NIOCore
import PostgresNIO
import StorePort

/// The port's read side over one PostgreSQL snapshot. Every answer is built as `SQLiteSnapshot` builds
/// it (the same orders, by bytes: keys use the "C" collation), so both stores publish the same bytes.
struct PGSnapshot: CatalogSnapshot {
    let c: PGConnection
    init(_ c: PGConnection) { self.c = c }

    /// Every column a `VariantView` shows, in `view(_:)`'s order; stock and overrides packed as the
    /// SQLite store packs them (records separated by U+001F, fields by U+001E).
    ///
    /// Overrides and stock are looked up per row by key, so the rows stream in the index's order from the
    /// first fetch: joined as aggregates, the 1M-variant query sorted every row (330 MB spilled to disk)
    /// before it gave the first one (docs/PERFORMANCE.md, "PostgreSQL").
    ///
    /// `joinProducts: false` (the feeds): the product's columns come back NULL, and link and images are
    /// the variant's own; the caller merges the products in from `productsSQL`, read in the same order
    /// (each product's long texts cross the wire once, not once per variant).
    ///
    /// `overrides: false` (a store without any): no lookup per row (1M variants: 1.3 s of the server's
    /// time). Stock and overrides are packed unsorted and sorted by the reader (`view`): sorting each
    /// row's few records in the server's aggregate cost it 0.7 s at 1M.
    static func select(filterLocations: Bool, joinProducts: Bool = true, overrides: Bool = true) -> String {
        func p(_ column: String) -> String { joinProducts ? "p.\(column)" : "NULL::text" }
        return """
            SELECT v.product_id, v.sku, v.status, \(p("title")), \(p("description")), \(p("brand")), v.gtin, \(p("condition")),
              v.amount_minor, v.currency, v.sale_amount_minor, v.sale_start, v.sale_end,
              \(joinProducts ? "COALESCE(v.link, p.link), COALESCE(v.images, p.images)" : "v.link, v.images"),
              v.color, v.size, v.size_system, v.size_type, \(p("gender")), \(p("age_group")), \(p("material")), \(p("pattern")),
              \(p("google_product_category")), \(p("product_type")), v.weight, v.availability_date,
              \(overrides ? "(SELECT string_agg(channel || chr(30) || field || chr(30) || value, chr(31)) FROM channel_overrides o WHERE o.sku = v.sku)" : "NULL::text"),
              v.custom,
              (SELECT string_agg(location || chr(30) || on_hand, chr(31))
                 FROM stock_levels s WHERE s.sku = v.sku\(filterLocations ? " AND s.location = ANY($1)" : "")),
              v.mpn, v.stock_policy
            FROM variants v\(joinProducts ? " JOIN products p ON p.product_id = v.product_id" : "")
            """
    }

    /// The view of one row of `select`, its cells read in order straight from their bytes (a random-
    /// access row and the generic decoders cost a third of the reading thread).
    static func view(_ row: PostgresRow) throws -> VariantView {
        var product: ProductTexts?
        return view(row, product: &product)
    }

    /// A product's own texts, shared by its variants' views (a product's variants come one after the
    /// other: its texts are read once, not made again for each).
    struct ProductTexts {
        var id: String
        var title, description, brand, condition, gender, ageGroup, material, pattern, category, productType: String?
        /// The product's own link and images (set when read by `productsSQL`, for variants without theirs).
        var link, images: String?
    }

    /// Every product's texts in `product_id` order, to merge with feed rows read in that order.
    static let productsSQL = """
        SELECT product_id, title, description, brand, condition, gender, age_group, material, pattern,
          google_product_category, product_type, link, images
        FROM products
        """

    static func productTexts(_ row: PostgresRow) -> ProductTexts {
        var r = Cells(row)
        return ProductTexts(
            id: r.text() ?? "", title: r.text(), description: r.text(), brand: r.text(), condition: r.text(), gender: r.text(),
            ageGroup: r.text(), material: r.text(), pattern: r.text(), category: r.text(), productType: r.text(), link: r.text(),
            images: r.text())
    }

    /// `merged`: `product` is the row's product, merged in by the caller (a row of
    /// `select(joinProducts: false)`).
    static func view(_ row: PostgresRow, product: inout ProductTexts?, merged: Bool = false) -> VariantView {
        var r = Cells(row)
        let productID = r.text() ?? ""
        let sku = r.text() ?? ""
        let status = r.text()
        let same = merged || (product.map { $0.id.utf8.elementsEqual(productID.utf8) } ?? false)
        if !same { product = ProductTexts(id: productID) }
        let title = same ? r.skip(product!.title) : r.text(), description = same ? r.skip(product!.description) : r.text()
        let brand = same ? r.skip(product!.brand) : r.text()
        let gtin = r.text()
        let condition = same ? r.skip(product!.condition) : r.text()
        let amount = r.int() ?? 0
        let currencyCode = r.text() ?? ""
        let currency = Currency(code: currencyCode) ?? Currency(unknownCode: currencyCode)
        var v = VariantView(
            productID: productID, sku: SKU(sku), price: Money(minorUnits: amount, currency: currency),
            status: VariantStatus(rawValue: status ?? "") ?? .active)
        v.title = title
        v.description = description
        v.brand = brand
        v.gtin = gtin
        v.condition = condition
        if !same {
            product!.title = title
            product!.description = description
            product!.brand = brand
            product!.condition = condition
        }
        v.salePrice = r.int().map { Money(minorUnits: $0, currency: currency) }
        v.saleStart = r.int().map(Timestamp.init)
        v.saleEnd = r.int().map(Timestamp.init)
        v.link = r.text() ?? (merged ? product?.link : nil)
        if let images = r.text() ?? (merged ? product?.images : nil) { v.images = Self.split(images, 0x0A).map(String.init) }
        v.color = r.text()
        v.size = r.text()
        v.sizeSystem = r.text()
        v.sizeType = r.text()
        if same, let p = product {
            v.gender = r.skip(p.gender)
            v.ageGroup = r.skip(p.ageGroup)
            v.material = r.skip(p.material)
            v.pattern = r.skip(p.pattern)
            v.googleProductCategory = r.skip(p.category)
            v.productType = r.skip(p.productType)
        } else {
            v.gender = r.text()
            v.ageGroup = r.text()
            v.material = r.text()
            v.pattern = r.text()
            v.googleProductCategory = r.text()
            v.productType = r.text()
            product!.gender = v.gender
            product!.ageGroup = v.ageGroup
            product!.material = v.material
            product!.pattern = v.pattern
            product!.category = v.googleProductCategory
            product!.productType = v.productType
        }
        v.weight = r.text()
        v.availabilityDate = r.int().map(Timestamp.init)
        for record in packed(r.text()) where record.count == 3 { v.overrides.append((record[0], record[1], record[2])) }
        if v.overrides.count > 1 { v.overrides.sort { ($0.0, $0.1) < ($1.0, $1.1) } }
        if let custom = r.text() { v.custom = StoredJSON.stringMembers(custom) }
        if v.custom.count > 1 { v.custom.sort { $0.0 < $1.0 } }
        for record in packed(r.text()) where record.count == 2 {
            v.stock.append((location: record[0], quantity: Int(record[1]) ?? 0))
        }
        if v.stock.count > 1 { v.stock.sort { $0.location.utf8.lexicographicallyPrecedes($1.location.utf8) } }
        v.mpn = r.text()
        if let policy = r.text(), policy != "tracked" { v.stockPolicy = StockPolicy(rawValue: policy) ?? .tracked }
        v.quantity = v.stock.first { $0.location == StoreLocation.online }?.quantity
        return v
    }

    private static func packed(_ text: String?) -> [[String]] {
        guard let text, !text.isEmpty else { return [] }
        return split(text, 0x1F, keepEmpty: true).map { record in split(String(record), 0x1E, keepEmpty: true).map(String.init) }
    }

    /// `text` split at a byte (an ASCII separator), on its UTF-8 bytes (`String.split` walks Characters).
    static func split(_ text: String, _ separator: UInt8, keepEmpty: Bool = false) -> [Substring] {
        let utf8 = text.utf8
        var parts: [Substring] = []
        var start = utf8.startIndex
        var i = start
        while i != utf8.endIndex {
            if utf8[i] == separator {
                if keepEmpty || i != start { parts.append(Substring(utf8[start..<i])) }
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        if keepEmpty || start != utf8.endIndex { parts.append(Substring(utf8[start..<utf8.endIndex])) }
        return parts
    }

    func stores() throws -> [StoreLocation] {
        try c.query(
            "SELECT code, name, address, city, postal_code, country, pickup_method, pickup_sla FROM locations WHERE kind = 'store' ORDER BY code"
        ).compactMap { row in
            let r = row.makeRandomAccess()
            guard let method = PickupMethod(rawValue: try r.text(6) ?? ""), let sla = PickupSLA(rawValue: try r.text(7) ?? "") else { return nil }
            return StoreLocation(
                code: try r.text(0) ?? "", name: try r.text(1) ?? "", address: try r.text(2) ?? "", city: try r.text(3) ?? "",
                postalCode: try r.text(4) ?? "", country: try r.text(5) ?? "", pickupMethod: method, pickupSLA: sla)
        }
    }

    func feedRows(locations: [String]?) throws -> any VariantCursor {
        let products = try ProductMerge(c)
        let overrides = try !c.query("SELECT 1 FROM channel_overrides LIMIT 1").isEmpty
        return PGFeedCursor(
            try PGCursor(
                c, sql: Self.select(filterLocations: locations != nil, joinProducts: false, overrides: overrides) + " ORDER BY v.product_id, v.sku",
                binds: locations.map { binds(.texts($0)) } ?? PostgresBindings()
            ) { row in
                var cells = Cells(row)
                try products.advance(to: cells.text() ?? "")
                return Self.view(row, product: &products.current, merged: true)
            })
    }

    func forEachVariant(_ body: (VariantView) throws -> Void) throws {
        let cursor = try PGCursor(c, sql: Self.select(filterLocations: false) + " ORDER BY v.sku", binds: PostgresBindings(), map: Self.view)
        while let v = try cursor.next() { try body(v) }
    }

    func variant(sku: String) throws -> VariantView? {
        try c.query(Self.select(filterLocations: false) + " WHERE v.sku = $1", binds(.text(sku))).first.map(Self.view)
    }

    func stock(sku: String) throws -> StockReport? {
        guard try !c.query("SELECT 1 FROM variants WHERE sku = $1", binds(.text(sku))).isEmpty else { return nil }
        let levels = try c.query(
            """
            SELECT l.code, COALESCE((SELECT on_hand FROM stock_levels s WHERE s.sku = $1 AND s.location = l.code), 0)
            FROM locations l ORDER BY l.kind = 'store', l.code
            """, binds(.text(sku))
        ).map { row in
            let r = row.makeRandomAccess()
            return (location: try r.text(0) ?? "", quantity: Int(try r.int(1) ?? 0))
        }
        let movements = try c.query("SELECT id, at, location, delta, kind, ref FROM stock_movements WHERE sku = $1 ORDER BY id", binds(.text(sku)))
            .map { row in
                let r = row.makeRandomAccess()
                return StockMovement(
                    id: try r.int(0) ?? 0, at: try r.text(1) ?? "", location: try r.text(2) ?? "", delta: Int(try r.int(3) ?? 0),
                    kind: try r.text(4) ?? "", ref: try r.text(5) ?? "")
            }
        return StockReport(sku: sku, onHand: levels, movements: movements)
    }

    func counts() throws -> (products: Int, variants: Int, stores: Int, movements: Int) {
        let r = try c.query(
            """
            SELECT (SELECT count(*) FROM products), (SELECT count(*) FROM variants),
                   (SELECT count(*) FROM locations WHERE kind = 'store'), (SELECT count(*) FROM stock_movements)
            """)[0].makeRandomAccess()
        return (Int(try r.int(0) ?? 0), Int(try r.int(1) ?? 0), Int(try r.int(2) ?? 0), Int(try r.int(3) ?? 0))
    }

    static let orderLineColumns = """
        SELECT o.channel, o.order_id, o.line_id, o.sku, o.quantity, o.status, o.marketplace_fulfilled, o.desired, o.applied, o.location,
          EXISTS (SELECT 1 FROM variants v WHERE v.sku = o.sku)
        """

    static func orderLine(_ r: PostgresRandomAccessRow) throws -> RecordedOrderLine {
        RecordedOrderLine(
            channel: try r.text(0) ?? "", orderID: try r.text(1) ?? "", lineID: try r.text(2) ?? "", sku: try r.text(3) ?? "",
            quantity: Int(try r.int(4) ?? 0), status: try r.text(5) ?? "", marketplaceFulfilled: try r[6].decode(Int16.self) == 1,
            desired: Int(try r.int(7) ?? 0), applied: Int(try r.int(8) ?? 0), location: try r.text(9) ?? "", matched: try r[10].decode(Bool.self))
    }

    func orderLines() throws -> [RecordedOrderLine] {
        try c.query(Self.orderLineColumns + " FROM order_lines o ORDER BY o.channel, o.order_id, o.line_id").map {
            try Self.orderLine($0.makeRandomAccess())
        }
    }

    /// The promotions' columns in `Promotion.storedRow` order, of the table aliased `p`.
    static let promotionColumns = StoreCopy.promotions.columns.map { "p." + $0.name }.joined(separator: ", ")

    static func promotion(_ row: PostgresRow) throws -> Promotion {
        Promotion(storedRow: try StoreCopy.Value.row(row, StoreCopy.promotions))
    }

    func promotions() throws -> [Promotion] {
        try c.query("SELECT \(Self.promotionColumns) FROM promotions p ORDER BY p.promotion_id").map(Self.promotion)
    }

    func promotions(sku: String) throws -> [Promotion] {
        try c.query(
            """
            SELECT \(Self.promotionColumns) FROM variants v JOIN products pr ON pr.product_id = v.product_id, promotions p
            WHERE v.sku = $1 AND p.status = 'active' AND (
              p.applies_to = 'all'
              OR strpos(chr(31) || p.targets || chr(31), chr(31) || CASE p.applies_to
                   WHEN 'sku' THEN v.sku WHEN 'product_id' THEN v.product_id
                   WHEN 'brand' THEN pr.brand WHEN 'product_type' THEN pr.product_type END || chr(31)) > 0)
            ORDER BY p.promotion_id
            """, binds(.text(sku))
        ).map(Self.promotion)
    }

    func forEachStockLevel(location: String?, below: Int?, _ body: (String, String, Int) throws -> Void) throws {
        let cursor = try PGCursor(
            c,
            sql: """
                SELECT sku, location, on_hand FROM stock_levels
                WHERE ($1::text IS NULL OR location = $1) AND ($2::bigint IS NULL OR on_hand < $2)
                ORDER BY sku, location
                """, binds: binds(.text(location), .int(below))
        ) { row in
            let r = row.makeRandomAccess()
            return (try r.text(0) ?? "", try r.text(1) ?? "", Int(try r.int(2) ?? 0))
        }
        while let (sku, location, onHand) = try cursor.next() { try body(sku, location, onHand) }
    }

    func unknownSKUs(_ skus: [String]) throws -> [String] { try PGMovements.unknownSKUs(c, skus) }
    func unknownLocations(_ codes: [String]) throws -> [String] { try PGMovements.unknownLocations(c, codes) }
}

/// A row's cells in order, read from their bytes: text (UTF-8 in either format) and integers (binary, as
/// PostgresNIO asks for them, or text).
struct Cells {
    private var cells: PostgresRow.Iterator
    init(_ row: PostgresRow) { cells = row.makeIterator() }

    mutating func text() -> String? {
        guard let cell = cells.next(), let bytes = cell.bytes else { return nil }
        return bytes.getString(at: bytes.readerIndex, length: bytes.readableBytes)
    }

    /// Passes over a cell whose value the caller has already (`value`).
    mutating func skip(_ value: String?) -> String? {
        _ = cells.next()
        return value
    }

    mutating func int() -> Int64? {
        guard let cell = cells.next(), let bytes = cell.bytes else { return nil }
        if cell.format == .binary {
            switch bytes.readableBytes {
            case 8: return bytes.getInteger(at: bytes.readerIndex, as: Int64.self)
            case 4: return bytes.getInteger(at: bytes.readerIndex, as: Int32.self).map(Int64.init)
            case 2: return bytes.getInteger(at: bytes.readerIndex, as: Int16.self).map(Int64.init)
            default: return nil
            }
        }
        return bytes.getString(at: bytes.readerIndex, length: bytes.readableBytes).flatMap { Int64($0) }
    }
}

/// Rows of one query read through a server-side cursor, `batch` at a time: memory stays flat whatever
/// the catalog's size. Lives inside the caller's transaction.
final class PGCursor<Element> {
    private let c: PGConnection
    private let name: String
    private let map: (PostgresRow) throws -> Element
    private var rows: [PostgresRow] = []
    private var index = 0
    private var finished = false
    private let batch = 2000
    private static var counter: Int { Int.random(in: 0..<Int.max) }

    init(_ c: PGConnection, sql: String, binds: PostgresBindings, map: @escaping (PostgresRow) throws -> Element) throws {
        self.c = c
        self.map = map
        name = "unifeed_cursor_\(Self.counter)"
        try c.execute("DECLARE \(name) NO SCROLL CURSOR FOR " + sql, binds)
    }

    /// The next batch, asked for while the caller works through this one (the server's work and the
    /// caller's overlap).
    private var ahead: EventLoopFuture<PostgresQueryResult>?

    func next() throws -> Element? {
        if index == rows.count {
            guard !finished else { return nil }
            rows = try ahead.map { try c.wait($0) } ?? c.query("FETCH FORWARD \(batch) FROM \(name)")
            ahead = nil
            index = 0
            if rows.count < batch {
                finished = true
                try c.execute("CLOSE \(name)")
            } else {
                ahead = try c.send("FETCH FORWARD \(batch) FROM \(name)")
            }
            if rows.isEmpty { return nil }
        }
        defer { index += 1 }
        return try map(rows[index])
    }
}

/// The products, read in `product_id` order alongside feed rows read in that order: a merge, as the
/// SQLite store does (docs/PERFORMANCE.md, "The feed query").
final class ProductMerge {
    let c: PGConnection
    let cursor: PGCursor<PGSnapshot.ProductTexts>
    var current: PGSnapshot.ProductTexts?

    init(_ c: PGConnection) throws {
        self.c = c
        cursor = try PGCursor(c, sql: PGSnapshot.productsSQL + " ORDER BY product_id", binds: PostgresBindings(), map: PGSnapshot.productTexts)
    }

    /// Makes `current` the product `id` (ids compared as bytes, as the "C" collation orders them).
    func advance(to id: String) throws {
        if let current, current.id.utf8.elementsEqual(id.utf8) { return }
        while let product = try cursor.next() {
            if product.id.utf8.elementsEqual(id.utf8) {
                current = product
                return
            }
            if !product.id.utf8.lexicographicallyPrecedes(id.utf8) { break }  // passed it: should not happen
        }
        // Not met in order (every variant's product exists, by foreign key): look it up.
        current =
            try c.query(PGSnapshot.productsSQL + " WHERE product_id = $1", binds(.text(id))).first.map(PGSnapshot.productTexts)
            ?? PGSnapshot.ProductTexts(id: id)
    }
}

/// The feed rows' cursor behind the port.
final class PGFeedCursor: VariantCursor {
    private let rows: PGCursor<VariantView>
    init(_ rows: PGCursor<VariantView>) { self.rows = rows }
    func next() throws -> VariantView? { try rows.next() }
}

// MARK: - The dashboard's reads

extension PGSnapshot {
    static let hitColumns = """
        SELECT v.sku, v.product_id, p.title, v.gtin, v.currency, v.amount_minor, v.status
        FROM variants v JOIN products p ON p.product_id = v.product_id
        """

    static func hit(_ row: PostgresRow) throws -> SearchHit {
        let r = row.makeRandomAccess()
        let code = try r.text(4) ?? ""
        return SearchHit(
            sku: try r.text(0) ?? "", productID: try r.text(1) ?? "", title: try r.text(2), gtin: try r.text(3),
            price: Money(minorUnits: try r.int(5) ?? 0, currency: Currency(code: code) ?? Currency(unknownCode: code)),
            status: VariantStatus(rawValue: try r.text(6) ?? "") ?? .active)
    }

    private static func page(_ rows: [SearchHit], limit: Int, key: (SearchHit) -> String) -> (hits: [SearchHit], next: String?) {
        rows.count > limit ? (Array(rows.prefix(limit)), key(rows[limit - 1])) : (rows, nil)
    }

    /// SKU (exact or prefix), then GTIN, then title words, as on SQLite; title words are matched as
    /// prefixes of the title's words (PostgreSQL's `simple` text search), products in id order.
    func search(_ query: ProductQuery, after: String?, limit: Int) throws -> (hits: [SearchHit], next: String?) {
        let text = query.text.trimmingCharacters(in: .whitespaces)
        let kind = after.map { String($0.prefix(1)) }
        let key = after.map { String($0.dropFirst(2)) }
        guard !text.isEmpty else {
            let rows = try c.query(
                Self.hitColumns + " WHERE ($1::text IS NULL OR v.sku > $1) ORDER BY v.sku LIMIT $2", binds(.text(key), .int(limit + 1))
            ).map(Self.hit)
            return Self.page(rows, limit: limit) { "s:" + $0.sku }
        }
        if kind == nil || kind == "s" {
            let rows = try c.query(
                Self.hitColumns + " WHERE v.sku >= $1 AND starts_with(v.sku, $1) AND ($2::text IS NULL OR v.sku > $2) ORDER BY v.sku LIMIT $3",
                binds(.text(text), .text(key), .int(limit + 1))
            ).map(Self.hit)
            if !rows.isEmpty || kind == "s" { return Self.page(rows, limit: limit) { "s:" + $0.sku } }
        }
        if let digits = query.gtinDigits, kind == nil || kind == "g" {
            let padded = String(repeating: "0", count: 14 - digits.count) + digits
            let rows = try c.query(
                Self.hitColumns + " WHERE v.gtin IN ($1, $2) AND ($3::text IS NULL OR v.sku > $3) ORDER BY v.sku LIMIT $4",
                binds(.text(digits), .text(padded), .text(key), .int(limit + 1))
            ).map(Self.hit)
            if !rows.isEmpty || kind == "g" { return Self.page(rows, limit: limit) { "g:" + $0.sku } }
        }
        let words = query.words.map { $0.filter { $0.isLetter || $0.isNumber } }.filter { !$0.isEmpty }
        guard !words.isEmpty else { return ([], nil) }
        let products = try c.query(
            """
            SELECT product_id FROM products
            WHERE unifeed_title_words(title) @@ to_tsquery('simple', unifeed_folded($1)) AND ($2::text IS NULL OR product_id > $2)
            ORDER BY product_id LIMIT $3
            """, binds(.text(words.map { $0 + ":*" }.joined(separator: " & ")), .text(key), .int(limit + 1))
        ).map { try $0.decode(String.self) }
        var hits: [SearchHit] = []
        for product in products.prefix(limit) {
            hits += try c.query(Self.hitColumns + " WHERE v.product_id = $1 ORDER BY v.sku LIMIT 100", binds(.text(product))).map(Self.hit)
        }
        return (hits, products.count > limit ? "w:" + products[limit - 1] : nil)
    }

    func importRuns(limit: Int) throws -> [ImportRun] {
        try c.query(
            "SELECT at, kind, file, format, rows, new, updated, unchanged, rejected, warnings FROM import_runs ORDER BY id DESC LIMIT $1",
            binds(.int(limit))
        ).map { row in
            let r = row.makeRandomAccess()
            func n(_ i: Int) throws -> Int { Int(try r.int(i) ?? 0) }
            return ImportRun(
                at: try r.text(0) ?? "", kind: try r.text(1) ?? "", file: try r.text(2) ?? "", format: try r.text(3) ?? "", rows: try n(4),
                new: try n(5), updated: try n(6), unchanged: try n(7), rejected: try n(8), warnings: try n(9))
        }
    }

    func publishRuns(channel: String?, limit: Int) throws -> [PublishRun] {
        try c.query(
            """
            SELECT channel, out_dir, at, items, published, added, removed, changed FROM publish_log
            WHERE $1::text IS NULL OR channel = $1 ORDER BY id DESC LIMIT $2
            """, binds(.text(channel), .int(limit))
        ).map { row in
            let r = row.makeRandomAccess()
            return PublishRun(
                channel: try r.text(0) ?? "", outDir: try r.text(1) ?? "", at: try r.text(2) ?? "", items: Int(try r.int(3) ?? 0),
                published: try r[4].decode(Int16.self) == 1, added: try r.int(5).map { Int($0) }, removed: try r.int(6).map { Int($0) },
                changed: try r.int(7).map { Int($0) })
        }
    }

    func locationStock() throws -> [LocationStock] {
        try c.query(
            """
            SELECT l.code, l.name, count(s.sku), COALESCE(sum(s.on_hand), 0)::bigint, count(*) FILTER (WHERE s.on_hand < 0)
            FROM locations l LEFT JOIN stock_levels s ON s.location = l.code
            GROUP BY l.code, l.name, l.kind ORDER BY l.kind = 'store', l.code
            """
        ).map { row in
            let r = row.makeRandomAccess()
            return LocationStock(
                code: try r.text(0) ?? "", name: try r.text(1) ?? "", skus: Int(try r.int(2) ?? 0), units: Int(try r.int(3) ?? 0),
                oversold: Int(try r.int(4) ?? 0))
        }
    }

    func oversold(after: String?, limit: Int) throws -> [(sku: String, location: String, onHand: Int)] {
        try c.query(
            "SELECT sku, location, on_hand FROM stock_levels WHERE on_hand < 0 AND ($1::text IS NULL OR sku > $1) ORDER BY sku, location LIMIT $2",
            binds(.text(after), .int(limit))
        ).map { row in
            let r = row.makeRandomAccess()
            return (try r.text(0) ?? "", try r.text(1) ?? "", Int(try r.int(2) ?? 0))
        }
    }

    func latestMovements(location: String?, before: Int64?, limit: Int) throws -> [LedgerEntry] {
        try c.query(
            """
            SELECT id, at, location, delta, kind, ref, sku FROM stock_movements
            WHERE ($1::text IS NULL OR location = $1) AND id < $2 ORDER BY id DESC LIMIT $3
            """, binds(.text(location), .int(before ?? Int64.max), .int(limit))
        ).map { row in
            let r = row.makeRandomAccess()
            return LedgerEntry(
                sku: try r.text(6) ?? "",
                movement: StockMovement(
                    id: try r.int(0) ?? 0, at: try r.text(1) ?? "", location: try r.text(2) ?? "", delta: Int(try r.int(3) ?? 0),
                    kind: try r.text(4) ?? "", ref: try r.text(5) ?? ""))
        }
    }

    func orderLines(after: OrderLineKey?, unmatchedOnly: Bool, limit: Int) throws -> [(line: RecordedOrderLine, onHand: Int?)] {
        try c.query(
            Self.orderLineColumns + """
                , (SELECT on_hand FROM stock_levels s WHERE s.sku = o.sku AND s.location = o.location)
                FROM order_lines o
                WHERE ($1::text IS NULL OR (o.channel, o.order_id, o.line_id) > ($1, $2, $3))
                  AND ($4 = 0 OR NOT EXISTS (SELECT 1 FROM variants v WHERE v.sku = o.sku))
                ORDER BY o.channel, o.order_id, o.line_id LIMIT $5
                """, binds(.text(after?.channel), .text(after?.orderID), .text(after?.lineID), .int(unmatchedOnly ? 1 : 0), .int(limit))
        ).map { row in
            let r = row.makeRandomAccess()
            return (try Self.orderLine(r), try r.int(11).map { Int($0) })
        }
    }

    func orderLineCounts() throws -> (lines: Int, unmatched: Int) {
        let r = try c.query(
            "SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM variants v WHERE v.sku = o.sku)) FROM order_lines o")[0]
            .makeRandomAccess()
        return (Int(try r.int(0) ?? 0), Int(try r.int(1) ?? 0))
    }
}
