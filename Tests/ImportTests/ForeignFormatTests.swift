import Catalog
import Config
import Feeds
import Formats
import Foundation
import StorePort
import StoreTestSupport
import Testing
import UnifeedTestSupport

@testable import Import
@testable import Store
@testable import unifeed

func fixture(_ name: String) -> String { TestPaths.root.appendingPathComponent("Tests/ImportTests/Fixtures/\(name)").path }

/// `../shared/samples-real/NAME` (tests that read one are enabled only when it is there).
func realExport(_ name: String) -> String {
    (TestPaths.shared ?? TestPaths.root).appendingPathComponent("samples-real/\(name)").path
}

/// The trait of a test that reads a real export from `../shared`: skipped, with the reason, without it.
func needsRealExport(_ name: String) -> some TestTrait {
    .enabled(if: Requirements.shared("samples-real/\(name)"), "../shared/samples-real/\(name) is absent (CI always has ../shared beside the repository)")
}

@Suite struct ShopifyImportTests {
    @Test(arguments: StoreKind.tested) func fixtureGroupsByHandleWithSalesImagesAndArchivedProducts(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importFile(fixture("shopify-products.csv"))
        #expect(s.format == "shopify")
        #expect(s.line == "shopify-products.csv: 15 rows, 15 imported (12 new, 0 updated, 3 unchanged), 0 rejected")
        // Compare-at above price: a sale at Variant Price, regular price the compare-at.
        let onSale = try #require(try h.variant("OCT-BLK-M"))
        #expect(onSale.price.amountString == "32.00" && onSale.salePrice?.amountString == "24.00")
        #expect(onSale.color == "Black" && onSale.size == "M")
        #expect(onSale.gtin == "840071200325")
        #expect(onSale.gender == "unisex" && onSale.ageGroup == "adult")
        #expect(onSale.weight == "181 g")
        #expect(onSale.link == "https://shop.example/products/organic-crew-tee?variant=OCT-BLK-M")
        // Compare-at equal to price: no sale.
        #expect(try h.variant("MRB-RUS")?.salePrice == nil)
        // "Title / Default Title" is no option; image-only rows add product images in position order.
        let single = try #require(try h.variant("HK-POS-WHT"))
        #expect(single.color == nil && single.size == nil)
        #expect(single.images.count == 2)
        #expect(try h.variant("CMT-LAR")?.status == .archived)
        // Quantity 0 is a stock record of 0, not "no record".
        #expect(try h.variant("OCT-BON-M")?.quantity == 0)
        // A product's images: its row's URLs in order, one per line (on both stores).
        let productImages = try h.database.rows("SELECT images FROM products WHERE product_id = 'organic-crew-tee'").joined(separator: "\n").split(separator: "\n")
        #expect(productImages.count == 3)
        #expect(productImages[2].contains("organic-crew-tee-detail.jpg"))
    }

    /// Shopify allows one SKU on two products; Unifeed refuses the second, naming both handles and the
    /// line of the first, and the summary counts duplicates apart.
    @Test(arguments: StoreKind.tested) func aSKUOnTwoProductsNamesBothHandles(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importText(
            "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\n"
                + "blue-tee,Blue Tee,Size,M,TEE-M,20.00\n"
                + "red-tee,Red Tee,Size,M,TEE-M,20.00\n"
                + "red-tee,,Size,L,TEE-L,20.00\n", name: "shopify.csv")
        #expect(s.imported == 2 && s.rejected == 1 && s.duplicateSKUs == 1)
        #expect(s.line.hasSuffix("1 rejected (1 of them duplicate SKUs)"), "\(s.line)")
        #expect(
            h.messages.contains(
                "shopify.csv:3: error: Variant SKU: duplicate SKU: first seen on line 2 in product blue-tee; this row is in product red-tee (found: TEE-M)"),
            "\(h.messages)")
    }

    @Test(needsRealExport("shopify-apparel.csv"), arguments: StoreKind.tested) func realExportWithoutSKUsGetsStableDerivedIDs(_ store: StoreKind) throws {
        let path = realExport("shopify-apparel.csv")
        let h = try ImportHarness(store)
        let s = try h.importFile(path)
        #expect(s.line == "shopify-apparel.csv: 22 rows, 22 imported (22 new, 0 updated, 0 unchanged), 0 rejected")
        // One default variant: the handle; options: handle plus slugged option values.
        let single = try #require(try h.variant("ocean-blue-shirt"))
        #expect(single.price.amountString == "50.00" && single.price.currency.code == "USD" && single.brand == "partners-demo")
        #expect(single.images == ["https://burst.shopifycdn.com/photos/young-man-in-bright-fashion_925x.jpg"])
        for size in ["small", "medium", "large"] {
            let v = try #require(try h.variant("classic-varsity-top-\(size)"))
            #expect(v.productID == "classic-varsity-top" && v.title == "Classic Varsity Top" && v.price.amountString == "60.00")
        }
        #expect(try h.variant("classic-varsity-top-medium")?.size == "Medium")
        // Re-importing derives the same ids: nothing changes.
        #expect(try h.importFile(path).unchanged == 22)
    }
}

@Suite struct WooCommerceImportTests {
    @Test(arguments: StoreKind.tested) func fixtureResolvesParentsByIDAndSkipsGroupedProducts(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importFile(fixture("woocommerce-products.csv"))
        #expect(s.format == "woocommerce")
        #expect(s.line == "woocommerce-products.csv: 8 rows, 7 imported (7 new, 0 updated, 0 unchanged), 0 rejected, 1 skipped")
        #expect(h.messages == ["woocommerce-products.csv:9: warning: Type: grouped products have no price of their own; skipped (their members are imported)"])
        let byID = try #require(try h.variant("wc-fleece-hoodie-navy-m"))  // Parent = id:101
        #expect(byID.productID == "wc-fleece-hoodie" && byID.title == "Fleece Pullover Hoodie")
        #expect(byID.color == "Navy" && byID.size == "M" && byID.quantity == 0)
        #expect(try h.variant("wc-fleece-hoodie-navy-l")?.salePrice?.amountString == "49.00")
        let bottle = try #require(try h.variant("wc-steel-bottle"))
        #expect(bottle.price.amountString == "24.00" && bottle.salePrice?.amountString == "19.00")
        #expect(bottle.saleStart?.iso8601(in: h.config.shop.timeZone) == "2026-11-20T00:00:00-05:00")
        #expect(bottle.saleEnd?.iso8601(in: h.config.shop.timeZone) == "2026-12-05T23:59:59-05:00")
        #expect(bottle.description?.contains("\n") == true && bottle.description?.contains("\\n") == false)
        #expect(bottle.productType == "Home > Kitchen")
        #expect(bottle.images.count == 2)
    }

    @Test(arguments: StoreKind.tested) func aVariationBeforeItsParentStillGetsTheParentsFields(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importText(
            """
            ID,Type,SKU,Name,Published,Description,Regular price,Sale price,Parent,Images,Attribute 1 name,Attribute 1 value(s)
            11,variation,tee-red,Tee - Red,1,,20,,tee,,Color,Red
            10,variable,tee,Tee,1,<p>Soft</p>,,,,https://x.example/tee.jpg,Color,"Red, Blue"

            """, name: "woo.csv")
        #expect(s.rejected == 0 && s.new == 1 && s.updated == 1, "the parent row fills the product its variation created")
        let red = try #require(try h.variant("tee-red"))
        #expect(red.title == "Tee" && red.description == "<p>Soft</p>" && red.images == ["https://x.example/tee.jpg"])
    }

    @Test(needsRealExport("woocommerce-sample_products.csv"), arguments: StoreKind.tested) func realSampleDataImports(_ store: StoreKind) throws {
        let path = realExport("woocommerce-sample_products.csv")
        let h = try ImportHarness(store)
        let s = try h.importFile(path)
        #expect(s.line == "woocommerce-sample_products.csv: 25 rows, 24 imported (24 new, 0 updated, 0 unchanged), 0 rejected, 1 skipped")
        let red = try #require(try h.variant("woo-vneck-tee-red"))
        #expect(red.productID == "woo-vneck-tee" && red.title == "V-Neck T-Shirt" && red.price.amountString == "20.00" && red.color == "Red")
        #expect(red.images.count == 1 && red.images[0].hasSuffix(".jpg"), "a variation's own image")
        let parentImages = try h.database.rows("SELECT images FROM products WHERE product_id = 'woo-vneck-tee'").joined(separator: "\n").split(separator: "\n").count
        #expect(parentImages == 3)
        let logo = try #require(try h.variant("woo-hoodie-blue-logo"))
        #expect(logo.custom.map { "\($0.0)=\($0.1)" } == ["logo=Yes"])
        #expect(try h.variant("woo-beanie")?.salePrice?.amountString == "18.00")
        #expect(try h.variant("wp-pennant")?.link?.hasPrefix("https://") == true)
        #expect(try h.variant("woo-album")?.price.amountString == "15.00")
    }
}

@Suite struct AkeneoImportTests {
    @Test(arguments: StoreKind.tested) func fixtureReadsTheConfiguredLocaleChannelAndCurrency(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importFile(fixture("akeneo-products.csv"))
        #expect(s.format == "akeneo")
        #expect(s.line == "akeneo-products.csv: 8 rows, 8 imported (8 new, 0 updated, 0 unchanged), 0 rejected")
        let tee = try #require(try h.variant("NWB-TEE-HW-M"))
        #expect(tee.productID == "nwb_tee_heavyweight" && tee.title == "Heavyweight Organic Tee")
        #expect(tee.price.amountString == "32.00" && tee.price.currency.code == "USD" && tee.size == "m" && tee.weight == "0.240 kg")
        #expect(tee.description?.hasPrefix("<p>Heavyweight organic cotton tee") == true)
        #expect(tee.images.first?.hasPrefix("https://cdn.shop.example/files/NWB-TEE-HW-M/") == true)
        #expect(try h.variant("NWB-TEE-HW-XL")?.status == .archived)
        #expect(try h.variant("HK-MUG-CAFE")?.productID == "HK-MUG-CAFE")
    }

    @Test(arguments: StoreKind.tested) func aMissingCurrencyColumnIsRefused(_ store: StoreKind) throws {
        var config = try ConfigLoader.load(path: TestPaths.root.appendingPathComponent("samples/unifeed.toml").path)
        config.importing.akeneoCurrency = Currency(code: "GBP")
        let h = try ImportHarness(store, config: config)
        #expect(throws: InputError.self) { try h.importFile(fixture("akeneo-products.csv")) }
        do { try h.importFile(fixture("akeneo-products.csv")) } catch let error as InputError {
            #expect(error.description == "akeneo-products.csv:1: error: price-GBP: missing price column for the configured currency (set [import.akeneo] currency) (found: price-USD,price-EUR)")
        }
    }

    /// An Akeneo variant row's name often carries its own color ("Tee black and purple"); the product
    /// model's title leaves the variant's values out, so each variant's title is made from its own.
    @Test(arguments: StoreKind.tested) func variantTitlesAreMadeFromTheirOwnValues(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importText(
            "sku;parent;family;name-en_US;main_color;size;price-USD\n"
                + "TEE-BP-M;tee;clothing;Organic Tee black and purple;black and purple;m;20.00\n"
                + "TEE-W-M;tee;clothing;Organic Tee - White;white;m;20.00\n"
                + "MUG;;kitchen;Redwood Mug Red;Red;;9.00\n", name: "akeneo.csv")
        #expect(s.imported == 3)
        #expect(try h.variant("TEE-BP-M")?.title == "Organic Tee")
        let titles = try ["TEE-BP-M", "TEE-W-M"].map { sku in
            FeedItem(try #require(try h.variant(sku)), channel: "google", settings: ChannelSettings(), shop: h.config.shop, now: Timestamp(secondsSinceEpoch: 0)).title
        }
        #expect(titles == ["Organic Tee - black and purple - m", "Organic Tee - white - m"])
        // A product without a model keeps its name as written (and "Red" in "Redwood" is no color).
        #expect(try h.variant("MUG")?.title == "Redwood Mug Red")
        #expect(AkeneoMapper.withoutVariantValues("Redwood Mug (Red)", ["Red"]) == "Redwood Mug")
        #expect(AkeneoMapper.withoutVariantValues("Red", ["Red"]) == "Red", "nothing left: the name stays")
    }

    /// Descriptions that exist only for another Akeneo channel (or locale) would give `missing_description`
    /// on every item; the import says which channel has them and what to set.
    @Test(arguments: StoreKind.tested) func valuesForAnotherChannelOnlyAreNamedWithTheSettingThatReadsThem(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importText(
            "sku;family;name-en_US;description-en_US-mobile;price-USD\nSKU-1;tees;Tee;Soft tee;12.00\n", name: "akeneo.csv")
        #expect(s.imported == 1)
        #expect(
            h.messages == [
                "akeneo.csv:1: warning: description: no description column for locale en_US and channel ecommerce (the config's [import.akeneo]); the file has description-en_US-mobile: set [import.akeneo] channel = \"mobile\" to read them"
            ])
    }

    @Test(needsRealExport("akeneo-pim-docs-product-example.csv"), arguments: StoreKind.tested) func realDocumentationExampleImports(_ store: StoreKind) throws {
        let path = realExport("akeneo-pim-docs-product-example.csv")
        var config = try ConfigLoader.load(path: TestPaths.root.appendingPathComponent("samples/unifeed.toml").path)
        config.importing.akeneoChannel = "mobile"  // the example's descriptions are for the mobile channel
        let h = try ImportHarness(store, config: config)
        let s = try h.importFile(path)
        #expect(s.line == "akeneo-pim-docs-product-example.csv: 15 rows, 15 imported (15 new, 0 updated, 0 unchanged), 0 rejected")
        let tee = try #require(try h.variant("AKNTS_BPS"))
        #expect(tee.productID == "akeneo_tshirt", "grouped by the variant group when there is no parent")
        #expect(tee.price.amountString == "14.00" && tee.color == "black" && tee.size == "s")
        #expect(tee.description == "Akeneo T-Shirt")
        #expect(tee.custom.contains { $0.0 == "secondary_color" && $0.1 == "purple" })
        #expect(try h.importFile(path).unchanged == 15, "re-import changes nothing")
    }
}

@Suite struct StoresAndInventoryTests {
    @Test(arguments: StoreKind.tested) func storesAndInventoryWriteLedgerMovements(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        try h.importSample("catalog.csv")
        #expect(try h.importSample("stores.csv", kind: .stores).line == "samples/stores.csv: 3 rows, 3 imported (3 new, 0 updated, 0 unchanged), 0 rejected")
        let inventory = try h.importSample("inventory.csv", kind: .inventory)
        #expect(inventory.rejected == 0 && inventory.rows == 261)
        let again = try h.importSample("inventory.csv", kind: .inventory)
        #expect(again.unchanged == 261, "the same counts move nothing")
        let stock = try #require(try h.stock("TEE-CLS-BLK-M"))
        #expect(stock.onHand.map(\.location) == ["online", "BKN-02", "JC-03", "NYC-01"])
        #expect(stock.total == stock.movements.reduce(0) { $0 + $1.delta }, "on hand is the sum of the ledger")
    }

    @Test(arguments: StoreKind.tested) func badStoreAndInventoryRowsAreRejectedWithReasons(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        try h.importText(nativeCSV([goodRow("I1")]))
        let stores = try h.importText(
            """
            store_code,name,address,city,postal_code,country,pickup_method,pickup_sla
            S1,Main,1 Main St,Springfield,12345,US,buy,same day
            online,Web,1 Main St,Springfield,12345,US,buy,same_day
            S2,Second,2 Main St,Springfield,12345,USA,teleport,someday

            """, name: "stores.csv", kind: .stores)
        #expect(stores.new == 1 && stores.rejected == 2)
        #expect(
            h.messages == [
                "stores.csv:3: error: store_code: 'online' is reserved for the e-commerce warehouse (found: online)",
                "stores.csv:4: error: country: expected an ISO 3166-1 alpha-2 country code such as US (found: USA)",
                "stores.csv:4: error: pickup_method: unknown pickup_method, expected one of: buy, reserve, ship_to_store, not_supported (found: teleport)",
                "stores.csv:4: error: pickup_sla: unknown pickup_sla, expected one of: same_day, next_day, 2-day, 3-day, 4-day, 5-day, 6-day, 7-day, multi-week (found: someday)",
            ])
        let inventory = try h.importText(
            """
            sku,location,quantity
            I1,S1,4
            NOPE,S1,1
            I1,NOWHERE,1
            I1,S1,5
            I1,online,-1

            """, name: "inventory.csv", kind: .inventory)
        #expect(inventory.updated == 1 && inventory.rejected == 4)
        #expect(
            h.messages == [
                "inventory.csv:3: error: sku: unknown SKU: import the catalog first (found: NOPE)",
                "inventory.csv:4: error: location: unknown location: expected online or a store_code from import stores (found: NOWHERE)",
                "inventory.csv:5: error: sku: duplicate SKU and location: first given on line 2 (found: I1)",
                "inventory.csv:6: error: quantity: quantity must not be negative (found: -1)",
            ])
        #expect(try h.stock("I1")?.onHand.first { $0.location == "S1" }?.quantity == 4)
    }
}

@Suite struct ConfigLoaderTests {
    @Test func theSampleConfigLoads() throws {
        let config = try ConfigLoader.load(path: TestPaths.root.appendingPathComponent("samples/unifeed.toml").path)
        #expect(config.shop.currency.code == "USD")
        #expect(config.shop.timeZone.identifier == "America/New_York")
        #expect(config.shop.linkTemplate == "https://shop.example/products/{product_id}?variant={sku}")
    }

    @Test func multiLineValuesAreNotHeaders() throws {
        let text = "version = 1\n[import.akeneo]\nlocale = \"\"\"\n[#not a header]\n\"\"\"\n"
        #expect(try ConfigLoader.parse(text, file: "u.toml").importing.akeneoLocale == "[#not a header]\n")
        let arrays = "version = 1\n[channels.google]\nexclude_product_types = [\n  \"a\",\n]\n"
        #expect(try ConfigLoader.parse(arrays, file: "u.toml").settings(for: "google").excludeProductTypes == ["a"])
    }

    @Test(arguments: [
        ("version = 1\n[shop]\nname = \"X\"\ncolour = \"red\"\n", "u.toml:4: error: shop.colour: unknown key in [shop]"),
        ("version = 1\n\n[shop]\ncurrency = \"XYZ\"\n", "u.toml:4: error: shop.currency: unknown currency, expected an ISO 4217 code such as USD or EUR (found: XYZ)"),
        ("version = 1\n[shop]\ntimezone = \"Mars/Base\"\n", "u.toml:3: error: shop.timezone: unknown time zone, expected an IANA name such as America/New_York (found: Mars/Base)"),
        ("version = 2\n", "u.toml:1: error: version: unsupported config version, expected 1 (found: 2)"),
        ("version = 1\nfeed = 3\n", "u.toml:2: error: feed: unknown key"),
        ("version = 1\n[feeds]\nmax_drop_percent = 120\n", "u.toml:3: error: feeds.max_drop_percent: expected a percentage from 0 to 100 (found: 120)"),
        ("version = 1\n[channels.google]\nsafety_stok = 1\n", "u.toml:3: error: channels.google.safety_stok: unknown key in [channels.google]"),
        ("version = 1\n[shop]\nname = \"X\n", "u.toml:3: error: invalid TOML: "),
        // Found by fuzzing: toml++ aborted the process on a table header that does not start with a key.
        ("version = 1\n\n[#shop]\n", "u.toml:3: error: invalid TOML: expected a key name"),
        ("version = 1\n[[ =channels.google.shipping]]\n", "u.toml:2: error: invalid TOML: expected a key name"),
        ("version = 1\n[é]\n", "u.toml:2: error: invalid TOML: expected a key name"),
        ("[\n", "u.toml:1: error: invalid TOML: expected a key name"),
        ("version = 1\n  [[", "u.toml:2: error: invalid TOML: expected a key name"),
        ("a = [ \n [1, 2],\n}\n", "u.toml:3: error: invalid TOML: expected a value"),
        ("a = \"\\ud800\"\n", "u.toml:1: error: invalid TOML: a \\u escape that is not a Unicode scalar"),
        ("a = bare\n", "u.toml:1: error: invalid TOML: expected a value: strings need quotes"),
    ])
    func badConfigNamesFileAndLine(text: String, message: String) {
        // (Table headers inside multi-line strings and arrays are not headers: see `multiLineValuesAreNotHeaders`.)
        #expect(throws: InputError.self) { try ConfigLoader.parse(text, file: "u.toml") }
        do { _ = try ConfigLoader.parse(text, file: "u.toml") } catch let error as InputError {
            #expect(error.description.hasPrefix(message), "\(error)")
        } catch { Issue.record("unexpected \(error)") }
    }
}
