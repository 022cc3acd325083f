import Catalog
import Dashboard
import Feeds
import Foundation
import StorePort
import Testing
import UnifeedTestSupport

/// Each dashboard template rendered with fixed values against golden HTML (`Golden/dashboard/`;
/// re-record after a reviewed change with `RECORD_GOLDEN=1 swift test`).
@Suite struct DashboardPageTests {
    static let templates = try! DashboardTemplates()
    static let now = try! Timestamp.parse("2026-12-07T12:00:00Z", timeZone: TimeZone(identifier: "UTC")!)
    static let usd = Currency(code: "USD")!

    static func chrome(_ section: PageChrome.Section?, admin: Bool = true, notice: String? = nil) -> PageChrome {
        PageChrome(
            user: section == nil ? nil : "ops", admin: admin, csrf: "CSRF-TOKEN", section: section, notice: notice, version: "test", store: "/data/unifeed.sqlite",
            now: "2026-12-07T12:00:00Z")
    }

    static func money(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: usd) }

    static let state = PublishedState(
        generatedAt: "2026-12-07T06:00:00-05:00",
        channels: [
            .init(
                name: "google", items: 1_204_331, previousItems: 1_200_000, heldBack: false, reason: nil, filtered: 12, excludedItems: 3,
                excluded: [.init(rule: "missing_image", count: 2), .init(rule: "title_all_caps", count: 1)],
                warnings: [.init(rule: "missing_identifiers", count: 40)],
                files: [.init(path: "google/products.xml", bytes: 1_932_000_000), .init(path: "google/products.tsv", bytes: 1_020_000_000)],
                generatedAt: "2026-12-07T06:00:00-05:00"),
            .init(
                name: "meta", items: 0, previousItems: 1_200_000, heldBack: true,
                reason: "the feed would have no items; the previous feed stays (use --force to publish anyway)", filtered: 0, excludedItems: 0,
                excluded: [], warnings: [], files: [.init(path: "meta/catalog.csv", bytes: 512_000_000)], generatedAt: "2026-12-06T06:00:00-05:00"),
        ])

    static let runs: [PublishRun] = (0..<3).flatMap { i in
        [
            PublishRun(channel: "google", outDir: "/srv/feeds", at: "2026-12-0\(5 + i)T11:00:00Z", items: 1_200_000 + i * 2000, published: true, added: 10, removed: 2, changed: 300),
            PublishRun(channel: "meta", outDir: "/srv/feeds", at: "2026-12-0\(5 + i)T11:00:00Z", items: 1_150_000, published: i < 2),
        ]
    }.reversed()

    static let variant: VariantView = {
        var v = VariantView(productID: "DRS-MAX", sku: SKU(rawValue: "DRS-MAX-TER-2X"), price: money(9800))
        v.title = "Tiered Maxi Dress <Plus> & more"
        v.brand = "Marigold & Vine"
        v.gtin = "0084512004657"
        v.color = "Terracotta"
        v.size = "2X"
        v.images = ["https://cdn.shop.example/img/a.jpg", "https://cdn.shop.example/img/b.jpg?x=1&y=2"]
        v.custom = [("season", "summer")]
        v.stock = [("online", 0), ("NYC-01", 9), ("BKN-02", -1)]
        v.quantity = 0
        return v
    }()

    static let answer = AvailabilityAnswer(
        sku: "DRS-MAX-TER-2X", price: money(9800), salePrice: nil, effectivePrice: money(9800), markdown: nil, promotionIDs: ["WINTER10"],
        channels: [
            ("google", .init(availability: "out_of_stock", quantity: 0, price: money(9800), salePrice: nil, effectivePrice: money(9800), promotionIDs: ["WINTER10"])),
            ("meta", .init(availability: "in_stock", quantity: 2, price: money(9800), salePrice: money(8800), effectivePrice: money(8800), promotionIDs: [])),
        ],
        stores: [
            .init(
                storeCode: "BKN-02", onHand: -1, availability: "out_of_stock", quantity: 0, price: money(9800), salePrice: nil, effectivePrice: money(9800),
                pickupMethod: "reserve", pickupSLA: "next_day"),
            .init(
                storeCode: "NYC-01", onHand: 9, availability: "in_stock", quantity: 9, price: money(9800), salePrice: money(7800),
                effectivePrice: money(7800), pickupMethod: "buy", pickupSLA: "same_day"),
        ], availability: "out_of_stock", quantity: 0)

    static let stock = StockReport(
        sku: "DRS-MAX-TER-2X", onHand: [("online", 0), ("BKN-02", -1), ("NYC-01", 9)],
        movements: [
            StockMovement(id: 1, at: "2026-12-01T10:00:00Z", location: "NYC-01", delta: 9, kind: "inventory", ref: "inventory.csv:2"),
            StockMovement(id: 2, at: "2026-12-02T10:00:00Z", location: "BKN-02", delta: -1, kind: "sale", ref: "api:till-7-0001"),
        ])

    static let line = RecordedOrderLine(
        channel: "amazon", orderID: "113-1", lineID: "1", sku: "DRS-MAX-TER-2X", quantity: 1, status: "Shipped", marketplaceFulfilled: false,
        desired: 1, applied: 1, location: "BKN-02", matched: true)

    static func page(_ name: String) -> String {
        switch name {
        case "signin":
            return templates.render("signin", chrome: chrome(nil), ["signinCSRF": "FORM-TOKEN", "error": "Unknown or revoked token."])
        case "health":
            return templates.render(
                "health", chrome: chrome(.health, notice: "Published: every channel passed the gate."),
                FeedHealthPage(outDir: "/srv/feeds", state: state, runs: runs, now: now).values)
        case "health-empty":
            return templates.render("health", chrome: chrome(.health, admin: false), FeedHealthPage(outDir: "/srv/feeds", state: nil, runs: [], now: now).values)
        case "diagnostics":
            let rows = [
                DiagnosticsLog.Row(channel: "google", sku: "A/1 ?", severity: "error", rule: "missing_image", message: "image_link is required", value: ""),
                DiagnosticsLog.Row(channel: "google", sku: "B", severity: "warning", rule: "missing_identifiers", message: "no GTIN", value: "<none>"),
            ]
            return templates.render(
                "diagnostics", chrome: chrome(.diagnostics),
                DiagnosticsPage(
                    channels: ["google", "meta"], rules: ["missing_identifiers", "missing_image"], channel: "google", rule: nil, severity: nil, rows: rows,
                    next: "/diagnostics?after=google:4096&channel=google"
                ).values)
        case "products":
            let hits = [
                SearchHit(sku: "DRS-MAX-TER-2X", productID: "DRS-MAX", title: "Tiered Maxi Dress", gtin: "0084512004657", price: money(9800), status: .active),
                SearchHit(sku: "DRS-MAX-TER-3X", productID: "DRS-MAX", title: nil, gtin: nil, price: money(9800), status: .archived),
            ]
            return templates.render("products", chrome: chrome(.products), ProductsPage(query: "maxi dress", hits: hits, next: "w:123").values)
        case "product":
            return templates.render("product", chrome: chrome(.products), ProductPage(variant: variant, answer: answer, stock: stock, now: "2026-12-07T12:00:00Z").values)
        case "stock":
            return templates.render(
                "stock", chrome: chrome(.stock),
                StockPage(
                    locations: [
                        LocationStock(code: "online", name: "Online warehouse", skus: 1_000_000, units: 5_400_000, oversold: 0),
                        LocationStock(code: "NYC-01", name: "Manhattan", skus: 1_000_000, units: 2_000_000, oversold: 12),
                    ], oversold: [("DRS-MAX-TER-2X", "BKN-02", -1)],
                    movements: [LedgerEntry(sku: "DRS-MAX-TER-2X", movement: stock.movements[1])], location: nil, next: "/stock?before=2"
                ).values)
        case "orders":
            var unmatched = line
            unmatched.sku = "GONE-1"
            unmatched.matched = false
            unmatched.lineID = "2"
            return templates.render(
                "orders", chrome: chrome(.orders),
                OrdersPage(lines: [(line, -1), (unmatched, nil)], counts: (lines: 2, unmatched: 1), unmatchedOnly: false, next: nil).values)
        case "runs":
            let imports = [
                ImportRun(at: "2026-12-07T10:00:00Z", kind: "catalog", file: "catalog.csv", format: "shopify", rows: 1000, new: 10, updated: 5, unchanged: 980, rejected: 5, warnings: 2)
            ]
            return templates.render("runs", chrome: chrome(.runs), RunsPage(imports: imports, publishes: runs).values)
        case "error":
            return templates.render("error", chrome: chrome(.products), ["heading": "Unknown SKU", "message": "The catalog has no SKU '<x>'."])
        default:
            return ""
        }
    }

    @Test(arguments: ["signin", "health", "health-empty", "diagnostics", "products", "product", "stock", "orders", "runs", "error"])
    func pageMatchesItsGoldenHTML(_ name: String) throws {
        try expectGolden(Self.page(name), "dashboard/\(name).html")
    }

    /// Values are escaped by the template engine: markup in a title, a SKU or a message shows as text.
    @Test func markupInValuesIsEscaped() throws {
        var v = Self.variant
        v.title = "<script>alert(1)</script>"
        let product = Self.templates.render("product", chrome: Self.chrome(.products), ProductPage(variant: v, answer: Self.answer, stock: Self.stock, now: "x").values)
        #expect(product.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !product.contains("<script>alert"))
        let hits = [SearchHit(sku: "X\"><b>", productID: "P", title: "<img src=x onerror=alert(1)>", gtin: nil, price: Self.money(1), status: .active)]
        let products = Self.templates.render("products", chrome: Self.chrome(.products), ProductsPage(query: "\"><script>", hits: hits, next: nil).values)
        #expect(!products.contains("<img src=x") && !products.contains("\"><script>") && !products.contains("X\"><b>"))
        #expect(products.contains("/products/X%22%3E%3Cb%3E"), "a SKU in a link is percent-encoded")
    }

    @Test func chartsEscapeTheirLabelsAndScale() throws {
        let svg = try #require(SVGChart.bars([("<b>&", 10), ("x", -2)], title: "t\"'"))
        #expect(svg.contains("&lt;b&gt;&amp;") && svg.contains("t&quot;&#39;") && !svg.contains("<b>"))
        #expect(svg.contains("fill=\"#b42318\""), "a negative figure is drawn in red")
        #expect(SVGChart.bars([], title: "t") == nil)
        #expect(SVGChart.lines([("a", [1])], points: ["p"], title: "t") == nil, "one point is not a line")
    }

    @Test(arguments: [
        (0, "0"), (999, "999"), (1000, "1,000"), (1_204_331, "1,204,331"), (-12_000, "-12,000"),
    ])
    func counts(_ n: Int, _ text: String) { #expect(Figures.count(n) == text) }

    @Test func sizesAndAges() {
        #expect(Figures.bytes(512) == "512 bytes" && Figures.bytes(1_932_000_000) == "1.9 GB" && Figures.bytes(87_400) == "87.4 kB")
        #expect(Figures.age(of: "2026-12-07T11:55:00Z", now: Self.now) == "5 min ago")
        #expect(Figures.age(of: "2026-12-07T06:00:00-05:00", now: Self.now) == "1 h ago")
        #expect(Figures.age(of: "2026-11-25T12:00:00-05:00", now: Self.now) == "11 days ago")
        #expect(Figures.age(of: "nonsense", now: Self.now) == "unknown")
    }
}
