import Catalog
import Config
import Feeds
import Foundation
import Import
import StoreTestSupport
import Testing
import UnifeedTestSupport

/// Automatic markdowns (`price_effect = sale`) are the sale price of every SKU they target, on every
/// channel they reach, online and in store (DESIGN.md §10).
@Suite struct PromotionFeedTests {
    static let promotions = """
        promotion_id,title,discount_type,value,coupon_code,applies_to,targets,start,end,redemption,price_effect,minimum_purchase
        TEE30,30% off classic tees,percent_off,30,,product_id,TEE-CLS,2026-11-20,2026-12-01,both,sale,
        VOLT15,15% off Voltarc online,percent_off,15,,brand,Voltarc,2026-11-20,2026-12-01,online,sale,
        SAVE10,$10 off orders of $50 or more,money_off,10,SAVE10,all,,2026-11-20,2026-12-31,online,none,50
        LATER,30% off dresses in December,percent_off,30,,product_type,Apparel > Dresses,2026-12-01,2026-12-10,both,sale,
        """

    static func published(_ store: StoreKind, allowStorePrice: Bool = false) throws -> (FeedHarness, [Diagnostic]) {
        let h = try FeedHarness(store)
        h.config.channels["google-local", default: ChannelSettings()].allowStorePrice = allowStorePrice
        let summary = try h.importText(promotions, kind: .promotions)
        #expect(summary.new == 4 && summary.rejected == 0)
        let (_, diagnostics) = try h.publish()
        return (h, diagnostics)
    }

    static func tsv(_ text: String) -> [[String: String]] {
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    @Test(arguments: StoreKind.tested) func markdownsAreTheSalePriceOnlineAndInStoreWhereTheyReach(_ store: StoreKind) throws {
        let (h, diagnostics) = try Self.published(store)
        let items = try rssItems((h.out as NSString).appendingPathComponent("google/products.xml"))
        func item(_ sku: String) throws -> [String: [String]] { try #require(items.first { $0["id"] == [sku] }) }
        // 25.00 − 30 % = 17.50, lower than the tee's own sale (19.00 until Dec 5): the promotion wins,
        // with its window in the shop's offset.
        let tee = try item("TEE-CLS-BLK-S")
        #expect(tee["price"] == ["25.00 USD"] && tee["sale_price"] == ["17.50 USD"])
        #expect(tee["sale_price_effective_date"] == ["2026-11-20T00:00-0500/2026-12-02T00:00-0500"])
        // 45.00 − 15 % = 38.25 online.
        #expect(try item("CHG-65W-WHT")["sale_price"] == ["38.25 USD"])
        // The code promotion changes no price; the December one is announced with its dates (a future
        // sale), since nothing runs for dresses now.
        let dress = try item("DRS-MAX-TER-1X")
        #expect(dress["sale_price"] == ["68.60 USD"] && dress["sale_price_effective_date"] == ["2026-12-01T00:00-0500/2026-12-11T00:00-0500"])

        let local = Self.tsv(try h.read("google-local/local-inventory.tsv"))
        let teeRows = local.filter { $0["id"] == "TEE-CLS-BLK-S" }
        #expect(!teeRows.isEmpty && teeRows.allSatisfy { $0["sale_price"] == "17.50 USD" }, "both: the stores honour it")
        // Online only: the stores would show 45.00 against 38.25 online, which Google refuses for one
        // product id: an error that names both and the promotion, and no store rows.
        #expect(local.allSatisfy { $0["id"] != "CHG-65W-WHT" })
        let differs = try #require(diagnostics.first { $0.channel == "google-local" && $0.sku == "CHG-65W-WHT" })
        #expect(differs.rule == "in_store_price_differs" && differs.severity == .error)
        #expect(differs.message.contains("in store 45.00 USD (its price) but online 38.25 USD (promotion VOLT15)"))
        #expect(!diagnostics.contains { $0.rule == "in_store_price_differs" && $0.sku.hasPrefix("TEE-CLS") }, "both: one price everywhere")
        // The publish report counts it among the local inventory's exclusions.
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(h.read("publish-report.json").utf8)) as? [String: Any])
        let localReport = try #require((report["channels"] as? [[String: Any]])?.first { $0["channel"] as? String == "google-local" })
        let excluded = try #require(localReport["excluded"] as? [String: Any])
        #expect(excluded["in_store_price_differs"] != nil, "\(excluded)")

        // eBay and Walmart send the price in effect now; Amazon its discounted price.
        let ebay = try csvRows(try h.read("ebay/file-exchange.csv"))
        let header = ebay[0]
        func ebayPrice(_ sku: String) -> String? {
            ebay.first { $0[header.firstIndex(of: "CustomLabel")!] == sku }.map { $0[header.firstIndex(of: "StartPrice")!] }
        }
        #expect(ebayPrice("TEE-CLS-BLK-S") == "17.50" && ebayPrice("CHG-65W-WHT") == "38.25")
        let walmart = try h.read("walmart/items.jsonl").split(separator: "\n")
        #expect(walmart.contains { $0.contains("\"sku\":\"TEE-CLS-BLK-S\"") && $0.contains("17.50") })
        let amazon = try h.read("amazon/listings-0001.json")
        #expect(amazon.contains("17.5"), "Amazon's discounted price schedule carries 17.50")
    }

    /// `samples/promotions.csv` (the demo imports it): a storewide weekend markdown online and in
    /// store, a brand markdown online only that the stores are flagged for, and the SAVE10 code.
    @Test(arguments: StoreKind.tested) func theSamplePromotionsAsTheDemoShowsThem(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let summary = try h.importFile(TestPaths.root.appendingPathComponent("samples/promotions.csv").path, kind: .promotions)
        #expect(summary.new == 3 && summary.rejected == 0)
        let (reports, diagnostics) = try h.publish()
        #expect(reports.allSatisfy { !$0.heldBack && !$0.skipped })
        // Voltarc is 20% off online only: each of its SKUs is flagged for the stores, naming both offers.
        let flagged = diagnostics.filter { $0.rule == "in_store_price_differs" }
        #expect(!flagged.isEmpty && flagged.allSatisfy { $0.channel == "google-local" && $0.message.contains("promotion VOLTARC_WEB_20") })
        let charger = try #require(flagged.first { $0.sku == "CHG-65W-WHT" })
        #expect(charger.message.hasPrefix("in store 45.00 USD (its price) but online 36.00 USD (promotion VOLTARC_WEB_20)"))
        let items = try rssItems((h.out as NSString).appendingPathComponent("google/products.xml"))
        #expect(items.first { $0["id"] == ["CHG-65W-WHT"] }?["sale_price"] == ["36.00 USD"])
        // The weekend markdown is announced with its window where no sale runs now.
        let candle = try #require(items.first { $0["id"] == ["CDL-SOY-LIN"] })
        #expect(candle["sale_price"] == ["22.10 USD"] && candle["sale_price_effective_date"] == ["2026-11-27T00:00-0500/2026-11-30T00:00-0500"])
        let promotions = try rssItems((h.out as NSString).appendingPathComponent("google-promotions/promotions.xml"))
        #expect(promotions.map { $0["promotion_id"]![0] } == ["SAVE10"])
        #expect(try Auditor(store: h.store, config: h.config, channels: h.channels).run(outDir: h.out).findings.isEmpty)
    }

    /// A markdown over a variant whose own sale has ended: the markdown is sent, and no `sale_ended`.
    @Test(arguments: StoreKind.tested) func aMarkdownOverAnEndedSaleIsNoEndedSale(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let before = try h.publish().diagnostics.filter { $0.rule == "sale_ended" && $0.sku.hasPrefix("MUG-STN") }
        #expect(!before.isEmpty)
        let mugs = """
            promotion_id,title,discount_type,value,coupon_code,applies_to,targets,start,end,redemption,price_effect,minimum_purchase
            MUGS10,10% off stoneware mugs,percent_off,10,,product_id,MUG-STN,2026-11-20,2026-12-01,both,sale,
            """
        #expect(try h.importText(mugs, kind: .promotions).new == 1)
        let after = try h.publish()
        #expect(!after.diagnostics.contains { $0.rule == "sale_ended" && $0.sku.hasPrefix("MUG-STN") })
        let items = try rssItems((h.out as NSString).appendingPathComponent("google/products.xml"))
        #expect(items.filter { $0["id"]![0].hasPrefix("MUG-STN") }.allSatisfy { $0["sale_price"]?.isEmpty == false })
    }

    /// Google takes 10 `promotion_id` values per item: an eleventh is a warning and the first 10 by id
    /// are sent.
    @Test(arguments: StoreKind.tested) func moreThanTenPromotionsOnAnItemIsAWarning(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let rows = (1...11).map {
            String(format: "CODE%02d,%d%% off classic tees,percent_off,%d,TEE%02d,sku,TEE-CLS-BLK-S,2026-11-20,2026-12-01,online,none,", $0, 5 + $0, 5 + $0, $0)
        }
        let text = "promotion_id,title,discount_type,value,coupon_code,applies_to,targets,start,end,redemption,price_effect,minimum_purchase\n"
        #expect(try h.importText(text + rows.joined(separator: "\n"), kind: .promotions).new == 11)
        let (_, diagnostics) = try h.publish()
        #expect(diagnostics.contains { $0.channel == "google" && $0.sku == "TEE-CLS-BLK-S" && $0.rule == "too_many_promotions" && $0.severity == .warning })
        let items = try rssItems((h.out as NSString).appendingPathComponent("google/products.xml"))
        #expect(items.first { $0["id"] == ["TEE-CLS-BLK-S"] }?["promotion_id"] == (1...10).map { String(format: "CODE%02d", $0) })
    }

    /// Audit finds a tampered promotion-adjusted price and a missing promotion_id in the Google feed,
    /// with file and line.
    @Test(arguments: StoreKind.tested) func auditFindsATamperedMarkdownPriceAndAMissingPromotionID(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let text = Self.promotions + "\nTEECODE,15% off classic tees with a code,percent_off,15,TEE15,product_id,TEE-CLS,2026-11-20,2026-12-01,online,none,"
        #expect(try h.importText(text, kind: .promotions).new == 5)
        _ = try h.publish()
        let auditor = Auditor(store: h.store, config: h.config, channels: h.channels)
        #expect(try auditor.run(outDir: h.out).findings.isEmpty)
        let path = (h.out as NSString).appendingPathComponent("google/products.xml")
        let original = try String(contentsOfFile: path, encoding: .utf8)
        // The tee's markdown price (17.50) raised, and its promotion_id dropped, on one item each.
        let tampered = original.replacingOccurrences(of: "<g:sale_price>17.50 USD</g:sale_price>", with: "<g:sale_price>18.50 USD</g:sale_price>")
            .replacingOccurrences(of: "<g:promotion_id>TEECODE</g:promotion_id>", with: "")
        #expect(tampered != original)
        try Data(tampered.utf8).write(to: URL(fileURLWithPath: path))
        let findings = try auditor.run(outDir: h.out).findings
        let price = try #require(findings.first { $0.column == "sale_price" && $0.found == "18.50 USD" })
        // Nothing else: every tee shows the changed price and lacks the id, and the file's SHA-256 changed.
        #expect(Set(findings.map(\.column)) == ["sale_price", "promotion_id", "sha256"], "\(findings.prefix(5).map(\.description))")
        #expect(price.expected == "17.50 USD" && price.file == path && price.line > 0)
        let missing = try #require(findings.first { $0.column == "promotion_id" })
        #expect(missing.expected == "TEECODE" && missing.found == "" && missing.line > 0)
    }

    /// `/v1/availability`'s answer (`Publisher.availability(sku:now:)`) shows the same offers, online
    /// and per store, and which markdown makes the online one.
    @Test(arguments: StoreKind.tested) func theAvailabilityAnswerShowsTheOffers(_ store: StoreKind) throws {
        let (h, _) = try Self.published(store)
        let publisher = Publisher(store: h.store, config: h.config, channels: h.channels)
        let now = try Timestamp.parse(FeedHarness.now, timeZone: h.config.shop.timeZone)
        let charger = try #require(try publisher.availability(sku: "CHG-65W-WHT", now: now))
        #expect(charger.effectivePrice.amountString == "38.25" && charger.markdown == "VOLT15")
        #expect(!charger.channels.contains { $0.name == "google-promotions" }, "a channel of promotions lists no SKU")
        #expect(!charger.stores.isEmpty && charger.stores.allSatisfy { $0.effectivePrice.amountString == "45.00" && $0.salePrice == nil })
        let tee = try #require(try publisher.availability(sku: "TEE-CLS-BLK-S", now: now))
        #expect(tee.effectivePrice.amountString == "17.50" && tee.markdown == "TEE30")
        #expect(tee.stores.allSatisfy { $0.salePrice?.amountString == "17.50" })
        let json = tee.json.serialized()
        #expect(json.contains("\"markdown\":\"TEE30\"") && json.contains("\"promotion_ids\":[]"))
    }

    @Test(arguments: StoreKind.tested) func allowStorePriceKeepsTheStoreRowsAtTheirOwnPrice(_ store: StoreKind) throws {
        let (h, diagnostics) = try Self.published(store, allowStorePrice: true)
        #expect(!diagnostics.contains { $0.rule == "in_store_price_differs" })
        let rows = Self.tsv(try h.read("google-local/local-inventory.tsv")).filter { $0["id"] == "CHG-65W-WHT" }
        #expect(!rows.isEmpty && rows.allSatisfy { $0["price"] == "45.00 USD" && $0["sale_price"] == "" })
    }

    /// Archived, the markdown ends: the tee's own sale (19.00) is back on every channel.
    @Test(arguments: StoreKind.tested) func anArchivedMarkdownEndsEverywhere(_ store: StoreKind) throws {
        let (h, _) = try Self.published(store)
        let archived = """
            promotion_id,title,discount_type,value,coupon_code,applies_to,targets,start,end,redemption,price_effect,minimum_purchase,status
            TEE30,30% off classic tees,percent_off,30,,product_id,TEE-CLS,2026-11-20,2026-12-01,both,sale,,archived
            """
        #expect(try h.importText(archived, kind: .promotions).updated == 1)
        _ = try h.publish()
        let items = try rssItems((h.out as NSString).appendingPathComponent("google/products.xml"))
        #expect(items.first { $0["id"] == ["TEE-CLS-BLK-S"] }?["sale_price"] == ["19.00 USD"])
        #expect(
            Self.tsv(try h.read("google-local/local-inventory.tsv")).filter { $0["id"] == "TEE-CLS-BLK-S" }.allSatisfy { $0["sale_price"] == "19.00 USD" })
    }

    /// The spec digest's worked example (two promotions, US shop), byte for byte: the example is read
    /// in place from `../shared/specs/google-promotions.md`.
    @Test(.enabled(if: Requirements.shared("specs/google-promotions.md"), "../shared/specs is absent (CI always has ../shared beside the repository)"), arguments: StoreKind.tested)
    func theSpecsWorkedExampleByteForByte(_ store: StoreKind) throws {
        let spec = try String(contentsOf: try #require(TestPaths.shared).appendingPathComponent("specs/google-promotions.md"), encoding: .utf8)
        let start = try #require(spec.range(of: "## 4. Worked example"))
        let block = try #require(spec[start.upperBound...].range(of: "```xml\n"))
        let end = try #require(spec[block.upperBound...].range(of: "```"))
        let expected = String(spec[block.upperBound..<end.lowerBound])

        var config = UnifeedConfig()
        config.shop.name = "Example Shop"
        config.shop.url = "https://www.example.com"
        config.shop.timeZone = TimeZone(identifier: "America/New_York")!
        let h = try FeedHarness(store, samples: false, config: config)
        let catalog = """
            product_id,sku,title,description,price,currency,brand,size,link,image_link,quantity
            TEE-BLU,TEE-BLU-S,Organic cotton tee,A soft tee.,25.00,USD,Example,S,https://www.example.com/p/tee-blu-s,https://www.example.com/i/tee-blu-s.jpg,5
            TEE-BLU,TEE-BLU-M,Organic cotton tee,A soft tee.,25.00,USD,Example,M,https://www.example.com/p/tee-blu-m,https://www.example.com/i/tee-blu-m.jpg,5
            TEE-RED,TEE-RED-S,Organic cotton tee,A soft tee.,25.00,USD,Example,S,https://www.example.com/p/tee-red-s,https://www.example.com/i/tee-red-s.jpg,5
            """
        #expect(try h.importText(catalog).new == 3)
        let promotions = """
            promotion_id,title,discount_type,value,coupon_code,applies_to,targets,start,end,redemption,price_effect,minimum_purchase,promotion_url,fine_print,display_start,display_end
            BF26_TEE_20,20% off organic cotton tees,percent_off,20,,sku,TEE-BLU-S|TEE-BLU-M|TEE-RED-S,2026-11-20,2026-12-01,both,none,,https://www.example.com/sale/organic-tees,Applied automatically at checkout and at the register.,2026-11-27,2026-11-30
            SAVE10_OVER50,$10 off orders of $50 or more,money_off,10,SAVE10,all,,2026-11-20,2026-12-31,online,none,50,https://www.example.com/offers,One use per order. Excludes gift cards.,,
            """
        let imported = try h.importText(promotions, kind: .promotions)
        #expect(imported.new == 2 && imported.rejected == 0)
        let (reports, diagnostics) = try h.publish(now: "2026-11-25T12:00:00", channels: ["google-promotions", "google"])
        #expect(reports.first { $0.channel == "google-promotions" }?.items == 2)
        #expect(reports.first { $0.channel == "google" }?.items == 3, "\(diagnostics.map(\.line))")
        #expect(try h.read("google-promotions/promotions.xml") == expected)

        // The listed tees name the promotion in the product feed (XML: one element each; TSV: a cell);
        // a promotion for all products needs no mapping. Prices do not change.
        let items = try rssItems((h.out as NSString).appendingPathComponent("google/products.xml"))
        #expect(items.count == 3 && items.allSatisfy { $0["promotion_id"] == ["BF26_TEE_20"] && $0["sale_price"] == nil })
        let tsv = Self.tsv(try h.read("google/products.tsv"))
        #expect(tsv.count == 3 && tsv.allSatisfy { $0["promotion_id"] == "BF26_TEE_20" })
        // Audit reads the promotions file back against the store.
        let audit = try Auditor(store: h.store, config: h.config, channels: h.channels).run(outDir: h.out)
        #expect(audit.findings.isEmpty, "\(audit.findings.map(\.description))")
    }

    /// The promotions file is well-formed and has every required attribute for each promotion (read
    /// back with libxml2), and a tampered file is caught by audit.
    @Test(arguments: StoreKind.tested) func thePromotionsFileHasEveryRequiredAttributeAndAuditCatchesATamperedOne(_ store: StoreKind) throws {
        let (h, _) = try Self.published(store)
        let path = (h.out as NSString).appendingPathComponent("google-promotions/promotions.xml")
        #expect(xmlProblem(path) == nil)
        let items = try rssItems(path)
        #expect(items.map { $0["promotion_id"] } == [["SAVE10"]], "only the code promotion; markdowns are prices")
        for item in items {
            for required in ["promotion_id", "product_applicability", "offer_type", "long_title", "promotion_effective_dates", "redemption_channel"] {
                #expect(item[required]?.first?.isEmpty == false, "\(required)")
            }
            if item["offer_type"] == ["generic_code"] { #expect(item["generic_redemption_code"] == ["SAVE10"]) }
            #expect(item["money_off_amount"] == ["10.00 USD"] && item["minimum_purchase_amount"] == ["50.00 USD"])
            #expect(item["promotion_effective_dates"] == ["2026-11-20T00:00:00-05:00/2026-12-31T23:59:59-05:00"])
        }
        #expect(try Auditor(store: h.store, config: h.config, channels: h.channels).run(outDir: h.out).findings.isEmpty)
        // Another amount in the file: the SHA-256 and the element are both reported.
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "10.00 USD", with: "15.00 USD")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let findings = try Auditor(store: h.store, config: h.config, channels: h.channels).run(outDir: h.out).findings
        #expect(findings.contains { $0.column == "money_off_amount" && $0.found == "15.00 USD" && $0.expected == "10.00 USD" })
        #expect(findings.contains { $0.column == "sha256" })
    }
}
