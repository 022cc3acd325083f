import Catalog
import Foundation
internal import GRDB
import StorePort

/// The products search index's row ids: products have no rowid (`WITHOUT ROWID`), so each is indexed
/// under the 64-bit FNV-1a hash of its id, which the import computes again to replace the row.
enum ProductSearchKey {
    static func rowid(_ productID: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in productID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}

/// Sign-in sessions in `dashboard_sessions`.
final class SessionRows: SessionTable {
    let db: Database
    init(db: Database) { self.db = db }

    func create(hash: [UInt8], _ session: DashboardSession) throws {
        try db.execute(
            sql: "INSERT INTO dashboard_sessions(hash, token_name, csrf, expires_at) VALUES (?, ?, ?, ?)",
            arguments: [Data(hash), session.tokenName, session.csrf, session.expiresAt])
    }

    func find(hash: [UInt8], now: Int) throws -> (session: DashboardSession, token: APIToken)? {
        try Self.find(db, hash: hash, now: now)
    }

    static func find(_ db: Database, hash: [UInt8], now: Int) throws -> (session: DashboardSession, token: APIToken)? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT t.name, t.scopes, t.created_at, t.revoked_at, s.csrf, s.expires_at
                        FROM dashboard_sessions s JOIN api_tokens t ON t.name = s.token_name
                        WHERE s.hash = ? AND s.expires_at > ? AND t.revoked_at IS NULL
                        """), arguments: [Data(hash), now])
        else { return nil }
        return (DashboardSession(tokenName: row[0], csrf: row[4], expiresAt: row[5]), TokenTable.token(row))
    }

    func delete(hash: [UInt8]) throws {
        try db.execute(sql: "DELETE FROM dashboard_sessions WHERE hash = ?", arguments: [Data(hash)])
    }

    func purge(now: Int) throws -> Int {
        try db.execute(sql: "DELETE FROM dashboard_sessions WHERE expires_at <= ?", arguments: [now])
        return db.changesCount
    }
}

/// The dashboard's reads (`DashboardReads`) over one read transaction.
enum DashboardQueries {
    static let hitColumns = """
        SELECT v.sku, v.product_id, p.title, v.gtin, v.currency, v.amount_minor, v.status
        FROM variants v JOIN products p ON p.product_id = v.product_id
        """

    static func hit(_ row: Row) -> SearchHit {
        let code: String = row[4]
        return SearchHit(
            sku: row[0], productID: row[1], title: row[2], gtin: row[3],
            price: Money(minorUnits: row[5], currency: Currency(code: code) ?? Currency(unknownCode: code)),
            status: VariantStatus(rawValue: row[6]) ?? .active)
    }

    /// `*`, `?` and `[` stand for themselves in a GLOB pattern when bracketed.
    static func globPrefix(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "*", "?", "[": out += "[\(c)]"
            default: out.append(c)
            }
        }
        return out + "*"
    }

    /// SKU (exact or prefix), then GTIN, then title words: the first that finds anything on the first
    /// page decides the kind of the whole search; `next` carries it (`s:SKU`, `g:SKU`, `w:ROWID`).
    static func search(_ db: Database, _ query: ProductQuery, after: String?, limit: Int) throws -> (hits: [SearchHit], next: String?) {
        let text = query.text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else {
            // No query: every SKU in order.
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: hitColumns + " WHERE (?1 IS NULL OR v.sku > ?1) ORDER BY v.sku LIMIT ?2"),
                arguments: [after.map { String($0.dropFirst(2)) }, limit + 1]
            ).map(hit)
            return page(rows, limit: limit) { "s:" + $0.sku }
        }
        let kind = after.map { String($0.prefix(1)) }
        let key = after.map { String($0.dropFirst(2)) }
        if kind == nil || kind == "s" {
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: hitColumns + " WHERE v.sku GLOB ?1 AND (?2 IS NULL OR v.sku > ?2) ORDER BY v.sku LIMIT ?3"),
                arguments: [globPrefix(text), key, limit + 1]
            ).map(hit)
            if !rows.isEmpty || kind == "s" { return page(rows, limit: limit) { "s:" + $0.sku } }
        }
        if let digits = query.gtinDigits, kind == nil || kind == "g" {
            // The catalog keeps GTINs as 14 digits or as written: both spellings are looked up.
            let padded = String(repeating: "0", count: 14 - digits.count) + digits
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: hitColumns + " WHERE v.gtin IN (?1, ?2) AND (?3 IS NULL OR v.sku > ?3) ORDER BY v.sku LIMIT ?4"),
                arguments: [digits, padded, key, limit + 1]
            ).map(hit)
            if !rows.isEmpty || kind == "g" { return page(rows, limit: limit) { "g:" + $0.sku } }
        }
        let words = query.words
        guard !words.isEmpty else { return ([], nil) }
        let match = words.map { "\"\($0)\"*" }.joined(separator: " ")
        let products = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT rowid, product_id FROM product_search WHERE product_search MATCH ?1 AND rowid > ?2 ORDER BY rowid LIMIT ?3"),
            arguments: [match, key.flatMap { Int64($0) } ?? Int64.min, limit + 1])
        let more = products.count > limit
        var hits: [SearchHit] = []
        for product in products.prefix(limit) {
            hits += try Row.fetchAll(
                db.cachedStatement(sql: hitColumns + " WHERE v.product_id = ? ORDER BY v.sku LIMIT 100"), arguments: [product[1] as String]
            ).map(hit)
        }
        return (hits, more ? "w:\(products[limit - 1][0] as Int64)" : nil)
    }

    private static func page(_ rows: [SearchHit], limit: Int, key: (SearchHit) -> String) -> (hits: [SearchHit], next: String?) {
        rows.count > limit ? (Array(rows.prefix(limit)), key(rows[limit - 1])) : (rows, nil)
    }

    static func importRuns(_ db: Database, limit: Int) throws -> [ImportRun] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT at, kind, file, format, rows, new, updated, unchanged, rejected, warnings FROM import_runs ORDER BY id DESC LIMIT ?"),
            arguments: [limit]
        ).map {
            ImportRun(
                at: $0[0], kind: $0[1], file: $0[2], format: $0[3], rows: $0[4], new: $0[5], updated: $0[6], unchanged: $0[7], rejected: $0[8],
                warnings: $0[9])
        }
    }

    static func publishRuns(_ db: Database, channel: String?, limit: Int) throws -> [PublishRun] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT channel, out_dir, at, items, published, added, removed, changed FROM publish_log
                    WHERE ?1 IS NULL OR channel = ?1 ORDER BY id DESC LIMIT ?2
                    """), arguments: [channel, limit]
        ).map {
            PublishRun(channel: $0[0], outDir: $0[1], at: $0[2], items: $0[3], published: $0[4], added: $0[5], removed: $0[6], changed: $0[7])
        }
    }

    static func locationStock(_ db: Database) throws -> [LocationStock] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT l.code, l.name, count(s.sku), COALESCE(sum(s.on_hand), 0), COALESCE(sum(s.on_hand < 0), 0)
                    FROM locations l LEFT JOIN \(try RecentMovements.levels(db)) s ON s.location = l.code
                    GROUP BY l.code ORDER BY l.kind = 'store', l.code
                    """)
        ).map { LocationStock(code: $0[0], name: $0[1], skus: $0[2], units: $0[3], oversold: $0[4]) }
    }

    static func oversold(_ db: Database, after: String?, limit: Int) throws -> [(sku: String, location: String, onHand: Int)] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT sku, location, on_hand FROM \(try RecentMovements.levels(db)) WHERE on_hand < 0 AND (?1 IS NULL OR sku > ?1) ORDER BY sku, location LIMIT ?2"),
            arguments: [after, limit]
        ).map { ($0[0], $0[1], $0[2]) }
    }

    static func latestMovements(_ db: Database, location: String?, before: Int64?, limit: Int) throws -> [LedgerEntry] {
        // The recent part's ids all follow the ledger table's: newest first means that part first.
        var entries: [LedgerEntry] = []
        for table in ["stock_movements_recent", "stock_movements"] where entries.count < limit {
            entries += try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, at, location, delta, kind, ref, sku FROM \(table)
                        WHERE (?1 IS NULL OR location = ?1) AND id < ?2 ORDER BY id DESC LIMIT ?3
                        """), arguments: [location, before ?? Int64.max, limit - entries.count]
            ).map {
                LedgerEntry(sku: $0[6], movement: StockMovement(id: $0[0], at: $0[1], location: $0[2], delta: $0[3], kind: $0[4], ref: $0[5]))
            }
        }
        return entries
    }

    static func orderLines(_ db: Database, after: OrderLineKey?, unmatchedOnly: Bool, limit: Int) throws -> [(line: RecordedOrderLine, onHand: Int?)] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT o.channel, o.order_id, o.line_id, o.sku, o.quantity, o.status, o.marketplace_fulfilled, o.desired, o.applied, o.location,
                      EXISTS (SELECT 1 FROM variants v WHERE v.sku = o.sku) AS matched,
                      \(RecentMovements.onHandSQL(sku: "o.sku", location: "o.location"))
                    FROM order_lines o
                    WHERE (?1 IS NULL OR (o.channel, o.order_id, o.line_id) > (?1, ?2, ?3))
                      AND (?4 = 0 OR NOT EXISTS (SELECT 1 FROM variants v WHERE v.sku = o.sku))
                    ORDER BY o.channel, o.order_id, o.line_id LIMIT ?5
                    """), arguments: [after?.channel, after?.orderID, after?.lineID, unmatchedOnly ? 1 : 0, limit]
        ).map { row in
            (
                RecordedOrderLine(
                    channel: row[0], orderID: row[1], lineID: row[2], sku: row[3], quantity: row[4], status: row[5],
                    marketplaceFulfilled: row[6], desired: row[7], applied: row[8], location: row[9], matched: row[10]),
                row[11]
            )
        }
    }

    static func orderLineCounts(_ db: Database) throws -> (lines: Int, unmatched: Int) {
        let row = try Row.fetchOne(
            db,
            sql: "SELECT count(*), COALESCE(sum(NOT EXISTS (SELECT 1 FROM variants v WHERE v.sku = o.sku)), 0) FROM order_lines o")!
        return (row[0], row[1])
    }
}

extension SQLiteSnapshot {
    func search(_ query: ProductQuery, after: String?, limit: Int) throws -> (hits: [SearchHit], next: String?) {
        try DashboardQueries.search(db, query, after: after, limit: limit)
    }
    func importRuns(limit: Int) throws -> [ImportRun] { try DashboardQueries.importRuns(db, limit: limit) }
    func publishRuns(channel: String?, limit: Int) throws -> [PublishRun] { try DashboardQueries.publishRuns(db, channel: channel, limit: limit) }
    func locationStock() throws -> [LocationStock] { try DashboardQueries.locationStock(db) }
    func oversold(after: String?, limit: Int) throws -> [(sku: String, location: String, onHand: Int)] {
        try DashboardQueries.oversold(db, after: after, limit: limit)
    }
    func latestMovements(location: String?, before: Int64?, limit: Int) throws -> [LedgerEntry] {
        try DashboardQueries.latestMovements(db, location: location, before: before, limit: limit)
    }
    func orderLines(after: OrderLineKey?, unmatchedOnly: Bool, limit: Int) throws -> [(line: RecordedOrderLine, onHand: Int?)] {
        try DashboardQueries.orderLines(db, after: after, unmatchedOnly: unmatchedOnly, limit: limit)
    }
    func orderLineCounts() throws -> (lines: Int, unmatched: Int) { try DashboardQueries.orderLineCounts(db) }
}
