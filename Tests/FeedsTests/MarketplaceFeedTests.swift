import CLibXML2
import Catalog
import Config
import Feeds
import Formats
import Foundation
import GRDB
import Import
import Orders
import StorePort
import StoreTestSupport
import Testing
import UnifeedTestSupport

/// The marketplace channels on the samples: files the official schemas accept, split limits,
/// variation structure, mappings, allocation, archived SKUs, audit parity.
@Suite struct MarketplaceFeedTests {
    static let shared = TestPaths.root.deletingLastPathComponent().appendingPathComponent("shared/specs")

    /// Splits every split output of `channel` at `maxItems`.
    static func split(_ h: FeedHarness, _ channel: String, at maxItems: Int) {
        for i in h.channels.indices where h.channels[i].name == channel {
            for o in h.channels[i].outputs.indices where h.channels[i].outputs[o].maxItems != nil { h.channels[i].outputs[o].maxItems = maxItems }
        }
    }

    static let amazonSchema = "specs/jsonschema/amazon/listings-feed-schema-v2.json"

    /// Each split file validates against Amazon's official listings-feed schema (read in place in
    /// `../shared`), through Python's `jsonschema` (Debian's python3-jsonschema, which `.ci/run` installs).
    @Test(
        .enabled(if: Requirements.shared(amazonSchema), "../shared/\(amazonSchema) is absent (CI always has ../shared beside the repository)"),
        .enabled(if: Requirements.python3(importing: "jsonschema"), "python3-jsonschema is not installed (.ci/run installs it)"), arguments: StoreKind.tested)
    func amazonFilesValidateAgainstTheListingsSchema(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        Self.split(h, "amazon", at: 40)
        let report = try #require(try h.publish(channels: ["amazon"]).reports.first)
        #expect(report.files.count >= 4)
        for file in report.files {
            try Self.expectValidJSON(
                (h.out as NSString).appendingPathComponent(file.path), schema: TestPaths.shared!.appendingPathComponent(Self.amazonSchema).path)
        }
    }

    @Test(arguments: StoreKind.tested) func amazonFilesSplitWithParentsBeforeTheirChildren(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        Self.split(h, "amazon", at: 40)
        let report = try #require(try h.publish(channels: ["amazon"]).reports.first)
        #expect(report.items == 126 && report.files.count >= 4)
        #expect(report.files.map(\.path) == (1...report.files.count).map { "amazon/listings-000\($0).json" })
        var skus: [String] = []
        for file in report.files {
            let root = try #require(try JSONSerialization.jsonObject(with: Data(try h.read(file.path).utf8)) as? [String: Any])
            let header = try #require(root["header"] as? [String: Any])
            #expect(header["sellerId"] as? String == "A2EXAMPLESELLER" && header["version"] as? String == "2.0")
            let messages = try #require(root["messages"] as? [[String: Any]])
            #expect(messages.count <= 40)
            #expect(messages.compactMap { $0["messageId"] as? Int } == Array(1...messages.count))
            // A variation parent comes before its children, in the same file.
            var parents: Set<String> = []
            for m in messages {
                let attributes = m["attributes"] as? [String: Any] ?? [:]
                if ((attributes["parentage_level"] as? [[String: Any]])?.first?["value"] as? String) == "parent" { parents.insert(m["sku"] as! String) }
                if let relation = (attributes["child_parent_sku_relationship"] as? [[String: Any]])?.first {
                    #expect(parents.contains(relation["parent_sku"] as! String))
                }
                if attributes["purchasable_offer"] != nil || m["operationType"] as? String == "DELETE" { skus.append(m["sku"] as! String) }
            }
        }
        #expect(skus.count == 124 + 2, "124 listed SKUs (2 are excluded by amazon.exclude) and the 2 archived ones as DELETE")
        // A later, smaller publish removes the numbered files it no longer writes.
        Self.split(h, "amazon", at: 10_000)
        let again = try #require(try h.publish(channels: ["amazon"]).reports.first)
        #expect(again.files.map(\.path) == ["amazon/listings-0001.json"])
        #expect(!FileManager.default.fileExists(atPath: (h.out as NSString).appendingPathComponent("amazon/listings-0002.json")))
    }

    @Test(.enabled(if: Requirements.shared("specs/xsd/walmart/inventory/InventoryFeed.xsd"), "../shared/specs is absent (CI always has ../shared beside the repository)"), arguments: StoreKind.tested)
    func walmartInventoryFilesValidateAgainstTheXSD(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        Self.split(h, "walmart", at: 50)
        let report = try #require(try h.publish(channels: ["walmart"]).reports.first)
        #expect(report.files.map(\.path) == ["walmart/items.jsonl", "walmart/inventory-0001.xml", "walmart/inventory-0002.xml", "walmart/inventory-0003.xml"])
        let xsd = Self.shared.appendingPathComponent("xsd/walmart/inventory/InventoryFeed.xsd").path
        var amounts = 0
        for file in report.files.dropFirst() {
            let path = (h.out as NSString).appendingPathComponent(file.path)
            #expect(xsdProblem(path, schema: xsd) == nil, "\(file.path): \(xsdProblem(path, schema: xsd) ?? "")")
            amounts += try h.read(file.path).components(separatedBy: "<amount>").count - 1
        }
        #expect(amounts == 124 + 2, "every SKU Walmart lists, and the 2 archived ones at 0")
        // MP_ITEM lines: the header, then one item per line, each a JSON object.
        let lines = try h.read("walmart/items.jsonl").split(separator: "\n")
        #expect(lines[0].hasPrefix("{\"MPItemFeedHeader\":{\"businessUnit\":\"WALMART_US\""))
        #expect(lines.count == 1 + 124, "THR-FLC-GRN has no GTIN: an error for Walmart")
        for line in lines { _ = try JSONSerialization.jsonObject(with: Data(line.utf8)) }
    }

    @Test(arguments: StoreKind.tested) func ebayRowsFollowFileExchange(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        try h.publish(channels: ["ebay"])
        let rows = try csvRows(try h.read("ebay/file-exchange.csv"))
        #expect(rows[0][0] == "Action(SiteID=US|Country=US|Currency=USD|Version=1193|CC=UTF-8)")
        let header = rows[0]
        func value(_ row: [String], _ name: String) -> String { row[header.firstIndex(of: name)!] }
        let body = rows.dropFirst()
        #expect(body.allSatisfy { value($0, "Title").count <= 80 })
        // TEE-CLS: a parent row with the variation values, then one Variation row per SKU.
        let parent = try #require(body.first { value($0, "CustomLabel") == "TEE-CLS" })
        #expect(parent[0] == "Add" && value(parent, "StartPrice").isEmpty && value(parent, "Category") == "15687")
        #expect(value(parent, "RelationshipDetails") == "Color=Black;Heather Grey;Navy;White|Size=L;M;S;XL")
        let child = try #require(body.first { value($0, "CustomLabel") == "TEE-CLS-BLK-M" })
        #expect(child[0].isEmpty && value(child, "Relationship") == "Variation" && value(child, "RelationshipDetails") == "Color=Black|Size=M")
        // The sale is on at --now: eBay has no windows, so StartPrice is the effective price.
        #expect(value(child, "StartPrice") == "19.00")
        // Candles have no eBay category: an error for this channel only.
        #expect(!body.contains { value($0, "CustomLabel").hasPrefix("CDL-") })
    }

    @Test(arguments: StoreKind.tested) func mappingsOverridesAndAllocationPerChannel(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        let result = try h.publish(channels: ["amazon", "ebay", "walmart"])
        let ebay = try #require(result.reports.first { $0.channel == "ebay" })
        #expect(ebay.excluded["unmapped_category"]?.count == 2)
        #expect(
            result.diagnostics.contains {
                $0.line == "ebay: CDL-SOY-CED: error: unmapped_category: no [channels.ebay.categories] entry for this product_type, and no ebay.category column (found: Home > Decor > Candles)"
            })
        // A per-row override maps the candles for eBay.
        try h.importText("product_id,sku,title,price,ebay.category\nCDL-SOY,CDL-SOY-CED,Soy Candle,18.00,46782\n")
        #expect(try h.publish(channels: ["ebay"]).reports[0].excluded["unmapped_category"]?.count == 1)
        // Allocation: TEE-CLS-BLK-M has 32 online. Amazon: safety 2, at most 50 → 30; eBay: half → 16; Walmart: safety 1 → 31.
        #expect(try h.read("amazon/listings-0001.json").contains(#""sku":"TEE-CLS-BLK-M","operationType":"UPDATE""#))
        let amazon = try h.read("amazon/listings-0001.json").split(separator: "\n").first { $0.contains(#""sku":"TEE-CLS-BLK-M""#) }!
        #expect(amazon.contains(#""quantity":30,"lead_time_to_ship_max_days":2"#))
        #expect(try h.read("ebay/file-exchange.csv").contains(",TEE-CLS-BLK-M,,,,,,,,19.00,16,"))
        #expect(try h.read("walmart/inventory-0001.xml").contains("<sku>TEE-CLS-BLK-M</sku>\n  <quantity>\n   <unit>EACH</unit>\n   <amount>31</amount>"))
        // Archived: DELETE on Amazon.
        #expect(try h.read("amazon/listings-0001.json").contains(#"{"messageId":"#) && h.read("amazon/listings-0001.json").contains(#""sku":"DRS-MAX-TER-3X","operationType":"DELETE"}"#))
    }

    @Test(arguments: StoreKind.tested) func auditChecksMarketplaceParityAndCatchesATamperedQuantity(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        try h.publish()
        let clean = try Auditor(store: h.store, config: h.config, channels: h.channels).run(outDir: h.out)
        #expect(clean.findings.isEmpty, "\(clean.findings.prefix(3))")
        // Google, local, Meta, idealo: 882; Amazon offers 124; eBay rows with a price 126; Walmart items 124 and inventory 126.
        #expect(clean.rows == 882 + 124 + 126 + 124 + 126)
        let path = (h.out as NSString).appendingPathComponent("amazon/listings-0001.json")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(#""sku":"TEE-CLS-BLK-M","operationType":"UPDATE""#) })
        try text.replacingOccurrences(of: #""quantity":30,"#, with: #""quantity":31,"#).write(toFile: path, atomically: true, encoding: .utf8)
        let tampered = try Auditor(store: h.store, config: h.config, channels: h.channels).run(outDir: h.out)
        #expect(tampered.findings.map(\.description).contains("\(path):\(line + 1): error: quantity: TEE-CLS-BLK-M shows 31, the catalog says 30"))
    }

    /// The unified-commerce loop: orders from every marketplace sell out DRS-MAX-TER-2X; the next publish
    /// shows it out of stock on Google and at quantity 0 on every marketplace.
    @Test(arguments: StoreKind.tested) func aSKUSoldOutThroughOrdersGoesOutOfStockEverywhere(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        try h.publish()
        #expect(try h.read("google/products.tsv").split(separator: "\n").contains { $0.hasPrefix("DRS-MAX-TER-2X\t") && $0.contains("\tin_stock\t") })
        for report in ["amazon-all-orders.tsv", "ebay-orders.csv", "walmart-orders.json"] {
            _ = try OrderImporter.run(
                path: TestPaths.root.appendingPathComponent("samples/orders/\(report)").path, displayName: report, channel: nil,
                encoding: .utf8, store: h.store, config: h.config)
        }
        try h.publish()
        #expect(try h.read("google/products.tsv").split(separator: "\n").contains { $0.hasPrefix("DRS-MAX-TER-2X\t") && $0.contains("\tout_of_stock\t") })
        #expect(try h.read("amazon/listings-0001.json").split(separator: "\n").contains { $0.contains(#""sku":"DRS-MAX-TER-2X""#) && $0.contains(#""quantity":0,"#) })
        #expect(try h.read("ebay/file-exchange.csv").split(separator: "\n").contains { $0.hasPrefix(",,DRS-MAX-TER-2X,") && $0.contains(",98.00,0,") })
        #expect(try h.read("walmart/inventory-0001.xml").contains("<sku>DRS-MAX-TER-2X</sku>\n  <quantity>\n   <unit>EACH</unit>\n   <amount>0</amount>"))
        let audit = try Auditor(store: h.store, config: h.config, channels: h.channels).run(outDir: h.out)
        #expect(audit.findings.isEmpty)
    }

    /// Validates a JSON file against a JSON Schema with Python's `jsonschema` (the calling test is enabled
    /// only where it and the schema are there).
    static func expectValidJSON(_ path: String, schema: String) throws {
        let script = "import json,sys,jsonschema\njsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))\nprint('ok')"
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        check.arguments = ["-c", script, path, schema]
        let pipe = Pipe()
        check.standardError = pipe
        try check.run()
        let errors = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "\(path) does not validate: \(errors.suffix(600))")
    }
}

/// Validates an XML file against an XSD with libxml2; `nil` when valid, else the first error.
func xsdProblem(_ path: String, schema: String) -> String? {
    guard let parser = xmlSchemaNewParserCtxt(schema), let parsed = xmlSchemaParse(parser) else { return "cannot read the schema" }
    defer {
        xmlSchemaFree(parsed)
        xmlSchemaFreeParserCtxt(parser)
    }
    guard let context = xmlSchemaNewValidCtxt(parsed) else { return "cannot validate" }
    defer { xmlSchemaFreeValidCtxt(context) }
    let result = xmlSchemaValidateFile(context, path, 0)
    if result == 0 { return nil }
    return xmlGetLastError().map { String(cString: $0.pointee.message) } ?? "invalid (\(result))"
}

/// RFC 4180 rows of a small CSV text (tests only); `delimiter` `\t` reads the quoted TSV the feeds write.
func csvRows(_ text: String, delimiter: Character = ",") throws -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = "", quoted = false, i = text.startIndex
    while i < text.endIndex {
        let c = text[i]
        if quoted {
            if c == "\"" {
                let next = text.index(after: i)
                if next < text.endIndex && text[next] == "\"" { field.append("\""); i = next } else { quoted = false }
            } else {
                field.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == delimiter {
            row.append(field); field = ""
        } else if c == "\n" {
            row.append(field); rows.append(row); row = []; field = ""
        } else {
            field.append(c)
        }
        i = text.index(after: i)
    }
    return rows
}

/// Walmart's size goes to the attribute that fits the Walmart product type: clothingSize for apparel,
/// shoeSize for shoes, none for a candle's "8 oz" unless the config names one.
@Suite struct WalmartSizeAttributeTests {
    @Test(arguments: StoreKind.tested) func theSizeGoesWhereTheProductTypeSays(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        try h.publish(channels: ["walmart"])
        var lines = try h.read("walmart/items.jsonl").split(separator: "\n").map(String.init)
        func line(_ sku: String) throws -> String { try #require(lines.first { $0.contains("\"sku\":\"\(sku)\"") }) }
        #expect(try line("TEE-CLS-BLK-M").contains(#""clothingSize":"M""#))
        #expect(try line("SNK-CNV-BLK-10").contains(#""shoeSize":"10""#))
        let candle = try line("CDL-SOY-CED")
        #expect(!candle.contains("Size\""), "\(candle)")
        // The config can name the attribute for a type.
        h.config.channels["walmart"]?.marketplace.sizeAttributes["Candles"] = "size"
        try h.publish(channels: ["walmart"], force: true)
        lines = try h.read("walmart/items.jsonl").split(separator: "\n").map(String.init)
        #expect(try line("CDL-SOY-CED").contains(#""size":"8 oz""#))
    }

    @Test func aSizeAttributeOutsideWalmartsListIsAConfigError() throws {
        let text = "version = 1\n[channels.walmart.size_attributes]\n\"Candles\" = \"volume\"\n"
        #expect(throws: InputError.self) { try ConfigLoader.parse(text, file: "u.toml") }
        do { _ = try ConfigLoader.parse(text, file: "u.toml") } catch let error as InputError {
            #expect(error.description == "u.toml:3: error: channels.walmart.size_attributes.Candles: expected clothingSize, shoeSize, size or \"\" (leave the size out) (found: \"volume\")")
        }
    }
}
