import Config
import Feeds
import Formats
import Foundation
import FuzzTargets
import StorePort
import Testing
import UnifeedTestSupport

/// Hostile input: each gives one clear, bounded error (no crash, no unbounded memory, no network), and
/// names cannot leave their folders.
@Suite struct HostileInputTests {
    /// Peak RSS of a child run, in MB (through /usr/bin/time; `nil` when it is not installed).
    static func peakMB(_ cli: CLI, _ arguments: [String]) throws -> (CLI.Result, Double?) {
        let time = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: time) else { return (try cli.run(arguments), nil) }
        let report = cli.path("rss-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: time)
        process.arguments = ["-f", "%M", "-o", report, CLI.binary.path, "--db", cli.db, "--config", CLI.config] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let result = CLI.collect(process, out: out, err: err)
        // GNU time writes "Command exited with non-zero status N" before the figure when the command fails.
        let kb = ((try? String(contentsOfFile: report, encoding: .utf8)) ?? "").split(separator: "\n").last.flatMap { Double($0) }
        return (result, kb.map { $0 / 1024 })
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var command: String
        var bytes: @Sendable () -> [UInt8]
        var expected: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "a 100 MB single-line file", command: "catalog", bytes: { [UInt8](repeating: UInt8(ascii: "a"), count: 100 << 20) },
            expected: ":1: error: column 1: field is longer than the limit of 256 KiB"),
        Case(
            name: "100,000 columns", command: "catalog",
            bytes: { Array(("sku" + String(repeating: ",x", count: 100_000) + "\n").utf8) }, expected: "error: more than 10000 columns"),
        Case(
            name: "a 10 MB field", command: "catalog",
            bytes: { Array("product_id,sku,title,price\nP,S,\"".utf8) + [UInt8](repeating: UInt8(ascii: "t"), count: 10 << 20) + Array("\",1.00\n".utf8) },
            expected: "error: title: field is longer than the limit of 256 KiB"),
        Case(
            name: "an overlong UTF-8 slash", command: "catalog", bytes: { Array("product_id,sku,title,price\nP,S,a".utf8) + [0xC0, 0xAF] + Array(",1.00\n".utf8) },
            expected: ":2: error: invalid UTF-8 at byte offset 32"),
        Case(
            name: "a UTF-8 encoded surrogate", command: "catalog", bytes: { Array("product_id,sku,title,price\nP,S,a".utf8) + [0xED, 0xA0, 0x80] + Array(",1.00\n".utf8) },
            expected: ":2: error: invalid UTF-8 at byte offset 32"),
        Case(
            name: "NUL and control characters", command: "catalog", bytes: { Array("product_id,sku,title,price\nP,S\u{1},T\u{0}x,1.00\n".utf8) },
            expected: ":2: error: "),
        Case(
            name: "JSON nested 100,000 deep", command: "orders",
            bytes: { [UInt8](repeating: UInt8(ascii: "["), count: 100_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000) },
            expected: ":1: error: column 65: invalid JSON: nested deeper than 64 levels"),
        Case(
            name: "a JSON string with a lone surrogate escape", command: "orders",
            bytes: { Array(#"{"list":{"elements":{"order":[{"purchaseOrderId":"\ud800"}]}}}"#.utf8) },
            expected: "invalid JSON: a lone surrogate in \\u escapes"),
    ]

    @Test(arguments: cases)
    func eachHostileInputGivesABoundedClearError(_ c: Case) throws {
        let cli = try CLI()
        let file = cli.path("hostile.\(c.command == "orders" ? "json" : "csv")")
        try Data(c.bytes()).write(to: URL(fileURLWithPath: file))
        let arguments = c.command == "orders" ? ["orders", "import", file] : ["import", "catalog", file]
        let start = Date()
        let (result, peak) = try Self.peakMB(cli, arguments)
        let seconds = Date().timeIntervalSince(start)
        #expect(result.status == 1 || result.status == 2, "\(result.stderr.prefix(300))")
        #expect(result.stderr.contains(c.expected), "\(result.stderr.prefix(300))")
        #expect(result.stderrLines.allSatisfy { $0.count < 400 }, "every error line is cut")
        #expect(seconds < 30)
        if let peak {
            // The bound: one read buffer, one record (≤ 1 MiB), the JSON document of an order file. Under a
            // sanitizer (shadow memory, quarantine) the same run takes several times more.
            let bound: Double = Sanitizer.any ? 600 : 100
            #expect(peak < bound, "peak RSS \(peak) MB")
            print("hostile: \(c.name): exit \(result.status), \(String(format: "%.0f", peak)) MB, \(String(format: "%.2f", seconds)) s")
        }
    }

    /// Audit's XML reader: an external entity (XXE) is never fetched or expanded, nor is an entity bomb;
    /// the reader stays on the file (no network: XML_PARSE_NONET).
    @Test func xmlFeedsRefuseExternalEntitiesAndEntityBombs() throws {
        let dir = try TestPaths.temporaryDirectory()
        let secret = dir.appendingPathComponent("secret.txt")
        try "TOP-SECRET-VALUE".write(to: secret, atomically: true, encoding: .utf8)
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY leak SYSTEM "file://\(secret.path)"><!ENTITY remote SYSTEM "http://127.0.0.1:9/x">]>
            <rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
            <item><g:id>A</g:id><g:price>&leak;</g:price><g:title>&remote;</g:title></item></channel></rss>
            """
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
            <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
            <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>
            <rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><item><g:id>A</g:id><g:price>&i;</g:price></item></channel></rss>
            """
        for (name, text) in [("xxe.xml", xxe), ("bomb.xml", bomb)] {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let start = Date()
            let rows = try? PublishedFeedReader.countRows(path: path, format: .googleRSS)
            #expect(Date().timeIntervalSince(start) < 2, "\(name) is not expanded")
            #expect(rows == nil || rows == 1)
        }
        // Through audit: the entity's text never reaches a value.
        let cli = try CLI()
        #expect(try cli.run(["import", "catalog", CLI.sample("catalog.csv")]).status == 0)
        let out = cli.path("feeds")
        #expect(try cli.run(["publish", "--out", out, "--channel", "google"]).status == 0)
        let feed = "\(out)/google/products.xml"
        let original = try String(contentsOfFile: feed, encoding: .utf8)
        try original.replacingOccurrences(
            of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            with: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE rss [<!ENTITY leak SYSTEM \"file://\(secret.path)\">]>"
        )
        .replacingOccurrences(of: "<g:price>25.00 USD</g:price>", with: "<g:price>&leak;</g:price>")
        .write(toFile: feed, atomically: true, encoding: .utf8)
        let audit = try cli.run(["audit", "--out", out])
        #expect(audit.status == 1)
        #expect(!audit.stderr.contains("TOP-SECRET-VALUE") && !audit.stdout.contains("TOP-SECRET-VALUE"))
        #expect(audit.stderr.contains(": error: price: TEE-CLS-BLK-"))
    }

    /// Channel and template names are `[a-z0-9-]+`, template output files `[a-z0-9._-]+`: nothing derived
    /// from them leaves `--out`.
    @Test func namesCannotLeaveTheirFolders() throws {
        let cli = try CLI()
        #expect(try cli.run(["import", "catalog", CLI.sample("catalog.csv")]).status == 0)
        let escape = try cli.run(["publish", "--out", cli.path("feeds"), "--channel", "../../etc"])
        #expect(escape.status == 1 && escape.stderr.contains("error: unknown channel (found: ../../etc)"))
        for (key, value) in [("name", "../../etc"), ("file", "../../passwd")] {
            let template = """
                name = "\(key == "name" ? value : "ok")"
                [[outputs]]
                file = "\(key == "file" ? value : "x.csv")"
                format = "csv"
                columns = ["id"]
                """
            #expect(throws: (any Error).self) { try ChannelCatalog.parse(template, file: "evil.toml") }
        }
        // Everything a publish writes is under --out.
        let out = cli.path("nested/../feeds")
        #expect(try cli.run(["publish", "--out", out, "--force"]).status == 0)
        let root = URL(fileURLWithPath: out).standardizedFileURL.path
        let written = try FileManager.default.subpathsOfDirectory(atPath: root)
        #expect(!written.isEmpty && written.allSatisfy { !$0.contains("..") })
        #expect(!FileManager.default.fileExists(atPath: cli.path("nested")))
    }

    /// Spreadsheet formulas: feeds carry values exactly (a channel reads them as data, and a `'` would
    /// break price and title parity); the rejects file, meant for Excel, neutralises `=`, `+`, `-`, `@`.
    @Test func formulaLikeValuesAreHandledAsDocumented() throws {
        let cli = try CLI()
        let catalog = cli.path("formula.csv")
        try """
        product_id,sku,title,description,brand,price,link,image_link,quantity
        P1,=SKU1,"=HYPERLINK(""http://evil.example"")",@SUM(A1),+Brand,10.00,https://shop.example/p,https://cdn.shop.example/1.jpg,3
        P2,SKU2,-Minus title,desc,Brand,-1.00,https://shop.example/p,https://cdn.shop.example/2.jpg,3
        """.write(toFile: catalog, atomically: true, encoding: .utf8)
        let imported = try cli.run(["import", "catalog", catalog, "--rejects", cli.path("rejects.csv")])
        #expect(imported.status == 2)
        let rejects = try String(contentsOfFile: cli.path("rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("'-Minus title") && rejects.contains("'-1.00"))
        let out = cli.path("feeds")
        #expect(try cli.run(["publish", "--out", out, "--channel", "meta", "--force"]).status == 0)
        let meta = try String(contentsOfFile: "\(out)/meta/catalog.csv", encoding: .utf8)
        // P1 has one SKU: no item_group_id (a product of one SKU is no variant group).
        #expect(meta.contains(#"=SKU1,,"=HYPERLINK(""http://evil.example"")""#))
    }
}
