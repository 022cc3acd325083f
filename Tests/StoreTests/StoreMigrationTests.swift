import Catalog
import Config
import Formats
import Foundation
import GRDB
import StorePort
import Testing
import UnifeedTestSupport

@testable import Store

/// A database written by an earlier release keeps every value through the migrations to the current schema.
@Suite struct StoreMigrationTests {
    /// v4 moved prices, identifiers and images into the variant's and the product's rows; a catalog stored in
    /// v3's tables reads back the same, and the old table names still answer as views.
    /// A database a newer unifeed migrated (a migration this one does not know) is refused with one
    /// clear line, read-only or not, and left as it was: an older binary must not write around what it
    /// does not know (it would append to the ledger under ids the recent movements already hold).
    @Test func aDatabaseANewerVersionMigratedIsRefused() throws {
        let directory = try TestPaths.temporaryDirectory()
        let path = directory.appendingPathComponent("newer.sqlite").path
        _ = try SQLiteStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
        for readOnly in [false, true] {
            let error = try #require(throws: StoreError.self) { try SQLiteStore(path: path, create: false, readOnly: readOnly) }
            #expect(error.description == "\(path): error: the database was migrated by a newer version of unifeed; use that version (this one would not keep it right)")
        }
        let identifiers = try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
        #expect(identifiers.last == "v99-from-the-future" && identifiers.count == 11)
    }

    @Test func v3CatalogReadsBackTheSameAfterTheVariantRowMigration() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v3-order-lines")
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO products(product_id, title, brand, link) VALUES ('tee', 'Tee', 'Acme', 'https://shop.example/tee');
                        INSERT INTO product_images(product_id, position, url) VALUES
                          ('tee', 2, 'https://cdn.example/tee-back.jpg'), ('tee', 1, 'https://cdn.example/tee.jpg');
                        INSERT INTO variants(sku, product_id, status, color, size, content_hash) VALUES
                          ('tee-s', 'tee', 'active', 'Blue', 'S', 1), ('tee-m', 'tee', 'archived', 'Blue', 'M', 2);
                        INSERT INTO prices(sku, currency, amount_minor, sale_amount_minor, sale_start, sale_end) VALUES
                          ('tee-s', 'USD', 2500, 1999, 1764547200, 1765152000), ('tee-m', 'EUR', 2600, NULL, NULL, NULL);
                        INSERT INTO identifiers(sku, scheme, value) VALUES
                          ('tee-s', 'gtin', '4006381333931'), ('tee-s', 'mpn', 'T-S'), ('tee-m', 'mpn', 'T-M');
                        INSERT INTO variant_images(sku, position, url) VALUES
                          ('tee-s', 3, 'https://cdn.example/s3.jpg'), ('tee-s', 1, 'https://cdn.example/s1.jpg'),
                          ('tee-s', 2, 'https://cdn.example/s2.jpg');
                        INSERT INTO custom_attributes(sku, name, value) VALUES ('tee-s', 'season', 'SS26'),
                          ('tee-s', 'care', 'Wash "cold"' || char(10) || 'tumble ✓ 🧺' || char(30) || char(8));
                        INSERT INTO channel_overrides(sku, channel, field, value) VALUES ('tee-m', 'google', 'title', 'Tee M');
                        INSERT INTO stock_movements(at, sku, location, delta, kind, ref) VALUES
                          ('2026-11-01T00:00:00Z', 'tee-s', 'online', 7, 'inventory', 'inv.csv:2');
                        """)
            }
        }

        let store = try SQLiteStore(path: path)
        let s = try #require(try store.read { try CatalogQueries.variant($0, sku: "tee-s") })
        #expect(s.price.amountString == "25.00" && s.price.currency.code == "USD" && s.salePrice?.amountString == "19.99")
        #expect(s.saleStart == Timestamp(secondsSinceEpoch: 1_764_547_200) && s.saleEnd == Timestamp(secondsSinceEpoch: 1_765_152_000))
        #expect(s.gtin == "4006381333931" && s.mpn == "T-S")
        #expect(s.images == ["https://cdn.example/s1.jpg", "https://cdn.example/s2.jpg", "https://cdn.example/s3.jpg"])
        #expect(s.link == "https://shop.example/tee" && s.title == "Tee" && s.brand == "Acme")
        #expect(s.custom.map { "\($0.0)=\($0.1)" } == ["care=Wash \"cold\"\ntumble ✓ 🧺\u{1E}\u{08}", "season=SS26"])
        #expect(s.quantity == 7)

        let m = try #require(try store.read { try CatalogQueries.variant($0, sku: "tee-m") })
        #expect(m.price.amountString == "26.00" && m.price.currency.code == "EUR" && m.salePrice == nil && m.status == .archived)
        #expect(m.gtin == nil && m.mpn == "T-M")
        // No images of its own: the product's, in their order.
        #expect(m.images == ["https://cdn.example/tee.jpg", "https://cdn.example/tee-back.jpg"])
        #expect(m.override("google", "title") == "Tee M")

        // The former tables answer as views, row for row.
        let (ids, variantImages, productImages, prices, violations, integrity) = try store.read { db in
            (
                try String.fetchAll(db, sql: "SELECT sku || ':' || scheme || ':' || value FROM identifiers ORDER BY 1"),
                try String.fetchAll(db, sql: "SELECT sku || ':' || position || ':' || url FROM variant_images ORDER BY sku, position"),
                try String.fetchAll(db, sql: "SELECT product_id || ':' || position || ':' || url FROM product_images ORDER BY position"),
                try String.fetchAll(db, sql: "SELECT sku || ':' || amount_minor || ':' || ifnull(sale_amount_minor, '-') FROM prices ORDER BY sku")
                    + String.fetchAll(db, sql: "SELECT sku || ':' || name || ':' || length(value) FROM custom_attributes ORDER BY sku, name"),
                try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count,
                try String.fetchOne(db, sql: "PRAGMA integrity_check")
            )
        }
        #expect(ids == ["tee-m:mpn:T-M", "tee-s:gtin:4006381333931", "tee-s:mpn:T-S"])
        #expect(variantImages == ["tee-s:1:https://cdn.example/s1.jpg", "tee-s:2:https://cdn.example/s2.jpg", "tee-s:3:https://cdn.example/s3.jpg"])
        #expect(productImages == ["tee:1:https://cdn.example/tee.jpg", "tee:2:https://cdn.example/tee-back.jpg"])
        #expect(prices == ["tee-m:2600:-", "tee-s:2500:1999", "tee-s:care:24", "tee-s:season:4"])
        // Foreign keys still point at the rebuilt variants table.
        #expect(violations == 0)
        #expect(integrity == "ok")
        // The stock ledger still refuses a movement for an unknown SKU (its foreign key survived the rebuild).
        #expect(throws: DatabaseError.self) {
            try store.write { db in
                try db.execute(sql: "INSERT INTO stock_movements(at, sku, location, delta, kind, ref) VALUES ('x', 'nope', 'online', 1, 'k', 'r')")
                return ((), commit: true)
            }
        }
    }

    /// Custom attributes are kept as a JSON object in the variant's row: whatever a cell holds reads back
    /// as written, and SQLite's own JSON functions read the same object.
    @Test(arguments: [
        ["season": "SS26"],
        ["a": "quote \" backslash \\ slash /", "b": "line\nbreak\r\ttab", "c": "\u{1E}\u{1F}\u{01}\u{7F}"],
        ["ünï": "日本語 🧺 RTL \u{202E}עברית", "sep": "\u{2028}\u{2029}", "": "empty name"],
        ["long": String(repeating: "x", count: 10_000)],
    ])
    func customAttributesReadBackAsWritten(_ custom: [String: String]) throws {
        let text = try #require(CatalogWriter.customObject(custom))
        let members = StoredJSON.stringMembers(text)
        #expect(members.map(\.0) == custom.keys.sorted())
        #expect(Dictionary(members, uniquingKeysWith: { a, _ in a }) == custom)
        let queue = try DatabaseQueue()
        let viaSQLite = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT key, value FROM json_each(?)", arguments: [text]).map { ($0[0] as String, $0[1] as String) }
        }
        #expect(Dictionary(viaSQLite, uniquingKeysWith: { a, _ in a }) == custom)
        // And what SQLite writes (the migration's json_group_object), this reads.
        let written = try queue.read { db in
            try String.fetchOne(db, sql: "SELECT json_group_object(key, value) FROM json_each(?)", arguments: [text])!
        }
        #expect(Dictionary(StoredJSON.stringMembers(written), uniquingKeysWith: { a, _ in a }) == custom)
        #expect(CatalogWriter.customObject([:]) == nil)
    }

    /// v8 added the promotions feed's page, fine print and display dates: a promotion stored under v7
    /// reads back the same, with none of them.
    @Test func v7PromotionReadsBackAfterThePromotionPageMigration() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("old.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v7-promotions")
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO promotions(promotion_id, title, discount_type, percent_off, amount_minor, currency, coupon_code,
                          applies_to, targets, start_at, end_at, redemption, price_effect, minimum_minor, status)
                        VALUES ('BF26', '20% off tees', 'percent_off', 20, NULL, NULL, NULL, 'product_id', 'TEE' || char(31) || 'HOD',
                          1763614800, 1764651600, 'both', 'sale', NULL, 'active')
                        """)
            }
        }
        let store = try SQLiteStore(path: path)
        let promotions = try store.reading { try $0.promotions() }
        #expect(promotions.count == 1)
        let p = try #require(promotions.first)
        #expect(p.id == "BF26" && p.discount == .percentOff(20) && p.targets == ["TEE", "HOD"] && p.redemption == .both)
        #expect(p.start.secondsSinceEpoch == 1_763_614_800 && p.end.secondsSinceEpoch == 1_764_651_600)
        #expect(p.promotionURL == nil && p.finePrint == nil && p.displayStart == nil && p.displayEnd == nil)
    }
}
