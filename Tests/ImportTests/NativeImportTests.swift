import Catalog
import Config
import Formats
import Foundation
import Import
import StorePort
import StoreTestSupport
import Testing
import UnifeedTestSupport

@testable import Store
@testable import unifeed

@Suite struct NativeImportTests {
    @Test(arguments: StoreKind.tested) func theSampleCatalogImportsAndAReimportChangesNothing(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let first = try h.importSample("catalog.csv")
        #expect(first.line == "samples/catalog.csv: 128 rows, 128 imported (128 new, 0 updated, 0 unchanged), 0 rejected")
        #expect(first.exitCode == 0)
        #expect(h.messages.isEmpty)
        let before = try h.snapshot()
        let again = try h.importSample("catalog.csv")
        #expect(again.line == "samples/catalog.csv: 128 rows, 128 imported (0 new, 0 updated, 128 unchanged), 0 rejected")
        #expect(try h.snapshot() == before, "a re-import with no change writes nothing, not even stock movements")
        let counts = try h.counts()
        #expect(counts.products == 35 && counts.variants == 128)
    }

    @Test(arguments: StoreKind.tested) func productFieldsComeFromTheFirstRowAndLaterRowsMayLeaveThemEmpty(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        try h.importText(
            nativeCSV([
                goodRow("A1", ["title": "Classic Tee", "description": "<p>Soft\ncotton, \"combed\"</p>", "color": "Black"]),
                goodRow("A2", ["title": "", "brand": "", "color": "White"]),
            ]))
        let a2 = try #require(try h.variant("A2"))
        #expect(a2.title == "Classic Tee")
        #expect(a2.brand == "Northwind")
        #expect(a2.description == "<p>Soft\ncotton, \"combed\"</p>")
        #expect(a2.color == "White")
        // Changing a product field in the file is an update of that row.
        let s = try h.importText(
            nativeCSV([
                goodRow("A1", ["title": "Classic Crew Tee", "color": "Black", "description": "<p>Soft\ncotton, \"combed\"</p>"]),
                goodRow("A2", ["title": "", "brand": "", "color": "White"]),
            ]))
        #expect(s.line == "catalog.csv: 2 rows, 2 imported (0 new, 1 updated, 1 unchanged), 0 rejected")
        #expect(try h.variant("A2")?.title == "Classic Crew Tee")
    }

    @Test(arguments: StoreKind.tested) func quantityIsAnAbsoluteCountRecordedAsLedgerDifferences(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        try h.importText(nativeCSV([goodRow("Q1", ["quantity": "10"])]))
        try h.importText(nativeCSV([goodRow("Q1", ["quantity": "10"])]))  // same figure: no movement
        try h.importText(nativeCSV([goodRow("Q1", ["quantity": "7"])]))
        let s = try h.importText(nativeCSV([goodRow("Q1", ["quantity": ""])]))  // empty leaves stock alone
        #expect(s.unchanged == 1)
        let stock = try #require(try h.stock("Q1"))
        #expect(stock.onHand.first { $0.location == "online" }?.quantity == 7)
        #expect(stock.movements.map(\.delta) == [10, -3])
        #expect(stock.movements.map(\.kind) == ["catalog", "catalog"])
        #expect(stock.movements.map(\.ref) == ["catalog.csv:2", "catalog.csv:2"])
    }

    @Test(arguments: StoreKind.tested) func channelOverridesAndCustomAttributesAreKept(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let columns = NativeMapper.columns + ["google.title", "amazon.exclude", "custom.season"]
        try h.importText(
            nativeCSV(
                [goodRow("O1", ["google.title": "Tee – Google title", "amazon.exclude": "true", "custom.season": "winter"])],
                columns: columns))
        let v = try #require(try h.variant("O1"))
        #expect(v.overrides.map { "\($0.0).\($0.1)=\($0.2)" } == ["amazon.exclude=true", "google.title=Tee – Google title"])
        #expect(v.custom.map { "\($0.0)=\($0.1)" } == ["season=winter"])
    }

    @Test(arguments: StoreKind.tested) func linksAndRelativeImagesComeFromTheConfig(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        try h.importText(nativeCSV([goodRow("L1", ["image_link": "img/l1.jpg", "additional_image_links": "img/l1-2.jpg|https://x.example/3.jpg"])]))
        let v = try #require(try h.variant("L1"))
        #expect(v.link == "https://shop.example/products/P1?variant=L1")
        #expect(v.images == ["https://cdn.shop.example/img/l1.jpg", "https://cdn.shop.example/img/l1-2.jpg", "https://x.example/3.jpg"])
    }

    @Test(arguments: StoreKind.tested) func salesKeepTheirWindowInTheShopZone(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        try h.importText(nativeCSV([goodRow("S1", ["sale_price": "19.00", "sale_start": "2026-11-20", "sale_end": "2026-11-30"])]))
        let v = try #require(try h.variant("S1"))
        #expect(v.salePrice?.amountString == "19.00")
        #expect(v.saleStart?.iso8601(in: h.config.shop.timeZone) == "2026-11-20T00:00:00-05:00")
        #expect(v.saleEnd?.iso8601(in: h.config.shop.timeZone) == "2026-12-01T00:00:00-05:00")
    }

    /// Every kind of row error in samples/broken-catalog.csv, one line each, verbatim; the 3 good rows
    /// are imported (exit 2: partly done).
    @Test(arguments: StoreKind.tested) func theBrokenSampleReportsEveryRowError(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importSample("broken-catalog.csv")
        // A wrong GTIN is the channels' problem, not a reason to lose the row (DESIGN.md §4): the two
        // GTIN rows import with a warning and the value kept as written.
        #expect(s.line == "samples/broken-catalog.csv: 24 rows, 5 imported (5 new, 0 updated, 0 unchanged), 19 rejected (1 of them duplicate SKUs)")
        #expect(s.exitCode == 2)
        let f = "samples/broken-catalog.csv"
        #expect(
            h.messages == [
                "\(f):5: warning: gtin: check digit is wrong: expected 0, found 1 (found: 4006381333161)",
                "\(f):6: warning: gtin: must contain only digits (spaces and dashes are ignored) (found: 40063813A3316)",
                "\(f):7: error: price: amount must not be negative (found: -5.00)",
                "\(f):8: error: price: not a number, expected a decimal amount with a '.' separator, e.g. 12.50 (found: abc)",
                "\(f):9: error: price: ',' is not a decimal separator here, expected a decimal amount with a '.' separator, e.g. 12.50 (found: 12,50)",
                "\(f):10: error: currency: unknown currency, expected an ISO 4217 code such as USD or EUR (found: XYZ)",
                "\(f):11: error: sale_price: sale price must not be above the price (20.00) (found: 30.00)",
                "\(f):12: error: sale_end: sale end must be after the sale start (2026-12-05) (found: 2026-11-20)",
                "\(f):13: error: availability_date: expected an ISO 8601 date such as 2026-11-20 or 2026-11-20T09:30:00-05:00 (found: 31/12/2026)",
                "\(f):14: error: condition: unknown condition, expected one of: new, refurbished, used (found: brand-new)",
                "\(f):15: error: gender: unknown gender, expected one of: male, female, unisex (found: men)",
                "\(f):16: error: age_group: unknown age_group, expected one of: newborn, infant, toddler, kids, adult (found: middle-aged)",
                "\(f):17: error: image_link: URL must not contain spaces or control characters (encode them as %20) (found: not a url)",
                "\(f):18: error: link: URL scheme must be http or https (found: ftp://shop.example/products/BRK-LINK-FTP)",
                "\(f):19: error: quantity: quantity must not be negative (found: -3)",
                "\(f):20: error: quantity: expected a whole number of units, e.g. 12 (found: 3.5)",
                "\(f):21: error: status: unknown status, expected one of: active, archived (found: deleted)",
                "\(f):22: error: sku: sku is required",
                "\(f):23: error: sku: duplicate SKU: first seen on line 2 in product BRK-G1; this row is in product BRK-DUP (found: BRK-GOOD-1)",
                "\(f):24: error: expected 33 fields as in the header, found 10",
                "\(f):25: error: description: contains a NUL byte (found: Looks fine but has a NUL\\0byte inside)",
            ])
        #expect(try h.counts().variants == 5)
        let kept = try #require(try h.variant("BRK-GTIN-CHK"))
        #expect(kept.gtin == "4006381333161" && !kept.gtinValid)
    }

    /// Spreadsheets and WooCommerce's exporter put a `'` before numbers and identifiers (`'-1`,
    /// `'7350177880022`); typed columns drop one, free text keeps it.
    @Test(arguments: StoreKind.tested) func oneLeadingApostropheLeavesTypedValuesOnly(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importText(
            nativeCSV([goodRow("Q1", ["price": "'25.00", "gtin": "'4006381333931", "quantity": "'7", "title": "'Quoted' tee"])]))
        #expect(s.imported == 1 && s.rejected == 0, "\(h.messages)")
        let v = try #require(try h.variant("Q1"))
        #expect(v.price.amountString == "25.00" && v.gtin == "4006381333931" && v.gtinValid && v.quantity == 7)
        #expect(v.title == "'Quoted' tee")
    }

    /// A PHP plugin or theme that prints whitespace leaves exports that start `\n\t` before the BOM and
    /// the header: skipped with a warning that counts the bytes; line numbers stay physical.
    @Test(arguments: StoreKind.tested) func whitespaceBeforeTheHeaderIsSkippedWithAWarning(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let csv = nativeCSV([goodRow("W1"), goodRow("W2", ["price": "abc"])])
        let path = try h.write(bytes: Array("\n\t".utf8) + [0xEF, 0xBB, 0xBF] + Array(csv.utf8), to: "woo.csv")
        let s = try h.importFile(path, as: "woo.csv")
        #expect(s.imported == 1 && s.rejected == 1)
        #expect(
            h.messages == [
                "woo.csv:2: warning: 2 bytes of whitespace or blank lines before the header were skipped (a plugin or theme that printed them into the export, most likely)",
                "woo.csv:4: error: price: not a number, expected a decimal amount with a '.' separator, e.g. 12.50 (found: abc)",
            ])
        #expect(try h.variant("W1") != nil)
    }

    @Test(arguments: StoreKind.tested) func aRowWithThreeProblemsGivesThreeLines(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let s = try h.importText(nativeCSV([goodRow("M1", ["price": "x", "gtin": "123", "condition": "mint"])]))
        #expect(s.rejected == 1)
        #expect(h.messages.count == 3)
        #expect(h.messages.filter { $0.hasPrefix("catalog.csv:2: error: ") }.count == 2)
        #expect(h.messages.filter { $0.hasPrefix("catalog.csv:2: warning: gtin: ") }.count == 1, "a bad GTIN is a warning")
    }

    @Test(arguments: StoreKind.tested) func strictMakesAnyRejectFatalAndWritesNothing(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        try h.importSample("catalog.csv")
        let before = try h.snapshot()
        var options = ImportOptions()
        options.strict = true
        let s = try h.importSample("broken-catalog.csv", options: options)
        #expect(s.strictFailure && s.exitCode == 1 && !s.committed)
        #expect(s.line.hasSuffix("; --strict: nothing written"))
        #expect(try h.snapshot() == before)
    }

    @Test(arguments: StoreKind.tested) func dryRunChecksEverythingAndWritesNothing(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let before = try h.snapshot()
        var options = ImportOptions()
        options.dryRun = true
        let s = try h.importSample("catalog.csv", options: options)
        #expect(s.new == 128 && !s.committed)
        #expect(try h.snapshot() == before)
    }

    @Test(arguments: StoreKind.tested) func rejectsFileCanBeFixedAndReimported(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        var options = ImportOptions()
        options.rejectsPath = h.directory.appendingPathComponent("rejects.csv").path
        try h.importText(
            nativeCSV([goodRow("R1"), goodRow("R2", ["price": "-5.00"]), goodRow("R3", ["title": "=HYPERLINK(\"x\")", "price": "1,5"])]),
            options: options)
        let rejects = try String(contentsOfFile: options.rejectsPath!, encoding: .utf8)
        let lines = rejects.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == Substring(NativeMapper.columns.joined(separator: ",") + ",error"))
        #expect(lines.count == 4)  // header, two rows, final newline
        #expect(lines[1].contains(",'-5.00,"), "a value a spreadsheet would run is prefixed with '")
        #expect(lines[1].hasSuffix(",price: amount must not be negative"))
        #expect(lines[2].contains(",\"'=HYPERLINK(\"\"x\"\")\","), "\(lines)")
        // Re-importing the rejects file: the error column is ignored and the ' prefix stripped.
        let again = try h.importFile(options.rejectsPath!, as: "rejects.csv")
        #expect(again.rejected == 2)
        #expect(h.messages.contains("rejects.csv:2: error: price: amount must not be negative (found: -5.00)"))
    }

    /// A duplicate is found by the writing thread, after the row was mapped: with `--rejects` the row's
    /// raw cells travel with it (without, they are dropped early to keep memory flat) and land whole.
    @Test(arguments: StoreKind.tested) func aDuplicateFoundWhileWritingLandsInTheRejectsFileWithItsCells(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        var options = ImportOptions()
        options.rejectsPath = h.directory.appendingPathComponent("rejects.csv").path
        try h.importText(nativeCSV([goodRow("D1"), goodRow("D2"), goodRow("D1", ["title": "Second D1"])]), options: options)
        let lines = try String(contentsOfFile: options.rejectsPath!, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[1].contains(",D1,") && lines[1].contains("Second D1"))
        #expect(lines[1].hasSuffix("sku: duplicate SKU: first seen on line 2"))
    }

    /// Duplicate SKUs are checked 64 keys per statement: a duplicate inside one such group, one in a
    /// later group, one in a later pipe batch (256 records), a SKU three times, and a record with an
    /// error (not recorded, so its SKU's next row is no duplicate) all give the right first line.
    @Test(arguments: StoreKind.tested) func duplicatesAreFoundAcrossKeyGroupsAndBatches(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        var rows = (0..<600).map { goodRow("S\($0)") }
        rows[30] = goodRow("S5")  // line 32, same group as line 7
        rows[100] = goodRow("S40")  // line 102: a later group than line 42
        rows[400] = goodRow("S7")  // line 402: a later batch than line 9
        rows[500] = goodRow("S7")  // line 502: S7 a third time
        rows[200] = goodRow("S200", ["price": "-1.00"])  // line 202: an error, not recorded
        rows[210] = goodRow("S200")  // line 212: the first S200 that counts
        let summary = try h.importText(nativeCSV(rows))
        #expect(summary.rejected == 5)
        let duplicates = h.messages.filter { $0.contains("duplicate SKU") }
        #expect(
            duplicates == [
                "catalog.csv:32: error: sku: duplicate SKU: first seen on line 7 (found: S5)",
                "catalog.csv:102: error: sku: duplicate SKU: first seen on line 42 (found: S40)",
                "catalog.csv:402: error: sku: duplicate SKU: first seen on line 9 (found: S7)",
                "catalog.csv:502: error: sku: duplicate SKU: first seen on line 9 (found: S7)",
            ], "\(duplicates)")
    }

    @Test(arguments: StoreKind.tested) func theWholeFileIsRefusedWhenItCannotBeRead(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        try h.importSample("catalog.csv")
        let before = try h.snapshot()
        let header = NativeMapper.columns.joined(separator: ",")
        let cases: [(String, String)] = [
            ("", "catalog.csv:1: error: empty file: expected a header row"),
            (header + "\n", "catalog.csv:1: error: no data rows after the header"),
            (
                "sku,title,price\nA,B,1\n",
                "catalog.csv:1: error: cannot tell the catalog format from the header: expected product_id and sku (unifeed), Handle and Variant Price (shopify), Type and Regular price (woocommerce), sku with price-CUR columns (akeneo) or id, title and price (a Google text feed); use --format (found: sku,title,price)"
            ),
            ("product_id,sku,title\nP,A,B\n", "catalog.csv:1: error: price: missing required column for the unifeed format (found: product_id,sku,title)"),
            (
                nativeCSV([goodRow("U1"), goodRow("U2")]) + "P1,U3,\"never closed\n",
                "catalog.csv:4: error: status: unterminated quoted field: the quote opened in this record is never closed"
            ),
        ]
        for (text, message) in cases {
            #expect(throws: (any Error).self) { try h.importText(text) }
            do { try h.importText(text) } catch let error as InputError { #expect(error.description.hasPrefix(message), "\(error)") }
            #expect(try h.snapshot() == before, "\(message)")
        }
    }

    @Test(arguments: StoreKind.tested) func aOneMegabyteFieldFailsTheImportWithNothingWritten(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let text = nativeCSV([goodRow("B1"), goodRow("B2", ["description": String(repeating: "lorem ", count: 180_000)])])
        #expect(
            throws: InputError(
                "field is longer than the limit of 256 KiB (an unclosed quote?)",
                at: InputLocation(file: "catalog.csv", line: 3), column: "description")
        ) {
            try h.importText(text)
        }
        #expect(try h.counts().variants == 0)
    }

    @Test(arguments: StoreKind.tested) func invalidUTF8FailsEverythingAndWindows1252IsAnOptIn(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let fixture = TestPaths.root.appendingPathComponent("Tests/ImportTests/Fixtures/windows-1252.csv").path
        #expect(throws: InputError.self) { try h.importFile(fixture, as: "windows-1252.csv") }
        do { try h.importFile(fixture, as: "windows-1252.csv") } catch let error as InputError {
            #expect(error.description.hasPrefix("windows-1252.csv:2: error: invalid UTF-8 at byte offset "))
            #expect(error.description.hasSuffix("; if the file comes from Excel or Windows, import it with --encoding windows-1252"))
        }
        #expect(try h.counts().variants == 0)
        var options = ImportOptions()
        options.encoding = .windows1252
        let s = try h.importFile(fixture, as: "windows-1252.csv", options: options)
        #expect(s.rejected == 0 && s.imported == 3)
        let titles = try h.database.rows("SELECT title FROM products ORDER BY product_id")
        #expect(titles.joined(separator: " ").contains("é"))
        #expect(!titles.joined().contains("Ã"), "never mojibake")
    }

    @Test(arguments: StoreKind.tested) func aChangedVariantHasItsPricesImagesAndAttributesReplaced(_ store: StoreKind) throws {
        let h = try ImportHarness(store)
        let columns = NativeMapper.columns + ["custom.season"]
        try h.importText(
            nativeCSV(
                [
                    goodRow(
                        "C1",
                        [
                            "additional_image_links": "https://x.example/2.jpg|https://x.example/3.jpg",
                            "gtin": "4006381333160", "mpn": "M-1", "custom.season": "winter",
                        ])
                ], columns: columns))
        let s = try h.importText(
            nativeCSV(
                [
                    goodRow(
                        "C1",
                        [
                            "price": "30.00", "additional_image_links": "https://x.example/9.jpg",
                            "mpn": "M-2", "custom.season": "",
                        ])
                ], columns: columns))
        #expect(s.updated == 1)
        let v = try #require(try h.variant("C1"))
        #expect(v.price.amountString == "30.00" && v.gtin == nil && v.mpn == "M-2" && v.custom.isEmpty)
        #expect(v.images == ["https://cdn.shop.example/C1.jpg", "https://x.example/9.jpg"])
    }
}
