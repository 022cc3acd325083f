import Catalog
import Config
import Formats
import Foundation
import StorePort
import StoreTestSupport
import Testing
import UnifeedTestSupport

@testable import Import
@testable import Store
@testable import unifeed

func googleFixture(_ name: String) -> String { fixture("google/\(name)") }

/// `import catalog` of a merchant's Google Shopping feed: RSS 2.0, Atom 1.0 and the text (TSV) feed, each
/// quirk of real feeds a fixture of its own (Tests/ImportTests/Fixtures/google, described in the
/// fixtures' README).
@Suite struct GoogleFeedImportTests {
    static func time(_ text: String) throws -> Timestamp { try Timestamp.parse(text, timeZone: TimeZone(identifier: "UTC")!) }

    /// A UTF-8 BOM before the declaration, the whole feed on one line, CDATA, character and entity
    /// references (and a category path escaped twice), prices without decimals, repeated and
    /// comma-separated images, groups, Google's custom namespace: every item imported as written.
    @Test(arguments: StoreKind.tested) func rssOnOneLineWithBOMCDATAAndReferences(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importFile(googleFixture("rss-one-line.xml"))
        #expect(s.format == "google")
        #expect(s.line == "rss-one-line.xml: 3 rows, 3 imported (3 new, 0 updated, 0 unchanged), 0 rejected")
        // One warning, on line 1 (the whole file is one line): preorder is kept as backorder.
        #expect(h.messages == ["rss-one-line.xml:1: warning: g:availability: preorder is kept as backorder with its availability_date (Unifeed has no pre-order state of its own) (found: preorder)"])

        let m = try #require(try h.variant("TEE-BLK-M"))
        #expect(m.productID == "TEE")
        // The generator's " - Black - M" is taken off the product's title: publishing adds it once.
        #expect(m.title == "Heavyweight Tee")
        // CDATA (RSS's own <description>) as written, markup and all.
        #expect(m.description == "<p>Heavy <b>cotton</b> & a \"boxy\" fit.</p>")
        #expect(m.link == "https://shop.example/tee?variant=TEE-BLK-M")
        #expect(m.price.description == "25.00 USD")
        #expect(m.salePrice?.description == "19.50 USD")
        // Offsets with and without a colon.
        #expect(m.saleStart == (try Self.time("2026-11-27T05:00:00Z")))
        #expect(m.saleEnd == (try Self.time("2026-12-02T04:59:00Z")))
        #expect(m.stockPolicy == .inStock)
        #expect(
            m.images == [
                "https://cdn.shop.example/tee-blk.jpg", "https://cdn.shop.example/tee-blk-2.jpg", "https://cdn.shop.example/tee-blk-3.jpg",
                "https://cdn.shop.example/tee-blk-4.jpg",
            ])
        #expect(m.brand == "Northwind & Co.")
        #expect(m.gtin == "4006381333931" && m.mpn == "NW-TEE-BM")
        #expect(m.color == "Black" && m.size == "M" && m.sizeSystem == "US" && m.sizeType == "regular")
        #expect(m.gender == "unisex" && m.ageGroup == "adult" && m.material == "Cotton" && m.condition == "new")
        #expect(m.googleProductCategory == "1604")
        // `&amp;gt;` and `&#x26;gt;` (escaped twice) read as `>`.
        #expect(m.productType == "Apparel > Tops > Tees")
        #expect(m.weight == "0.2 kg")
        let custom = Dictionary(m.custom, uniquingKeysWith: { a, _ in a })
        #expect(custom["shipping"] == "country=US;service=Standard;price=4.95 USD, country=CA;price=9.95 USD")
        #expect(custom["tax"] == "country=US;region=CA;rate=8.25;tax_ship=yes")
        #expect(custom["custom_label_0"] == "summer")
        #expect(custom["product_highlight"] == "Heavy cotton, Boxy fit")
        #expect(custom["fit_note"] == "Runs large")  // Google's custom namespace (c:)
        #expect(custom["guid"] == nil)  // RSS's own bookkeeping

        let l = try #require(try h.variant("TEE-BLK-L"))
        #expect(l.productID == "TEE")
        #expect(l.price.description == "25.00 USD")  // "25 USD"
        #expect(l.stockPolicy == .outOfStock)
        #expect(l.salePrice == nil)
        // The product's description is its first item's; this item's own (character references decoded)
        // is kept for Google. Its title (CDATA in g:title) is the product's: no override.
        #expect(l.description == m.description)
        #expect(l.overrides.map { "\($0.0).\($0.1)=\($0.2)" } == ["google.description=Heavy cotton \u{2013} a \u{201C}boxy\u{201D} fit."])

        let mug = try #require(try h.variant("MUG-CZ"))
        #expect(mug.productID == "MUG-CZ")  // no item_group_id: a product of its own
        #expect(mug.price.description == "599.00 CZK")
        #expect(mug.stockPolicy == .untrackedBackorder)
        #expect(mug.availabilityDate == (try Self.time("2027-01-15T08:00:00Z")))
        #expect(mug.productType == "Home > Kitchen")
        // identifier_exists no without a GTIN or MPN: nothing to keep (the channels send no anyway).
        #expect(mug.overrides.isEmpty)
    }

    /// Atom 1.0: `<entry>`, Atom's `<title>`, `<link href>` and `<summary>` where no `g:` one is given;
    /// Atom's `<id>` is not the SKU.
    @Test(arguments: StoreKind.tested) func atomFeed(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importFile(googleFixture("atom.xml"))
        #expect(s.line == "atom.xml: 2 rows, 2 imported (2 new, 0 updated, 0 unchanged), 0 rejected")
        #expect(h.messages.isEmpty)
        let lamp = try #require(try h.variant("LAMP-1"))
        #expect(lamp.title == "Desk Lamp" && lamp.description == "An LED desk lamp." && lamp.link == "https://shop.example/lamp")
        #expect(lamp.price.description == "49.90 EUR")
        let due = try Self.time("2026-12-20T00:00:00Z")
        #expect(lamp.stockPolicy == .untrackedBackorder && lamp.availabilityDate == due)
        #expect(lamp.condition == "refurbished" && lamp.mpn == "LM-1")
        let floor = try #require(try h.variant("LAMP-2"))
        #expect(floor.title == "Floor Lamp, Brass")  // g:title wins over Atom's
        #expect(floor.link == "https://shop.example/floor-lamp")
        #expect(try h.counts().variants == 2)
    }

    /// The text feed: quoted fields holding a tab, quotes and a line break, CRLF line ends, a group column
    /// naming its sub-attributes, a `g:`-prefixed header, a date-only sale window, the older
    /// `out of stock`.
    @Test(arguments: StoreKind.tested) func tsvWithQuotedFieldsAndCRLF(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importFile(googleFixture("quoted-crlf.tsv"))
        #expect(s.format == "google")
        #expect(s.line == "quoted-crlf.tsv: 2 rows, 2 imported (2 new, 0 updated, 0 unchanged), 0 rejected")
        let red = try #require(try h.variant("SCARF-RED"))
        #expect(red.productID == "SCARF" && red.title == "Wool Scarf" && red.color == "Red")
        #expect(red.description == "Soft wool.\tTab inside, a \"quote\",\r\nand a second line.")
        #expect(red.images.count == 3)
        #expect(red.salePrice?.description == "28.00 USD")
        // Date-only ends: from the start of the first day to the end of the last (the shop's zone).
        let zone = h.config.shop.timeZone
        #expect(red.saleStart == (try Timestamp.parse("2026-11-27", timeZone: zone)))
        #expect(red.saleEnd == (try Timestamp.parse("2026-11-30", timeZone: zone, endOfDay: true)))
        let custom = Dictionary(red.custom, uniquingKeysWith: { a, _ in a })
        #expect(custom["shipping"] == "country=US;service=Standard;price=4.95 USD, country=CA;service=Express;price=12.00 USD")
        #expect(custom["custom_label_1"] == "winter")
        #expect(red.mpn == "NW-SC-R")
        let blue = try #require(try h.variant("SCARF-BLU"))
        #expect(blue.stockPolicy == .outOfStock && blue.price.description == "35.00 USD")
    }

    /// Each bad item is rejected on its own line, naming the attribute, what was expected and what was
    /// found; a duplicate id names the line of the first; the good item is imported; `--rejects` lists
    /// the line and id of each rejected item.
    @Test(arguments: StoreKind.tested) func badItemsAreRejectedWithTheirLines(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        var options = ImportOptions()
        options.rejectsPath = h.directory.appendingPathComponent("rejects.csv").path
        let s = try h.importFile(googleFixture("rejects.xml"), options: options)
        #expect(s.line == "rejects.xml: 7 rows, 1 imported (1 new, 0 updated, 0 unchanged), 6 rejected (1 of them duplicate SKUs)")
        #expect(
            h.messages == [
                "rejects.xml:4: error: g:id: an item needs an id (the SKU): this one has none, so it is not imported",
                "rejects.xml:5: error: g:id: duplicate SKU: first seen on line 3 (found: SOCK-1)",
                "rejects.xml:6: error: g:price: ',' is not a decimal separator here, expected a decimal amount with a '.' separator, e.g. 12.50 (found: 12,50 USD)",
                "rejects.xml:7: error: g:sale_price: sale_price is in EUR but price is in USD (found: 10.00 EUR)",
                "rejects.xml:7: error: g:availability: unknown availability, expected one of: in_stock, out_of_stock, preorder, backorder (found: sold_out)",
                "rejects.xml:8: error: g:price: USD has 2 decimal places; the amount has more (found: 12.005 USD)",
                "rejects.xml:9: error: g:price: unknown currency XYZ, expected an amount and an ISO 4217 code such as 15.00 USD (found: 12.00 XYZ)",
            ])
        #expect(try h.variant("SOCK-1")?.title == "Sock")
        let rejects = try String(contentsOfFile: options.rejectsPath!, encoding: .utf8)
        let lines = rejects.split(separator: "\n")
        #expect(lines.first == "line,g:id,error")
        #expect(lines.count == 7)
        #expect(lines[1] == "4,,\"g:id: an item needs an id (the SKU): this one has none, so it is not imported\"")
        #expect(lines[2] == "5,SOCK-1,g:id: duplicate SKU: first seen on line 3")
    }

    /// A file cut off in the middle of an item: nothing is written, and the error names the line where
    /// it broke.
    @Test(arguments: StoreKind.tested) func truncatedFileWritesNothing(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        try h.importFile(googleFixture("atom.xml"))
        let before = try h.snapshot()
        #expect(throws: InputError.self) { try h.importFile(googleFixture("truncated.xml")) }
        do {
            try h.importFile(googleFixture("truncated.xml"))
        } catch let error as InputError {
            #expect(error.location.line == 6)
            #expect(error.description.hasPrefix("truncated.xml:6: error: the XML is not well-formed: "))
            #expect(error.description.hasSuffix("(nothing was imported)"))
        }
        #expect(try h.snapshot() == before)
        #expect(try h.variant("CAP-1") == nil)
    }

    /// C1 control characters and double-encoded UTF-8 from a mis-converted source: kept as written, with
    /// a warning naming the item, the attribute and the characters (and what they were meant to be).
    @Test(arguments: StoreKind.tested) func mojibakeIsKeptWithAWarning(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importFile(googleFixture("mojibake.xml"))
        #expect(s.imported == 2 && s.rejected == 0 && s.warnings == 2)
        #expect(
            h.messages == [
                "mojibake.xml:3: warning: g:title: double-encoded UTF-8 Ã© (é), Ã¨ (è) (item MUG-1): kept as written (found: CafÃ© CrÃ¨me Mug)",
                "mojibake.xml:3: warning: g:description: C1 control characters U+0093, U+0094 and double-encoded UTF-8 â€™ (’) (item MUG-1): kept as written (found: A \\u{93}quoted\\u{94} mug, the shopâ€™s best.)",
            ])
        #expect(try h.variant("MUG-1")?.title == "CafÃ© CrÃ¨me Mug")
        #expect(try h.variant("MUG-1")?.description == "A \u{93}quoted\u{94} mug, the shopâ€™s best.")
        // Correct UTF-8 (é, è, ï) says nothing.
        #expect(try h.variant("MUG-2")?.description == "Naïve art, café crème.")
    }

    /// Entities the feed declares itself are never expanded: an external one (a local file, a URL) is
    /// not read and rejects its item; nested ones ("billion laughs") stop the whole file at once.
    @Test(arguments: StoreKind.tested) func externalEntitiesAreNotReadAndExpansionIsRefused(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importFile(googleFixture("external-entities.xml"))
        #expect(s.line == "external-entities.xml: 3 rows, 1 imported (1 new, 0 updated, 0 unchanged), 2 rejected")
        #expect(
            h.messages == [
                "external-entities.xml:7: error: g:title: the entity &passwd; is not expanded: a feed's own entities are off (no file or network reads); write the text itself (found: &passwd;)",
                "external-entities.xml:8: error: g:title: the entity &remote; is not expanded: a feed's own entities are off (no file or network reads); write the text itself (found: &remote;)",
            ])
        #expect(try h.variant("GOOD-1")?.title == "Fine & dandy")
        #expect(try h.variant("EVIL-1") == nil)

        let before = try h.snapshot()
        let started = Date()
        #expect(throws: InputError.self) { try h.importFile(googleFixture("billion-laughs.xml")) }
        do {
            try h.importFile(googleFixture("billion-laughs.xml"))
        } catch let error as InputError {
            #expect(error.description.contains("entity reference loop"))
        }
        // Refused by libxml2's amplification limit, not after expanding 10^9 "lol"s.
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try h.snapshot() == before)
    }

    /// What is told from the first bytes: XML with or without a BOM is the XML feed; a TSV with
    /// Google's names is the text feed. Not a feed: a clear error naming what was found.
    @Test(arguments: StoreKind.tested) func detectionAndFilesThatAreNotFeeds(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let path = try h.write("<?xml version=\"1.0\"?>\n<catalog><product/></catalog>\n", to: "other.xml")
        do {
            try h.importFile(path)
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(
                error.description
                    == "other.xml:2: error: expected a Google feed: an RSS 2.0 <rss> or an Atom 1.0 <feed> root element (found: <catalog>)")
        }
        let empty = try h.write("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>x</title></channel></rss>\n", to: "empty.xml")
        do {
            try h.importFile(empty)
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.description == "empty.xml:1: error: no items in the feed")
        }
        // `--format google` on a CSV without Google's id column.
        do {
            try h.importFile(TestPaths.root.appendingPathComponent("samples/catalog.csv").path, as: "catalog.csv", kind: .catalog(.google))
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.description.hasPrefix("catalog.csv:1: error: id: missing required column for the google format"))
        }
        #expect(try h.counts().variants == 0)
        #expect(try GoogleXMLFeedReader.sniff(path: googleFixture("rss-one-line.xml")))  // after a BOM
        #expect(try !GoogleXMLFeedReader.sniff(path: googleFixture("quoted-crlf.tsv")))
    }

    /// A group the feed names with one item in it stays a group when published (its other items were
    /// archived or left out): `google.item_group_id` says so.
    @Test(arguments: StoreKind.tested) func aGroupOfOneNamedByTheFeedStaysAGroup(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        try h.importFile(googleFixture("atom.xml"))
        #expect(try h.variant("LAMP-1")?.overrides.isEmpty == true)  // no item_group_id: no group
        let text = """
            id\ttitle\tprice\titem_group_id\tavailability
            CABLE-1M\tCable - 1 m\t12.00 USD\tCABLE\tin_stock
            """
        try h.importText(text, name: "one.tsv")
        let cable = try #require(try h.variant("CABLE-1M"))
        #expect(cable.productID == "CABLE")
        #expect(cable.overrides.map { "\($0.0).\($0.1)=\($0.2)" } == ["google.item_group_id=CABLE"])
    }

    @Test(arguments: [
        ("15.00 USD", "15.00 USD"), ("599 CZK", "599.00 CZK"), ("22.0 USD", "22.00 USD"), ("15.00USD", "15.00 USD"), ("12 usd", "12.00 USD"),
        ("1000 JPY", "1000 JPY"), ("1.250 KWD", "1.250 KWD"), ("9.99", "9.99 USD"),
    ])
    func googlePrices(_ text: String, _ expected: String) throws {
        #expect(try GooglePrice.parse(text, defaultCurrency: Currency(code: "USD")!).description == expected)
    }

    @Test(arguments: ["12.5 JPY", "12,50 USD", "12.00 US", "12.00 EURO", "USD", "-1.00 USD", "1.2.3 USD"])
    func badGooglePrices(_ text: String) {
        #expect(throws: ValueError.self) { try GooglePrice.parse(text, defaultCurrency: Currency(code: "USD")!) }
    }

    @Test(
        arguments: [
            // (item title, color, size, the catalog's title)
            ("Tee - Black - M", "Black", "M", "Tee"),
            ("Black Tee - M", "Black", "M", "Black Tee"),  // the color is named already: only the size was added
            ("Tee - M", nil, "M", "Tee"),
            ("Tee - Black", "Black", nil, "Tee"),
            ("Tee", "Black", "M", "Tee"),  // nothing added by the generator: kept (publishing adds them)
            ("Tee - Blue - M", "Black", "M", "Tee - Blue - M"),  // no reading gives it back: kept as written
            ("Enameled Dutch Oven, 5.5 qt - Cream", "Cream", nil, "Enameled Dutch Oven, 5.5 qt"),
        ] as [(String, String?, String?, String)])
    func titlesLoseTheDetailsAGeneratorAdded(_ title: String, _ color: String?, _ size: String?, _ base: String) {
        #expect(ItemTitle.base(of: title, color: color, size: size) == base)
    }

    @Test func mojibakeDetection() {
        #expect(Mojibake.problem(in: "plain ASCII") == nil)
        #expect(Mojibake.problem(in: "café – “ok”") == nil)
        #expect(Mojibake.problem(in: "CafÃ©") == "double-encoded UTF-8 Ã© (é)")
        #expect(Mojibake.problem(in: "a\u{85}b") == "C1 control characters U+0085")
        // U+009D is the last byte of a double-encoded ”: said as part of it.
        #expect(Mojibake.problem(in: "â€œquotedâ€\u{9D}") == "double-encoded UTF-8 â€œ (“), â€\u{9D} (”)")
    }
}
