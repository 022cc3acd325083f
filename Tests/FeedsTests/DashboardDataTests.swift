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

/// What the dashboard reads from the store and the output folder (DESIGN.md §11): the products search,
/// the runs history with each publish's added, removed and changed items, and each channel's findings.
@Suite struct DashboardDataTests {
    func search(_ h: FeedHarness, _ text: String, after: String? = nil, limit: Int = 50) throws -> (hits: [SearchHit], next: String?) {
        try h.store.reading { try $0.search(ProductQuery(text), after: after, limit: limit) }
    }

    /// Every page of a search, following the keys: no SKU twice, none missed.
    func allPages(_ h: FeedHarness, _ text: String, limit: Int) throws -> [String] {
        var skus: [String] = []
        var after: String?
        repeat {
            let page = try search(h, text, after: after, limit: limit)
            skus += page.hits.map(\.sku)
            after = page.next
        } while after != nil
        return skus
    }

    @Test(arguments: StoreKind.tested) func searchBySKUPrefixGTINAndTitleWordsWithKeyPages(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let tees = try h.database.rows("SELECT sku FROM variants WHERE sku LIKE 'TEE-%' ORDER BY sku")
        #expect(tees.count > 3)
        // A SKU prefix, three at a time: the same SKUs in order.
        #expect(try allPages(h, "TEE-", limit: 3) == tees)
        // An exact SKU.
        #expect(try search(h, "DRS-MAX-TER-2X").hits.map(\.sku) == ["DRS-MAX-TER-2X"])
        // A GTIN as written in the catalog, and with its leading zeros left off.
        let fields = try #require(try h.database.rows("SELECT sku, gtin FROM variants WHERE gtin LIKE '0%' ORDER BY sku LIMIT 1").first).split(separator: "|")
        let (sku, gtin) = (String(fields[0]), String(fields[1]))
        #expect(try search(h, gtin).hits.map(\.sku).contains(sku))
        // Title words, any case, as word prefixes, diacritics folded; every word must match.
        let dutch = try search(h, "dutch OVEN").hits
        #expect(!dutch.isEmpty && dutch.allSatisfy { $0.title?.lowercased().contains("dutch oven") == true })
        #expect(try search(h, "dut ove").hits.map(\.sku) == dutch.map(\.sku))
        #expect(try search(h, "dutch zebra").hits.isEmpty)
        // Words match products, each product's SKUs listed; one product per page at a limit of 1.
        let candles = try allPages(h, "candle", limit: 1)
        #expect(Set(candles).count == candles.count && candles.count >= 2)
        // Quotes, stars and brackets in the query are not FTS syntax: only its words count.
        #expect(try search(h, "\"candle*) (").hits.map(\.sku).sorted() == candles.sorted())
    }

    /// The index follows the catalog: a renamed product is found by its new title only.
    @Test(arguments: StoreKind.tested) func theSearchIndexFollowsTitleChanges(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        #expect(!(try search(h, "dutch oven").hits.isEmpty))
        let fields = try #require(
            try h.database.rows("SELECT p.product_id, v.sku FROM products p JOIN variants v USING (product_id) WHERE p.title LIKE '%Dutch Oven%'").first
        ).split(separator: "|")
        let (pid, sku) = (String(fields[0]), String(fields[1]))
        try h.importText("product_id,sku,title,price,currency\n\(pid),\(sku),Cast Iron Cocotte,99.00,USD\n")
        #expect(try search(h, "dutch oven").hits.isEmpty)
        #expect(try search(h, "cocotte").hits.map(\.sku).contains(sku))
        // A new product is found at once.
        try h.importText("product_id,sku,title,price,currency\nNEW-1,NEW-1-A,Crème Brûlée Torch,19.00,USD\n")
        #expect(try search(h, "creme brulee").hits.map(\.sku) == ["NEW-1-A"])
    }

    @Test(arguments: StoreKind.tested) func committedImportsAreListedNewestFirst(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let runs = try h.store.reading { try $0.importRuns(limit: 10) }
        #expect(runs.map(\.kind) == ["inventory", "stores", "catalog"])
        let catalog = try #require(runs.last)
        #expect(catalog.file.hasSuffix("samples/catalog.csv"), "\(catalog)")
        #expect(catalog.format == "unifeed" && catalog.rows == 128 && catalog.new == 128, "\(catalog)")
        // A dry run and a failed import are not runs.
        var options = ImportOptions()
        options.dryRun = true
        _ = try Importer(store: h.store, config: h.config).run(
            path: TestPaths.root.appendingPathComponent("samples/catalog.csv").path, kind: .catalog(nil), options: options
        ) { _ in }
        #expect(throws: InputError.self) { try h.importText("product_id,sku,title,price\n") }
        #expect(try h.store.reading { try $0.importRuns(limit: 10) }.count == 3)
    }

    /// Each publish counts, per channel, the items it added, removed and changed against the previous
    /// publish into the same folder; the first has nothing to compare with, a held-back one changes
    /// nothing (its record stays the previous publish's).
    @Test(arguments: StoreKind.tested) func publishesCountItemsAddedRemovedAndChanged(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        // One brand's items kept out by the channel's rules at first: they are added when the rule goes.
        let brand = "Voltarc"
        let brandItems = try #require(
            try h.database.int("SELECT count(*) FROM variants v JOIN products p USING (product_id) WHERE p.brand = 'Voltarc' AND v.status = 'active'"))
        var google = h.config.settings(for: "google")
        google.excludeBrands = [brand]
        h.config.channels["google"] = google
        try h.publish(channels: ["google"])
        try h.publish(channels: ["google"])
        google.excludeBrands = []
        h.config.channels["google"] = google
        // One SKU archived (removed), one SKU's online count changed (changed).
        try h.importText("sku,product_id,title,price,status\nDRS-MAX-TER-2X,DRS-MAX,Tiered Maxi Dress,98.00,archived\n")
        try h.importText("sku,location,quantity\nTEE-CLS-BLK-S,online,17\n", kind: .inventory)
        try h.publish(channels: ["google"], force: true)
        let runs = try h.store.reading { try $0.publishRuns(channel: "google", limit: 10) }
        #expect(runs.count == 3)
        #expect(runs[2].added == nil && runs[2].removed == nil && runs[2].changed == nil, "the first publish has nothing to compare with")
        #expect(runs[1].added == 0 && runs[1].removed == 0 && runs[1].changed == 0, "the same catalog at the same moment changes nothing")
        #expect(runs[0].added == brandItems && runs[0].removed == 1, "\(runs[0])")
        // The archived SKU's product also changed title for its group (product fields come from the row).
        let dresses = try #require(try h.database.int("SELECT count(*) FROM variants WHERE product_id = 'DRS-MAX' AND status = 'active'"))
        #expect(runs[0].changed == 1 + dresses, "\(runs[0])")
    }

    @Test(arguments: StoreKind.tested) func eachChannelsFindingsAreKeptAndPaged(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let (_, diagnostics) = try h.publish()
        let local = diagnostics.filter { $0.channel == "google-local" }
        #expect(!local.isEmpty)
        // All of them, in publish order, two at a time by byte offset.
        var read: [DiagnosticsLog.Row] = []
        var offset: UInt64 = 0
        while true {
            let page = DiagnosticsLog.page(outDir: h.out, channel: "google-local", from: offset, limit: 2) { _ in true }
            read += page.rows
            guard let next = page.next else { break }
            offset = next
        }
        #expect(read.map(\.sku) == local.map(\.sku) && read.map(\.rule) == local.map(\.rule))
        #expect(read.map(\.message) == local.map(\.message))
        // A filter.
        let warnings = DiagnosticsLog.page(outDir: h.out, channel: "google-local", from: 0, limit: 1000) { $0.severity == "warning" }.rows
        #expect(warnings.count == local.filter { $0.severity == .warning }.count)
        // An unknown channel has no log: no rows, no error.
        #expect(DiagnosticsLog.page(outDir: h.out, channel: "nope", from: 0, limit: 10) { _ in true }.rows.isEmpty)
        // The report as the dashboard reads it.
        let state = try #require(PublishedState.read(outDir: h.out))
        #expect(state.channels.map(\.name) == ["amazon", "ebay", "google", "google-local", "idealo", "meta", "walmart"])
        #expect(state.channels.first { $0.name == "google" }?.items == 126)
        // The findings' files are not published files: the report does not list them.
        #expect(state.channels.flatMap(\.files).allSatisfy { !$0.path.contains(".unifeed") })
    }
}
