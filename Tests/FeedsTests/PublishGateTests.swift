import Catalog
import Config
import Feeds
import Formats
import Foundation
import Import
import StorePort
import StoreTestSupport
import Testing

@testable import Store

@Suite struct PublishGateTests {
    /// Archive every SKU (the catalog "emptied"): Google would fall to zero items and is held back, the
    /// previous file stays byte for byte; --force publishes anyway.
    @Test(arguments: StoreKind.tested) func aChannelFallingToZeroIsHeldBackAndTheOldFeedStays(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        try h.publish()
        let before = try h.read("google/products.xml")
        let skus = try h.database.rows("SELECT sku || ',' || product_id FROM variants")
        try h.importText("sku,product_id,title,price,status\n" + skus.map { "\($0),x,1.00,archived" }.joined(separator: "\n") + "\n")
        let held = try h.publish(channels: ["google"]).reports[0]
        #expect(held.heldBack && held.items == 0)
        #expect(held.reason?.hasPrefix("the feed would have no items") == true)
        #expect(try h.read("google/products.xml") == before)
        let entries = try FileManager.default.contentsOfDirectory(atPath: (h.out as NSString).appendingPathComponent("google"))
        #expect(entries.sorted() == ["products.tsv", "products.xml"], "no temporary file is left behind")
        let forced = try h.publish(channels: ["google"], force: true).reports[0]
        #expect(!forced.heldBack)
        #expect(try h.read("google/products.xml") != before)
    }

    @Test(arguments: StoreKind.tested) func aDropBeyondTheConfiguredShareIsHeldBack(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        try h.publish(channels: ["google"])
        // Archive a third of the SKUs: 126 → about 84 items, a drop of more than 20%.
        let skus = try h.database.rows("SELECT sku || ',' || product_id FROM variants ORDER BY sku LIMIT 43")
        try h.importText("sku,product_id,title,price,status\n" + skus.map { "\($0),x,1.00,archived" }.joined(separator: "\n") + "\n")
        let report = try h.publish(channels: ["google"]).reports[0]
        #expect(report.heldBack && report.previousItems == 126)
        #expect(report.reason?.contains("more than 20%") == true)
        // A smaller drop passes.
        h.config.feeds.maxDropPercent = 50
        #expect(!(try h.publish(channels: ["google"]).reports[0].heldBack))
    }

    /// A publish killed while writing leaves `.NAME.PID.tmp` files, in a channel's folder or (the report's)
    /// in the output folder itself; the next publish into that folder removes both kinds.
    @Test(arguments: StoreKind.tested) func theNextPublishRemovesTemporaryFilesAKilledOneLeft(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let fm = FileManager.default
        try fm.createDirectory(atPath: h.out + "/google", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: h.out + "/.unifeed/items", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: h.out + "/.unifeed/diagnostics", withIntermediateDirectories: true)
        let leftovers = [
            h.out + "/.publish-report.json.12345.tmp", h.out + "/google/.products.xml.12345.tmp", h.out + "/.unifeed/items/.meta.bin.12345.tmp",
            h.out + "/.unifeed/diagnostics/.meta.tsv.12345.tmp",
        ]
        for path in leftovers { #expect(fm.createFile(atPath: path, contents: Data("half".utf8))) }
        try h.publish(channels: ["google"])
        for path in leftovers { #expect(!fm.fileExists(atPath: path), "\(path)") }
        #expect(fm.fileExists(atPath: h.out + "/publish-report.json"))
    }

    @Test(arguments: StoreKind.tested) func validateWritesNothing(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let result = try h.publish(dryRun: true)
        #expect(result.reports.count == 8)  // google-promotions among them, skipped: the samples have no promotions
        #expect(!FileManager.default.fileExists(atPath: h.out))
    }

    @Test(arguments: StoreKind.tested) func namesOutsideTheVocabularyCannotLeaveTheFolder(_ store: StoreKind) throws {
        #expect(throws: InputError.self) {
            try ChannelCatalog.parse("name = \"../../etc\"\n[[outputs]]\nfile = \"x.csv\"\nformat = \"csv\"\ncolumns = [\"id\"]\n", file: "t.toml")
        }
        #expect(throws: InputError.self) {
            try ChannelCatalog.parse("name = \"x\"\n[[outputs]]\nfile = \"../x.csv\"\nformat = \"csv\"\ncolumns = [\"id\"]\n", file: "t.toml")
        }
        #expect(throws: InputError.self) {
            try ChannelCatalog.parse("name = \"x\"\n[[outputs]]\nfile = \"x.csv\"\nformat = \"csv\"\ncolumns = [\"price_in_bitcoin\"]\n", file: "t.toml")
        }
        // An RSS column header becomes an element name: markup in it is refused, not written.
        let rss = "name = \"x\"\n[[outputs]]\nfile = \"x.xml\"\nformat = \"google-rss\"\n[[outputs.columns]]\nfield = \"id\"\nheader = "
        #expect(throws: InputError.self) { try ChannelCatalog.parse(rss + "\"id><x\"\n", file: "t.toml") }
        #expect(throws: InputError.self) { try ChannelCatalog.parse(rss + "\"1st\"\n", file: "t.toml") }
        #expect(throws: Never.self) { try ChannelCatalog.parse(rss + "\"offer_id\"\n", file: "t.toml") }
        let h = try FeedHarness(store, samples: false)
        #expect(throws: FeedError.self) { try h.publish(channels: ["../../etc"]) }
    }

    @Test(arguments: StoreKind.tested) func aDeclaredChannelNeedsNoSwift(_ store: StoreKind) throws {
        let template = """
            name = "pricespy"
            rules = "basic"
            [[outputs]]
            file = "offers.tsv"
            format = "tsv"
            columns = ["id", "title", { header = "stock", field = "availability", values = { in_stock = "yes", out_of_stock = "no" } }, "effective_price"]
            """
        let channel = try ChannelCatalog.parse(template, file: "pricespy.toml")
        #expect(channel.outputs[0].columns.map(\.header) == ["id", "title", "stock", "effective_price"])
        let h = try FeedHarness(store)
        let dir = h.directory.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try template.write(to: dir.appendingPathComponent("pricespy.toml"), atomically: true, encoding: .utf8)
        let channels = try ChannelCatalog.load(templatesDir: dir.path)
        #expect(channels.map(\.name) == ["amazon", "ebay", "google", "google-local", "google-promotions", "idealo", "meta", "pricespy", "walmart"])
        var options = PublishOptions(outDir: h.out, now: try Timestamp.parse(FeedHarness.now, timeZone: h.config.shop.timeZone))
        options.channels = ["pricespy"]
        _ = try Publisher(store: h.store, config: h.config, channels: channels).run(options) { _ in }
        let lines = try h.read("pricespy/offers.tsv").split(separator: "\n")
        #expect(lines[0] == "id\ttitle\tstock\teffective_price")
        #expect(lines.contains { $0.hasPrefix("TEE-CLS-BLK-M\t") && $0.hasSuffix("\tyes\t19.00 USD") })
    }
}

/// Hostile text comes out well-formed and escaped in XML, TSV and CSV.
@Suite struct HostileTextTests {
    static let nasty = "Tee & <b>bold</b> \"quoted\" 'single' \u{0007}bell\u{001B} 🧵 ✨ עברית مرحبا\ttab\r\nnew line"

    @Test(arguments: StoreKind.tested) func hostileTextRoundTripsEscaped(_ store: StoreKind) throws {
        let h = try FeedHarness(store, samples: false)
        let long = String(repeating: "Долгое описание — ", count: 600)  // about 11 KB
        let csv = """
            product_id,sku,title,description,brand,gtin,price,link,image_link,quantity
            P,H-1,"\(Self.nasty.replacingOccurrences(of: "\"", with: "\"\""))","\(long)",Brand & Co,4006381333160,10.00,https://shop.example/p?a=1&b=2,https://cdn.example/a.jpg,5

            """
        #expect(try h.importText(csv).imported == 1)
        try h.publish(now: "2026-11-25T12:00", force: true)
        let xmlPath = (h.out as NSString).appendingPathComponent("google/products.xml")
        #expect(xmlProblem(xmlPath) == nil)
        let item = try #require(try rssItems(xmlPath).first)
        let expectedTitle = FeedText.xmlSafe(Self.nasty)  // the XML-illegal controls dropped, the rest kept
        #expect(item["title"] == [expectedTitle])
        #expect(item["description"] == [long])
        #expect(item["link"] == ["https://shop.example/p?a=1&b=2"])
        #expect(!expectedTitle.contains("\u{0007}") && expectedTitle.contains("🧵") && expectedTitle.contains("עברית"))

        for (file, delimiter) in [("google/products.tsv", UInt8(ascii: "\t")), ("meta/catalog.csv", UInt8(ascii: ","))] {
            let reader = try CSVReader(path: (h.out as NSString).appendingPathComponent(file), delimiter: delimiter)
            #expect(try reader.next())
            let header = reader.fields
            #expect(try reader.next())
            let row = Dictionary(uniqueKeysWithValues: zip(header, reader.fields))
            #expect(row["title"] == expectedTitle, "\(file)")
            #expect(try !reader.next(), "one record, newlines stayed inside quotes")
        }
    }
}
