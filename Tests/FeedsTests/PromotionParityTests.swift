import Catalog
import Config
import Feeds
import Foundation
import Import
import StorePort
import StoreTestSupport
import Testing
import UnifeedTestSupport

@testable import Store

/// One price everywhere (DESIGN.md §10): 512 SKUs (the samples four times over, new SKUs and GTINs)
/// with markdowns of every kind (brand, product type, product, SKUs, all; online, in store, both;
/// running, future, ended) over the variants' own sales, published on every channel. The test reads
/// every file back itself and compares each SKU's price in effect at `--now` with `Markdowns.offer`:
/// no SKU may disagree.
@Suite struct PromotionParityTests {
    static let promotions = """
        promotion_id,title,discount_type,value,coupon_code,applies_to,targets,start,end,redemption,price_effect,minimum_purchase
        NWB15,15% off Northwind Basics,percent_off,15,,brand,Northwind Basics,2026-11-20,2026-12-01,both,sale,
        CHG10,$10 off chargers online,money_off,10,,product_type,Electronics > Power > Chargers,2026-11-20,2026-12-01,online,sale,
        STORE25,25% off in store,percent_off,25,,sku,TEE-CLS-BLK-S|TEE-CLS-BLK-M-K1|SCK-CRW-MIX-M-K2|HP-ANC-BLK,2026-11-24,2026-11-27,in_store,sale,
        ALL5,5% off everything in December,percent_off,5,,all,,2026-12-01,2026-12-10,both,sale,
        HOODOLD,30% off hoodies (ended),percent_off,30,,product_id,HOD-ZIP,2026-11-01,2026-11-10,both,sale,
        MUGS20,20% off mugs,percent_off,20,,product_type,Home > Kitchen > Mugs,2026-11-22T08:00:00,2026-11-29,both,sale,
        DENIM,$12 off jeans,money_off,12,,product_id,JNS-SLM|JNS-SLM-K3,2026-11-25,2026-11-26,online,sale,
        SAVE10,$10 off orders of $50 or more,money_off,10,SAVE10,all,,2026-11-20,2026-12-31,online,none,50
        """

    /// The samples' catalog four times: copy k > 0 suffixes product ids and SKUs with `-Kk` and gets
    /// fresh valid GTINs.
    static func catalog() throws -> String {
        let text = try String(contentsOf: TestPaths.root.appendingPathComponent("samples/catalog.csv"), encoding: .utf8)
        let rows = try csvRows(text)
        let header = rows[0]
        let (product, sku, gtin) = (header.firstIndex(of: "product_id")!, header.firstIndex(of: "sku")!, header.firstIndex(of: "gtin")!)
        func quoted(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = header.map(quoted).joined(separator: ",") + "\n"
        var serial = 0
        for k in 0..<4 {
            for row in rows.dropFirst() where row.count == header.count {
                var copy = row
                if k > 0 {
                    copy[product] += "-K\(k)"
                    copy[sku] += "-K\(k)"
                    if !copy[gtin].isEmpty {
                        serial += 1
                        let body = "4006391" + String(format: "%05d", serial)
                        let sum = body.reversed().enumerated().reduce(0) { $0 + Int(String($1.element))! * ($1.offset % 2 == 0 ? 3 : 1) }
                        copy[gtin] = body + String((10 - sum % 10) % 10)
                    }
                }
                out += copy.map(quoted).joined(separator: ",") + "\n"
            }
        }
        return out
    }

    static func tsv(_ text: String) throws -> [[String: String]] {
        let rows = try csvRows(text, delimiter: "\t")
        return rows.dropFirst().map { Dictionary(zip(rows[0], $0), uniquingKeysWith: { a, _ in a }) }
    }

    static func csv(_ text: String) throws -> [[String: String]] {
        let rows = try csvRows(text)
        return rows.dropFirst().map { Dictionary(zip(rows[0], $0), uniquingKeysWith: { a, _ in a }) }
    }

    /// `25.00 USD` or `25.00` → minor units.
    static func minor(_ text: String) -> Int64? {
        let amount = text.split(separator: " ").first.map(String.init) ?? text
        guard let value = Decimal(string: amount) else { return nil }
        return NSDecimalNumber(decimal: value * 100).int64Value
    }

    /// The price in effect at `now` from a price, a sale price and Google's interval
    /// (`2026-11-20T00:00-0500/2026-12-02T00:00-0500`; empty: no window).
    static func inEffect(price: String, sale: String, window: String, now: Timestamp, tz: TimeZone) throws -> Int64? {
        guard !sale.isEmpty else { return minor(price) }
        guard !window.isEmpty else { return minor(sale) }
        let parts = window.split(separator: "/").map(String.init)
        let (from, to) = (try Timestamp.parse(parts[0], timeZone: tz), try Timestamp.parse(parts[1], timeZone: tz))
        return from <= now && now < to ? minor(sale) : minor(price)
    }

    @Test(arguments: StoreKind.tested) func everyChannelShowsThePriceTheOneFunctionGives(_ store: StoreKind) throws {
        let h = try FeedHarness(store, samples: false)
        h.config.channels["google-local", default: ChannelSettings()].allowStorePrice = true
        let imported = try h.importText(try Self.catalog())
        #expect(imported.rejected == 0 && imported.imported == 512)
        for (file, kind) in [("stores.csv", ImportKind.stores), ("inventory.csv", .inventory)] {
            _ = try h.importFile(TestPaths.root.appendingPathComponent("samples/\(file)").path, kind: kind)
        }
        let promotions = try h.importText(Self.promotions, kind: .promotions)
        #expect(promotions.new == 8 && promotions.rejected == 0)
        let (reports, _) = try h.publish()
        #expect(reports.allSatisfy { !$0.heldBack && !$0.skipped })

        // What the one function says, online and in store, for every SKU.
        let tz = h.config.shop.timeZone
        let now = try Timestamp.parse(FeedHarness.now, timeZone: tz)
        var online: [String: Int64] = [:]
        var inStore: [String: Int64] = [:]
        try h.store.reading { snapshot in
            let markdowns = Markdowns(try snapshot.promotions())
            try snapshot.forEachVariant { v in
                for store in [false, true] {
                    let offer = markdowns.offer(
                        price: v.price, sale: v.salePrice, saleStart: v.saleStart, saleEnd: v.saleEnd, sku: v.sku.rawValue, productID: v.productID,
                        productType: v.productType, brand: v.brand, inStore: store, now: now)
                    let running = offer?.hasStarted(by: now) ?? false
                    let price = running ? offer!.salePrice.minorUnits : v.price.minorUnits
                    if store { inStore[v.sku.rawValue] = price } else { online[v.sku.rawValue] = price }
                }
            }
        }
        #expect(online.count == 512)
        // The markdowns do reach something, or the test would prove nothing.
        #expect(online.filter { sku, price in inStore[sku] != price }.count >= 8, "online-only and in-store-only markdowns differ somewhere")

        var disagreements: [String] = []
        var checked: [String: Int] = [:]
        func check(_ channel: String, _ sku: String, _ found: Int64?, store: Bool = false) {
            checked[channel, default: 0] += 1
            let expected = store ? inStore[sku] : online[sku]
            if found != expected { disagreements.append("\(channel) \(sku): \(found.map(String.init) ?? "nil") against \(expected.map(String.init) ?? "nil")") }
        }
        // Google XML and TSV, Meta: price, sale price and its window.
        for item in try rssItems((h.out as NSString).appendingPathComponent("google/products.xml")) {
            let sku = item["id"]![0]
            check(
                "google.xml", sku,
                try Self.inEffect(
                    price: item["price"]![0], sale: item["sale_price"]?.first ?? "", window: item["sale_price_effective_date"]?.first ?? "", now: now, tz: tz))
        }
        for row in try Self.tsv(try h.read("google/products.tsv")) {
            check("google.tsv", row["id"]!, try Self.inEffect(price: row["price"]!, sale: row["sale_price"]!, window: row["sale_price_effective_date"]!, now: now, tz: tz))
        }
        for row in try Self.csv(try h.read("meta/catalog.csv")) {
            check("meta", row["id"]!, try Self.inEffect(price: row["price"]!, sale: row["sale_price"]!, window: row["sale_price_effective_date"]!, now: now, tz: tz))
        }
        // Local inventory: every store row, in store.
        for row in try Self.tsv(try h.read("google-local/local-inventory.tsv")) {
            check(
                "google-local", row["id"]!,
                try Self.inEffect(price: row["price"]!, sale: row["sale_price"]!, window: row["sale_price_effective_date"]!, now: now, tz: tz), store: true)
        }
        // idealo and eBay: the price in effect.
        for row in try Self.csv(try h.read("idealo/offers.csv")) { check("idealo", row["sku"]!, Self.minor(row["price"]!)) }
        for row in try Self.csv(try h.read("ebay/file-exchange.csv")) where row["*Action(SiteID=US|Country=US|Currency=USD|Version=1193)"] != "End" {
            guard let sku = row["CustomLabel"], let price = row["StartPrice"], !price.isEmpty else { continue }
            check("ebay", sku, Self.minor(price))
        }
        // Walmart: the price in effect.
        for line in try h.read("walmart/items.jsonl").split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let orderable = object["Orderable"] as? [String: Any], let sku = orderable["sku"] as? String, let price = orderable["price"] as? NSNumber
            else { continue }
            check("walmart", sku, Self.minor(price.stringValue))
        }
        // Amazon: our price, and the discounted price in its schedule.
        let amazon = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: (h.out as NSString).appendingPathComponent("amazon/listings-0001.json")))) as? [String: Any])
        for message in amazon["messages"] as? [[String: Any]] ?? [] {
            guard let sku = message["sku"] as? String, let attributes = message["attributes"] as? [String: Any],
                let offer = (attributes["purchasable_offer"] as? [[String: Any]])?.first,
                let ours = ((offer["our_price"] as? [[String: Any]])?.first?["schedule"] as? [[String: Any]])?.first?["value_with_tax"] as? NSNumber
            else { continue }
            var price = Self.minor(ours.stringValue)
            if let discount = ((offer["discounted_price"] as? [[String: Any]])?.first?["schedule"] as? [[String: Any]])?.first,
                let value = discount["value_with_tax"] as? NSNumber
            {
                let from = try (discount["start_at"] as? String).map { try Timestamp.parse($0, timeZone: tz) }
                let to = try (discount["end_at"] as? String).map { try Timestamp.parse($0, timeZone: tz) }
                if (from.map { $0 <= now } ?? true) && (to.map { now <= $0 } ?? true) { price = Self.minor(value.stringValue) }
            }
            check("amazon", sku, price)
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20))")
        for channel in ["google.xml", "google.tsv", "meta", "google-local", "idealo", "ebay", "walmart", "amazon"] {
            #expect((checked[channel] ?? 0) >= 300, "\(channel): only \(checked[channel] ?? 0) rows read back")
        }
    }
}
