import Catalog
import Config
import Formats
import Foundation
import Import
import StorePort
import StoreTestSupport
import Testing

@testable import Feeds
@testable import Store

/// Every diagnostic rule, one case that triggers it and one that does not.
@Suite struct DiagnosticsTests {
    static let now = Timestamp(secondsSinceEpoch: 1_795_000_000)  // 2026-11-18

    /// A clean apparel variant: no findings at all.
    static func clean(_ sku: String = "TEE-1") -> VariantView {
        var v = VariantView(productID: "TEE", sku: SKU(sku), price: Money(minorUnits: 2500, currency: Currency(code: "USD")!))
        v.title = "Classic Tee"
        v.description = "<p>Soft cotton tee.</p>"
        v.brand = "Acme"
        v.gtin = "4006381333160"
        v.link = "https://shop.example/p/tee"
        v.images = ["https://cdn.example/tee.jpg"]
        v.color = "Black"
        v.size = "M"
        v.gender = "unisex"
        v.ageGroup = "adult"
        v.googleProductCategory = "1604"
        v.stock = [(location: "online", quantity: 5)]
        return v
    }

    func findings(_ views: [VariantView], rules: RuleSet = .google) -> [String] {
        let items = views.map { FeedItem($0, channel: "google", settings: ChannelSettings(), shop: ShopConfig(), now: Self.now) }
        return rules.check(items, channel: "google").flatMap { $0 }.map { "\($0.severity.rawValue):\($0.rule)" }
    }

    @Test func aCleanItemHasNoFindings() {
        #expect(findings([Self.clean()]).isEmpty)
        #expect(findings([Self.clean()], rules: .meta).isEmpty)
        #expect(findings([Self.clean()], rules: .basic).isEmpty)
    }

    @Test(arguments: [
        ("error:missing_title", 0),
        ("error:title_too_long", 1),
        ("error:title_all_caps", 2),
        ("error:title_promotional", 3),
        ("error:title_promotional", 4),
        ("error:missing_description", 5),
        ("warning:description_too_long", 6),
        ("error:missing_link", 7),
        ("error:link_not_absolute", 8),
        ("error:missing_image", 9),
        ("error:image_not_http", 10),
        ("error:missing_price", 11),
        ("error:sale_not_below_price", 12),
        ("warning:sale_ended", 13),
        ("warning:no_stock_record", 14),
        ("error:id_too_long", 15),
        ("error:missing_brand", 16),
        ("error:gtin_restricted_prefix", 17),
        ("error:gtin_restricted_prefix", 18),
        ("error:gtin_coupon_prefix", 19),
        ("error:identifier_exists_misuse", 20),
        ("warning:missing_identifiers", 21),
        ("error:apparel_missing_attributes", 22),
        ("warning:too_many_images", 23),
        ("error:image_not_public", 24),
        ("warning:backorder_without_date", 25),
    ])
    func eachRuleTriggers(rule: String, change: Int) {
        var v = Self.clean()
        switch change {
        case 0: v.title = nil
        case 1: v.title = String(repeating: "Long tee ", count: 20)
        case 2: v.title = "CLASSIC COTTON TEE"
        case 3: v.title = "Classic Tee - Free Shipping"
        case 4: v.title = "Classic Tee!"
        case 5: v.description = nil
        case 6: v.description = String(repeating: "x", count: 5001)
        case 7: v.link = nil
        case 8: v.link = "/p/tee"
        case 9: v.images = []
        case 10: v.images = ["ftp://cdn.example/tee.jpg"]
        case 11: v.price = Money(minorUnits: 0, currency: v.price.currency)
        case 12: v.salePrice = Money(minorUnits: 2500, currency: v.price.currency)
        case 13: v.salePrice = Money(minorUnits: 1900, currency: v.price.currency); v.saleEnd = Timestamp(secondsSinceEpoch: 1_790_000_000)
        case 14: v.stock = []
        case 15: v.sku = SKU(String(repeating: "A", count: 51))
        case 16: v.brand = nil
        case 17: v.gtin = "2000000000008"
        case 18: v.gtin = "0400000000008"
        case 19: v.gtin = "9800000000007"
        case 20: v.overrides = [("google", "identifier_exists", "no")]
        case 21: v.gtin = nil
        case 22: v.gender = nil
        case 23: v.images = (0...11).map { "https://cdn.example/\($0).jpg" }
        case 24: v.images = ["http://localhost:8080/wp-content/uploads/tee.jpg"]
        case 25: v.stockPolicy = .backorder; v.stock = [(location: "online", quantity: 0)]
        default: Issue.record("no such case")
        }
        #expect(findings([v]).contains(rule), "\(findings([v]))")
    }

    /// Promotional words in titles: whole words where the word is a word ("Wholesale" is not "sale"),
    /// anywhere for "!" and "% off"; at the start, the end, in capitals, several times.
    @Test(
        arguments: [
            ("SALE Classic Tee", "sale"), ("Classic Tee on sale", "sale"), ("Classic Tee, Sale!", "sale"),
            ("Wholesale Classic Tee", nil), ("Salesman Jacket", nil), ("Sale-price Tee", "sale"),
            ("Classic Tee!", "!"), ("!", "!"), ("Tee 20% OFF", "% off"), ("Tee 20%off", nil),
            ("Free Shipping Tee", "free shipping"), ("Tee - buy now", "buy now"), ("Discounted Tee", nil),
            ("", nil), ("s", nil), ("Tee sal", nil), ("Tee for sales sale", "sale"),
        ] as [(String, String?)])
    func promotionalWordsAreFoundAsWords(title: String, word: String?) {
        #expect(FeedRules.promotionalText(in: title) == word)
    }

    /// Restricted and coupon ranges are read on the GTIN as 13 digits: GTIN-8 and GTIN-12 take leading
    /// zeros, a GTIN-14 drops its indicator digit.
    @Test(
        arguments: [
            ("96385074", "0", "0"), ("012345678905", "0", "0"), ("212345678903", "0", "2"), ("412345678903", "0", "4"),
            ("4006381333931", "4", "0"), ("2012345678903", "2", "0"), ("9812345678906", "9", "8"), ("10012345678902", "0", "0"),
            ("19812345678903", "9", "8"), ("5", "0", "0"),
        ] as [(String, Unicode.Scalar, Unicode.Scalar)])
    func gtinPrefixesAreReadAsGTIN13(gtin: String, first: Unicode.Scalar, second: Unicode.Scalar) {
        #expect(FeedRules.gtin13Prefix(gtin) == (first, second))
    }

    @Test func variantsOfAGroupNeedAttributesThatTellThemApart() {
        var plain = Self.clean("TEE-2")
        plain.color = nil
        plain.size = nil
        plain.googleProductCategory = "5322"
        plain.googleProductCategory = nil  // not apparel: only the group rule speaks
        var other = Self.clean("TEE-1")
        other.googleProductCategory = nil
        #expect(findings([other, plain]).contains("error:variant_missing_attributes"))
        #expect(!findings([plain]).contains("error:variant_missing_attributes"), "a single item is no group")
    }

    /// The hint for a missing link says what works: the template fills links at import, so a config
    /// change needs the catalog imported again.
    @Test func aMissingLinkSaysHowToFillIt() {
        var v = Self.clean()
        v.link = nil
        let items = [v].map { FeedItem($0, channel: "google", settings: ChannelSettings(), shop: ShopConfig(), now: Self.now) }
        let found = RuleSet.google.check(items, channel: "google").flatMap { $0 }
        #expect(
            found.map(\.message) == [
                "link is required: give the row a link, or set [shop] link_template and import the catalog again (the template fills links at import)"
            ])
    }

    /// Two variants of one group with the same color, size, pattern and material are duplicates to
    /// Google: the second is an error naming the first; a different size tells them apart.
    @Test func identicalVariantsOfAGroupAreDuplicates() {
        let first = Self.clean("TEE-1")
        var twin = Self.clean("TEE-2")
        let items = [first, twin].map { FeedItem($0, channel: "google", settings: ChannelSettings(), shop: ShopConfig(), now: Self.now) }
        let found = RuleSet.google.check(items, channel: "google")
        #expect(found[0].isEmpty)
        #expect(found[1].map(\.rule) == ["duplicate_variant"])
        #expect(found[1].first?.message == "item_group_id TEE: TEE-1 has the same color, size, pattern and material; Google shows one of two identical variants")
        #expect(found[1].first?.value == "Black / M / unisex / adult")
        twin.size = "L"
        #expect(findings([first, twin]).isEmpty)
        #expect(findings([first, Self.clean("TEE-2")], rules: .meta).isEmpty, "Meta's rules do not judge groups")
    }

    @Test func metaNeedsABrandOrAnIdentifierAndAllowsLongerTitles() {
        var v = Self.clean()
        v.title = String(repeating: "Long tee ", count: 20)  // 180 characters: fine for Meta
        #expect(findings([v], rules: .meta).isEmpty)
        v.brand = nil
        #expect(findings([v], rules: .meta).isEmpty, "the GTIN stands in for the brand")
        v.gtin = nil
        #expect(findings([v], rules: .meta) == ["error:missing_brand"])
    }

    @Test func saleStatesAtNow() {
        var v = Self.clean()
        v.salePrice = Money(minorUnits: 1900, currency: v.price.currency)
        v.saleStart = Timestamp(secondsSinceEpoch: Self.now.secondsSinceEpoch + 86_400)  // starts tomorrow
        v.saleEnd = Timestamp(secondsSinceEpoch: Self.now.secondsSinceEpoch + 10 * 86_400)
        let future = FeedItem(v, channel: "google", settings: ChannelSettings(), shop: ShopConfig(), now: Self.now)
        #expect(future.salePrice != nil && !future.saleActive && future.saleWindow != nil)
        #expect(future.effectivePrice.amountString == "25.00")
        v.saleStart = nil
        let active = FeedItem(v, channel: "google", settings: ChannelSettings(), shop: ShopConfig(), now: Self.now)
        #expect(active.saleActive && active.effectivePrice.amountString == "19.00")
    }

    @Test func allocationAppliesSafetyStockShareAndMaximum() {
        var settings = ChannelSettings()
        settings.safetyStock = 2
        settings.share = 50
        settings.maxQuantity = 3
        #expect(settings.available(onHand: 1) == 0)
        #expect(settings.available(onHand: 5) == 1)  // floor((5 - 2) × 50%)
        #expect(settings.available(onHand: 100) == 3)
        var v = Self.clean()
        v.stock = [(location: "online", quantity: 3)]
        let item = FeedItem(v, channel: "google", settings: settings, shop: ShopConfig(), now: Self.now)
        #expect(item.quantity == 0 && item.availability == "out_of_stock")
    }

    /// A wrong GTIN is the channels' problem, not a reason to lose the product (DESIGN.md §4): 100
    /// products with wrong check digits all import, and the Google feed carries none of those GTINs (they
    /// go out as items with no GTIN, judged `invalid_gtin`; a channel that needs one, Walmart, then has its
    /// `missing_gtin` error).
    @Test(arguments: StoreKind.tested) func invalidGTINsImportAndNoChannelSendsThem(_ store: StoreKind) throws {
        let h = try FeedHarness(store, samples: false)
        var csv = "product_id,sku,title,description,brand,gtin,mpn,price,image_link,quantity,color\n"
        var bad: [String] = []
        for n in 0..<100 {
            var gtin = String(4_006_381_333_000 + n * 7)
            let digits = gtin.utf8.map { Int($0) - 48 }
            let sum = digits.dropLast().reversed().enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 3 : 1) }
            let right = (10 - sum % 10) % 10
            gtin = String(gtin.dropLast()) + String((right + 1) % 10)  // one off: never valid
            bad.append(gtin)
            csv += "P\(n),P\(n)-A,Soft Tee \(n),A soft tee,Acme,\(gtin),M-\(n),20.00,https://cdn.example/p\(n).jpg,5,Black\n"
        }
        let summary = try h.importText(csv)
        #expect(summary.imported == 100 && summary.rejected == 0)
        let (reports, diagnostics) = try h.publish(channels: ["google"])
        #expect(reports.first?.items == 100)
        let xml = try h.read("google/products.xml")
        #expect(bad.allSatisfy { !xml.contains($0) })
        #expect(xml.contains("<g:mpn>M-7</g:mpn>") && !xml.contains("<g:identifier_exists>no</g:identifier_exists>"), "the MPN still identifies it")
        #expect(diagnostics.filter { $0.rule == "invalid_gtin" }.count == 100)
        #expect(diagnostics.first { $0.rule == "invalid_gtin" }?.severity == .warning)
        #expect(try #require(try h.store.reading { try $0.variant(sku: "P3-A") }).gtinValid == false)
    }

    /// A product of one SKU is no variant group (Shopify's "Default Title", a WooCommerce simple product,
    /// a native product of one row): Google and Meta get it without item_group_id; a product of several
    /// SKUs keeps it on each.
    @Test(arguments: StoreKind.tested) func aSingleVariantProductCarriesNoItemGroupID(_ store: StoreKind) throws {
        let h = try FeedHarness(store, samples: false)
        try h.importText(
            "Handle,Title,Body (HTML),Vendor,Option1 Name,Option1 Value,Variant SKU,Variant Price,Image Src,Variant Inventory Qty\n"
                + "solo-mug,Solo Mug,A mug,Acme,Title,Default Title,MUG-1,12.00,https://cdn.example/mug.jpg,4\n"
                + "duo-tee,Duo Tee,A tee,Acme,Color,Red,TEE-R,20.00,https://cdn.example/tee.jpg,4\n"
                + "duo-tee,,,,Color,Blue,TEE-B,20.00,,4\n")
        try h.publish(channels: ["google", "meta"])
        let xml = try h.read("google/products.xml")
        let items = xml.components(separatedBy: "<item>").dropFirst()
        let mug = try #require(items.first { $0.contains("<g:id>MUG-1</g:id>") })
        #expect(!mug.contains("item_group_id"))
        #expect(items.filter { $0.contains("<g:item_group_id>duo-tee</g:item_group_id>") }.count == 2)
        let meta = try h.read("meta/catalog.csv").split(separator: "\n")
        let header = meta[0].split(separator: ",", omittingEmptySubsequences: false)
        let group = try #require(header.firstIndex(of: "item_group_id"))
        let mugRow = try #require(meta.first { $0.hasPrefix("MUG-1,") }).split(separator: ",", omittingEmptySubsequences: false)
        #expect(mugRow[group].isEmpty)
    }
}

/// A SKU's availability from its stock policy (issue 13, item 7): counted stock, a status instead of a
/// count, and backorder with and without a date ahead.
@Suite struct StockPolicyAvailabilityTests {
    static let now = DiagnosticsTests.now

    static func item(
        _ policy: StockPolicy, stock: [(location: String, quantity: Int)], date: Timestamp? = nil, settings: ChannelSettings = ChannelSettings()
    ) -> FeedItem {
        var v = DiagnosticsTests.clean()
        v.stockPolicy = policy
        v.stock = stock
        v.availabilityDate = date
        return FeedItem(v, channel: "google", settings: settings, shop: ShopConfig(), now: now)
    }

    @Test func aStatusStandsInForACountOnline() {
        var settings = ChannelSettings()
        settings.untrackedQuantity = 5
        settings.maxQuantity = 3
        let inStock = Self.item(.inStock, stock: [], settings: settings)
        #expect(inStock.availability == "in_stock" && inStock.quantity == 3 && !inStock.unstocked, "untracked_quantity, capped by max_quantity")
        #expect(RuleSet.google.check([inStock], channel: "google")[0].isEmpty, "no no_stock_record for a status")
        let out = Self.item(.outOfStock, stock: [(location: "online", quantity: 9)])
        #expect(out.availability == "out_of_stock" && out.quantity == 0, "the status wins over a stale count")
    }

    @Test func aStoreChannelCountsEvenWhenTheShopGivesAStatus() {
        var settings = ChannelSettings()
        settings.stockLocation = "store-1"
        let item = Self.item(.inStock, stock: [(location: "store-1", quantity: 0)], settings: settings)
        #expect(item.availability == "out_of_stock" && item.quantity == 0)
    }

    @Test func backorderNeedsADateAheadToBeShown() {
        let later = Timestamp(secondsSinceEpoch: Self.now.secondsSinceEpoch + 14 * 86_400)
        let dated = Self.item(.backorder, stock: [(location: "online", quantity: 0)], date: later)
        #expect(dated.availability == "backorder" && dated.availabilityDate != nil && !dated.backorderWithoutDate)
        let undated = Self.item(.untrackedBackorder, stock: [])
        #expect(undated.availability == "out_of_stock" && undated.backorderWithoutDate)
        let counted = Self.item(.backorder, stock: [(location: "online", quantity: 4)])
        #expect(counted.availability == "in_stock" && counted.quantity == 4 && !counted.backorderWithoutDate)
        let tracked = Self.item(.tracked, stock: [(location: "online", quantity: 0)])
        #expect(tracked.availability == "out_of_stock" && !tracked.backorderWithoutDate)
    }

    /// `missing_price` keeps an item out of every channel.
    @Test(arguments: RuleSet.allCases)
    func noPriceIsAnErrorOnEveryChannel(rules: RuleSet) {
        var v = DiagnosticsTests.clean()
        v.price = Money(minorUnits: 0, currency: v.price.currency)
        let item = FeedItem(v, channel: rules.rawValue, settings: ChannelSettings(), shop: ShopConfig(), now: Self.now)
        #expect(rules.check([item], channel: rules.rawValue)[0].contains { $0.rule == "missing_price" && $0.severity == .error })
    }
}
