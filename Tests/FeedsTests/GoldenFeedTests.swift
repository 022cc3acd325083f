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

/// The built-in channels' output for the samples at a fixed `--now`, byte for byte
/// (`RECORD_GOLDEN=1 swift test` re-records after a reviewed change).
@Suite struct GoldenFeedTests {
    @Test(
        arguments: StoreKind.tested,
        [
            "google/products.xml", "google/products.tsv", "google-local/local-inventory.tsv", "meta/catalog.csv", "idealo/offers.csv",
            "amazon/listings-0001.json", "ebay/file-exchange.csv", "walmart/items.jsonl", "walmart/inventory-0001.xml",
        ]) func samplesPublishAsTheGoldenFiles(_ store: StoreKind, file: String) throws
    {
        let h = try FeedHarness(store)
        let result = try h.publish()
        #expect(result.reports.allSatisfy { !$0.heldBack })
        try expectGolden(try h.read(file), file.replacingOccurrences(of: "/", with: "__"))
    }

    /// A channel published alone reads only its own stock location (no store rows without local
    /// inventory) and writes the same bytes as in a publish of every channel.
    @Test(arguments: StoreKind.tested, ["google", "meta", "amazon", "walmart"]) func aChannelAloneWritesWhatItWritesAmongAll(_ store: StoreKind, channel: String) throws {
        let all = try FeedHarness(store)
        let together = try all.publish().reports.first { $0.channel == channel }?.files.map(\.sha256)
        let one = try FeedHarness(store)
        let alone = try one.publish(channels: [channel]).reports.first?.files.map(\.sha256)
        #expect(together != nil && together == alone)
    }

    /// A channel with several template outputs renders each batch once (`ItemCells`) and its output
    /// threads write from those cells; a channel with one output writes from the items. Both give the
    /// same bytes, renamed values, repeated images, empty and missing values included.
    @Test(arguments: StoreKind.tested) func outputsWrittenFromRenderedCellsMatchOutputsWrittenFromItems(_ store: StoreKind) throws {
        let columns = """
            columns = [
              "id", "title", "description", "additional_image_link", "gtin", "sale_price", "sale_price_effective_date",
              "custom_label_0", "google_product_category", "shipping", "tax",
              { header = "availability", field = "availability", values = { in_stock = "in stock", out_of_stock = "out of stock" } },
              { header = "stock_word", field = "availability", values = { in_stock = "yes" } },
            ]
            """
        func template(_ name: String, _ outputs: [(file: String, format: String)]) throws -> ChannelDefinition {
            let text = "name = \"\(name)\"\nrules = \"basic\"\n" + outputs.map { "\n[[outputs]]\nfile = \"\($0.file)\"\nformat = \"\($0.format)\"\n" + columns }.joined(separator: "\n")
            return try ChannelCatalog.parse(text, file: "\(name).toml")
        }
        let h = try FeedHarness(store)
        h.channels = [
            try template("twin", [("items.xml", "google-rss"), ("items.csv", "csv"), ("items.tsv", "tsv")]),
            try template("single-xml", [("items.xml", "google-rss")]),
            try template("single-csv", [("items.csv", "csv")]),
            try template("single-tsv", [("items.tsv", "tsv")]),
        ]
        let reports = try h.publish().reports
        #expect(reports.allSatisfy { $0.items == 126 })
        for file in ["items.xml", "items.csv", "items.tsv"] {
            let single = "single-" + (file as NSString).pathExtension
            let twin = try h.read("twin/\(file)")
            #expect(twin == (try h.read("\(single)/\(file)")), "\(file)")
            #expect(twin.contains("in stock") && twin.contains("https://") && twin.contains("&") || file != "items.xml")
        }
        #expect(xmlProblem((h.out as NSString).appendingPathComponent("twin/items.xml")) == nil)
    }

    @Test(arguments: StoreKind.tested) func theSameStoreAndNowGiveByteIdenticalFeeds(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let first = try h.publish().reports.flatMap(\.files).map(\.sha256)
        let second = try h.publish().reports.flatMap(\.files).map(\.sha256)
        #expect(first == second && first.count == 9)
    }

    @Test(arguments: StoreKind.tested) func theXMLIsWellFormedAndTheReportDescribesEachChannel(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let reports = try h.publish().reports
        #expect(xmlProblem((h.out as NSString).appendingPathComponent("google/products.xml")) == nil)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(try h.read("publish-report.json").utf8)) as? [String: Any])
        #expect(report["generated_at"] as? String == "2026-11-25T12:00:00-05:00")
        let channels = try #require(report["channels"] as? [[String: Any]])
        #expect(channels.compactMap { $0["channel"] as? String } == ["amazon", "ebay", "google", "google-local", "idealo", "meta", "walmart"])
        let google = try #require(channels.first { $0["channel"] as? String == "google" })
        #expect(google["items"] as? Int == 126 && google["held_back"] as? Bool == false)
        let files = try #require(google["files"] as? [[String: Any]])
        #expect(files.count == 2)
        // Hashed while writing: the recorded hash is the file's.
        let xml = try #require(reports.first { $0.channel == "google" }?.files.first)
        #expect(files.first?["sha256"] as? String == xml.sha256)
        #expect(xml.bytes == (try FileManager.default.attributesOfItem(atPath: (h.out as NSString).appendingPathComponent(xml.path))[.size] as? Int))
        let warnings = try #require(google["warnings"] as? [String: [String: Any]])
        #expect(warnings["sale_ended"]?["count"] as? Int == 2)
    }
}
