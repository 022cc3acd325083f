import Catalog
import Config
import Formats
import Foundation
import Import
import StorePort
import StoreTestSupport
import Testing
import UnifeedTestSupport

/// Issue 13's patterns from real exports: localized WooCommerce headers, stock statuses and policies,
/// partial exports, and values that are storable but that some channel will not take.
@Suite struct LocalizedWooCommerceTests {
    static let locales = ["de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "pl_PL", "ru_RU", "sv_SE"]

    /// Each fixture is the whole column set WooCommerce 10.x's exporter writes, in that language as its
    /// official translation spells it (French no-break spaces before `?` and a trailing space included),
    /// with a BOM, decimal commas, a `'`-guarded GTIN and non-ASCII text: a variable product with two
    /// variations (one by `id:NNN`, one by SKU) and a simple product whose stock is not managed.
    @Test(arguments: StoreKind.tested, locales) func aLocalizedExportImportsLikeTheEnglishOne(_ store: StoreKind, locale: String) throws {
        let h = try ImportHarness(store)
        let s = try h.importFile(fixture("woocommerce-localized/\(locale).csv"))
        #expect(s.format == "woocommerce")
        #expect(s.rows == 4 && s.new == 4 && s.rejected == 0 && s.skipped == 0, "\(h.messages)")
        #expect(h.messages.isEmpty, "\(h.messages)")

        let small = try #require(try h.variant("JKT-100-S"))
        #expect(small.productID == "JKT-100" && small.size == "S" && small.price.amountString == "129.90")
        #expect(small.quantity == 3 && small.stockPolicy == .tracked && small.weight == "1.2 kg")
        #expect(small.brand == "Nordwind" && small.images == ["https://img.example/jkt-100-s.jpg"])
        #expect(small.title?.isEmpty == false && small.productType?.isEmpty == false)

        let medium = try #require(try h.variant("JKT-100-M"))
        #expect(medium.productID == "JKT-100" && medium.size == "M" && medium.salePrice?.amountString == "99.90")
        #expect(medium.quantity == 0 && medium.stockPolicy == .backorder, "Backorders allowed? = notify with a count")

        let mug = try #require(try h.variant("MUG-1"))
        #expect(mug.gtin == "4006381333931" && mug.gtinValid && mug.price.amountString == "12.50")
        #expect(mug.quantity == nil && mug.stockPolicy == .inStock, "In stock? = 1 with no Stock: not counted, in stock")
    }

    @Test(arguments: StoreKind.tested) func theRussianHeaderOfTheIssueIsReadAndForcingTheFormatWorksToo(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let text = """
            ID,Тип,Артикул,Имя,Опубликован,Наличие,Запасы,Базовая цена,Категории,Изображения
            7,simple,ЧАЙ-1,Чай «Байкал»,1,1,,"349,00",Напитки,https://img.example/tea.jpg

            """
        for kind in [ImportKind.catalog(nil), .catalog(.woocommerce)] {
            let s = try h.importText(text, name: "ru.csv", kind: kind)
            #expect(s.format == "woocommerce" && s.imported == 1, "\(h.messages)")
        }
        let tea = try #require(try h.variant("ЧАЙ-1"))
        #expect(tea.title == "Чай «Байкал»" && tea.price.amountString == "349.00" && tea.stockPolicy == .inStock)
    }

    @Test(arguments: StoreKind.tested) func theConfigAddsNamesForAnotherLanguage(_ store: StoreKind) throws {
        var config = try ConfigLoader.load(path: TestPaths.root.appendingPathComponent("samples/unifeed.toml").path)
        // Finnish is not built in: the merchant names the columns WooCommerce exports there.
        config.importing.wooCommerceHeaders = [
            "Tyyppi": "Type", "Tuotetunnus": "SKU", "Nimi": "Name", "Normaalihinta": "Regular price", "Varastossa?": "In stock?",
            "Ominaisuuden 1 nimi": "Attribute 1 name", "Ominaisuuden 1 arvo(t)": "Attribute 1 value(s)",
        ]
        let h = try ImportHarness(store, config: config)
        let s = try h.importText(
            """
            ID,Tyyppi,Tuotetunnus,Nimi,Normaalihinta,Varastossa?,Ominaisuuden 1 nimi,Ominaisuuden 1 arvo(t)
            5,simple,SAUNA-1,Saunakauha,"24,90",0,Koko,L

            """, name: "fi.csv")
        #expect(s.format == "woocommerce" && s.imported == 1, "\(h.messages)")
        let ladle = try #require(try h.variant("SAUNA-1"))
        #expect(ladle.price.amountString == "24.90" && ladle.stockPolicy == .outOfStock && ladle.custom.first?.1 == "L")
    }

    @Test func aConfiguredNameMustBeOneOfWooCommercesColumns() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("u.toml").path
        try Data("version = 1\n[import.woocommerce.headers]\n\"Hinta\" = \"Prize\"\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try ConfigLoader.load(path: path)
        } throws: { error in
            "\(error)".contains("u.toml:3: error: import.woocommerce.headers.Hinta: expected one of WooCommerce's English column names")
                && "\(error)".contains("(found: Prize)")
        }
    }

    @Test(arguments: StoreKind.tested) func aHeaderInNoKnownLanguageIsStillRefusedWithTheHeaderShown(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        #expect {
            try h.importText("Tyyppi,Tuotetunnus,Normaalihinta\nsimple,A,1\n", name: "x.csv")
        } throws: { error in
            "\(error)".contains("cannot tell the catalog format from the header") && "\(error)".contains("Tyyppi,Tuotetunnus")
        }
    }

    /// The stock columns of each platform: what is counted, what is a status, what sells on backorder.
    @Test(
        arguments: StoreKind.tested,
        [
            ("1", "", "0", StockPolicy.inStock, nil as Int?),
            ("0", "", "0", .outOfStock, nil),
            ("backorder", "", "0", .untrackedBackorder, nil),
            ("Nicht vorrätig", "", "", .outOfStock, nil),  // WooCommerce's own status name, in German
            ("Rupture de stock", "", "", .outOfStock, nil),
            ("В наличии", "", "", .inStock, nil),
            ("1", "4", "0", .tracked, 4),
            ("0", "0", "notify", .backorder, 0),
            ("1", "2", "1", .backorder, 2),
            ("", "", "", .tracked, nil),
        ])
    func wooCommerceStockColumns(
        _ store: StoreKind, _ columns: (inStock: String, stock: String, backorders: String, policy: StockPolicy, quantity: Int?)
    ) throws {
        let (inStock, stock, backorders, policy, quantity) = columns
        let h = try ImportHarness(store)
        try h.importText(
            """
            ID,Type,SKU,Name,Regular price,In stock?,Stock,Backorders allowed?
            1,simple,S1,Mug,9.00,\(inStock),\(stock),\(backorders)

            """, name: "woo.csv")
        let v = try #require(try h.variant("S1"), "\(h.messages)")
        #expect(v.stockPolicy == policy && v.quantity == quantity)
    }

    @Test(arguments: StoreKind.tested) func shopifyInventoryTrackerAndPolicy(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importText(
            """
            Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Price
            tee,Tee,Size,S,TEE-S,shopify,5,deny,20.00
            tee,,Size,M,TEE-M,shopify,0,continue,20.00
            tee,,Size,L,TEE-L,,0,deny,20.00

            """, name: "shopify.csv")
        #expect(s.imported == 3 && s.rejected == 0, "\(h.messages)")
        #expect(try h.variant("TEE-S")?.stockPolicy == .tracked && h.variant("TEE-S")?.quantity == 5)
        #expect(try h.variant("TEE-M")?.stockPolicy == .backorder && h.variant("TEE-M")?.quantity == 0)
        let untracked = try #require(try h.variant("TEE-L"))
        #expect(untracked.stockPolicy == .inStock && untracked.quantity == nil, "no tracker: not counted, always sold")
    }

    @Test(arguments: StoreKind.tested) func aVariableProductWithoutItsVariationsIsSkippedWithAWarning(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importText(
            """
            ID,Type,SKU,Name,Regular price,Parent,Attribute 1 name,Attribute 1 value(s)
            10,variable,JACKET,Jacket,,,Size,"S, M"
            11,simple,MUG,Mug,9.50,,,
            12,variable,TEE,Tee,,,Size,"S, M"
            13,variation,TEE-S,,12.00,id:12,Size,S

            """, name: "partial.csv")
        #expect(s.rows == 4 && s.new == 3 && s.skipped == 1 && s.rejected == 0)
        #expect(
            h.messages == [
                "partial.csv:2: warning: Type: variable product with none of its variations in this file (a partial export?): skipped; export it with its variations (found: JACKET)"
            ])
        #expect(try h.counts().products == 2, "the jacket is not stored as a product with nothing to sell")
        #expect(try h.variant("TEE-S")?.title == "Tee")
    }

    @Test(arguments: StoreKind.tested) func aSimpleProductWithNoPriceYetIsImportedAndSaysSo(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importText(
            """
            ID,Type,SKU,Name,Regular price
            1,simple,SOON,Coming soon,

            """, name: "woo.csv")
        #expect(s.imported == 1 && s.rejected == 0)
        #expect(
            h.messages == [
                "woo.csv:2: warning: Regular price: no price yet: imported, and kept out of every channel (missing_price) until it has one"
            ])
        #expect(try h.variant("SOON")?.price.minorUnits == 0)
    }

    @Test(arguments: StoreKind.tested) func longTitlesAndLocalImagesAreImportedWithWarnings(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let title = String(repeating: "Très long titre ", count: 10)
        let s = try h.importText(
            nativeCSV([
                goodRow("S1", ["title": title, "image_link": "http://localhost:8080/wp-content/uploads/a.jpg"]),
                goodRow("S2", ["image_link": "https://192.168.1.20/b.jpg"]),
            ]), name: "n.csv")
        #expect(s.imported == 2 && s.rejected == 0)
        #expect(h.messages.count == 3, "\(h.messages)")
        #expect(h.messages[0].hasPrefix("n.csv:2: warning: title: title is 159 characters, over Google's 150"))
        #expect(
            h.messages[1]
                == "n.csv:2: warning: image_link: image URL is on a local or private host that no channel can fetch: imported; channels leave the item out (image_not_public) (found: http://localhost:8080/wp-content/uploads/a.jpg)"
        )
        #expect(h.messages[2].hasPrefix("n.csv:3: warning: image_link: image URL is on a local or private host"))
    }

    @Test(arguments: [
        ("https://shop.example/a.jpg", true), ("http://localhost/a.jpg", false), ("http://LOCALHOST.:80/a.jpg", false),
        ("https://127.0.0.1/a.jpg", false), ("https://10.1.2.3/a.jpg", false), ("https://172.20.0.1/a.jpg", false),
        ("https://172.32.0.1/a.jpg", true), ("https://shop.local/a.jpg", false), ("https://[::1]/a.jpg", false),
        ("https://user@staging.internal/a.jpg", false), ("https://8.8.8.8/a.jpg", true),
    ])
    func publicHosts(url: String, isPublic: Bool) {
        #expect(WebURL.isPublic(url) == isPublic)
    }
}
