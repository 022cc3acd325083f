import Catalog
import Config
import Formats
import Foundation
import GRDB
import Import
import StorePort
import Testing
import UnifeedTestSupport

@testable import Store

/// The feeds read variants and products as two ordered scans merged together; `products show` reads
/// them joined. Both must give every SKU the same view.
@Suite struct FeedRowsTests {
    static func fields(_ v: VariantView) -> [String] {
        func o(_ s: String?) -> String { s ?? "∅" }
        return [
            v.productID, v.sku.rawValue, v.status.rawValue, o(v.title), o(v.description), o(v.brand), o(v.gtin), o(v.mpn), o(v.condition),
            v.price.description, o(v.salePrice?.description), o(v.link), v.images.joined(separator: " "), o(v.color), o(v.size),
            o(v.sizeSystem), o(v.sizeType), o(v.gender), o(v.ageGroup), o(v.material), o(v.pattern),
            o(v.googleProductCategory), o(v.productType), o(v.weight), v.quantity.map(String.init) ?? "∅",
            v.custom.map { "\($0.0)=\($0.1)" }.joined(separator: ";"),
            v.overrides.map { "\($0.0).\($0.1)=\($0.2)" }.joined(separator: ";"),
            v.stock.map { "\($0.location)=\($0.quantity)" }.sorted().joined(separator: ";"),
        ]
    }

    /// The samples and the three foreign exports (whose variants take the product's link and images).
    @Test func mergedFeedRowsMatchJoinedRows() throws {
        let h = try StoreHarness()
        for fixture in ["shopify-products.csv", "woocommerce-products.csv", "akeneo-products.csv"] {
            try h.importFile(TestPaths.root.appendingPathComponent("Tests/ImportTests/Fixtures/\(fixture)").path)
        }
        // Products with no variant, first, among the others and last: the merge skips them.
        try h.store.write { db in
            try db.execute(sql: "INSERT INTO products(product_id, title) VALUES ('0-lonely', 'A'), ('m-lonely', 'M'), ('zzz-lonely', 'Z')")
            return ((), commit: true)
        }
        let (merged, joined, products) = try h.store.read { db in
            var merged: [[String]] = []
            let rows = try CatalogQueries.feedRows(db)
            while let v = try rows.next() { merged.append(Self.fields(v)) }
            let joined = try String.fetchAll(db, sql: "SELECT sku FROM variants ORDER BY product_id, sku").map {
                Self.fields(try CatalogQueries.variant(db, sku: $0)!)
            }
            return (merged, joined, try Int.fetchOne(db, sql: "SELECT count(DISTINCT product_id) FROM variants")!)
        }
        #expect(merged.count == joined.count && merged.count > 150 && products > 40)
        for (a, b) in zip(merged, joined) where a != b {
            Issue.record("\(a[1]): merged \(a) != joined \(b)")
        }
        // Variants that use their product's images and link are among them.
        let fromProduct = try h.store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM variants v JOIN products p USING (product_id) WHERE v.images IS NULL AND p.images IS NOT NULL")!
        }
        #expect(fromProduct > 0)
    }
}
