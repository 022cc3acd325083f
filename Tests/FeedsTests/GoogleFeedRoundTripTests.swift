import Catalog
import Config
import Feeds
import Formats
import Foundation
import Import
import StorePort
import StoreTestSupport
import Testing
import UnifeedTestSupport

/// A Google feed imported as a catalog and published again as `google` (issue: feeds in): the samples
/// are published, the Google file is imported into a fresh database, and that database is published
/// with the same config at the same moment.
@Suite struct GoogleFeedRoundTripTests {
    /// The fields that must survive, item by item: id, prices, the sale and its window, availability,
    /// GTIN, item group and the variant attributes.
    static let kept = [
        "id", "item_group_id", "price", "sale_price", "sale_price_effective_date", "availability", "availability_date", "gtin", "mpn",
        "color", "size", "size_system", "size_type", "gender", "age_group", "material", "pattern",
    ]

    @Test(arguments: StoreKind.tested, ["google/products.xml", "google/products.tsv"]) func publishImportPublishKeepsEveryItem(_ store: StoreKind, _ published: String) throws {
        let first = try FeedHarness(store)
        try first.publish(channels: ["google"])
        let second = try FeedHarness(store, samples: false)
        let summary = try second.importFile((first.out as NSString).appendingPathComponent(published))
        #expect(summary.format == "google" && summary.rejected == 0)
        try second.publish(channels: ["google"])

        let before = try rssItems((first.out as NSString).appendingPathComponent("google/products.xml"))
        let after = try rssItems((second.out as NSString).appendingPathComponent("google/products.xml"))
        #expect(before.count == 126 && after.count == before.count)
        let afterByID = Dictionary(uniqueKeysWithValues: after.map { ($0["id"]![0], $0) })
        var differences: [String] = []
        for item in before {
            let id = item["id"]![0]
            guard let again = afterByID[id] else {
                differences.append("\(id): missing")
                continue
            }
            for field in Self.kept where item[field] != again[field] {
                differences.append("\(id) \(field): \(item[field] ?? []) → \(again[field] ?? [])")
            }
        }
        #expect(differences == [])
        // Every sale window and group of the samples is exercised, not just empty fields compared.
        #expect(before.filter { $0["sale_price_effective_date"] != nil }.count >= 1)
        #expect(before.filter { $0["item_group_id"] != nil }.count >= 100)
        #expect(Set(before.compactMap { $0["availability"]?.first }) == ["in_stock", "out_of_stock", "backorder"])
        // And beyond those fields: the same titles, links, images, categories, labels: the same bytes.
        for file in ["google/products.xml", "google/products.tsv"] {
            #expect(try second.read(file) == first.read(file), "\(file) differs after the round trip")
        }
    }
}
