import Config
import Formats
import Foundation
import StorePort
import Testing
import UnifeedTestSupport

@Suite struct CLITests {
    @Test func importPrintsSummaryOnStdoutAndOneErrorLinePerProblemOnStderr() throws {
        let cli = try CLI()
        let r = try cli.run(["import", "catalog", CLI.sample("broken-catalog.csv")])
        #expect(r.status == 2, "partly done: rows rejected while valid rows were committed")
        #expect(r.stdout == "\(CLI.sample("broken-catalog.csv")): 24 rows, 5 imported (5 new, 0 updated, 0 unchanged), 19 rejected (1 of them duplicate SKUs)\n")
        #expect(r.stderrLines.count == 21)
        #expect(r.stderrLines.filter { $0.hasPrefix(CLI.sample("broken-catalog.csv") + ":") && $0.contains(": error: ") }.count == 19)
        #expect(r.stderrLines.filter { $0.contains(": warning: gtin: ") }.count == 2, "bad GTINs import with a warning")
    }

    @Test func globalOptionsGoBeforeOrAfterTheSubcommand() throws {
        let cli = try CLI()
        #expect(try cli.run(["import", "catalog", CLI.sample("catalog.csv")]).status == 0)
        let after = try cli.run(["products", "list", "--db", cli.db, "--config", CLI.config], globals: false)
        #expect(after.status == 0)
        #expect(after.stdout.split(separator: "\n").count == 129)
    }

    @Test func jsonOutputsHaveTheDesignedShapes() throws {
        let cli = try CLI()
        let summary = try cli.run(["import", "catalog", CLI.sample("catalog.csv"), "--json"])
        #expect(summary.status == 0)
        let s = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
        #expect(s["rows"] as? Int == 128 && s["new"] as? Int == 128 && s["rejected"] as? Int == 0)
        _ = try cli.run(["import", "stores", CLI.sample("stores.csv")])
        _ = try cli.run(["import", "inventory", CLI.sample("inventory.csv")])

        let list = try cli.run(["products", "list", "--json"])
        let array = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 128)
        let skus = array.compactMap { $0["sku"] as? String }
        #expect(skus == skus.sorted())
        let firstLine = try #require(list.stdout.split(separator: "\n").dropFirst().first)
        let keys = [
            "product_id", "sku", "status", "title", "description", "brand", "gtin", "mpn", "condition", "price", "currency",
            "sale_price", "sale_start", "sale_end", "link", "image_link", "additional_image_links", "color", "size",
            "size_system", "size_type", "gender", "age_group", "material", "pattern", "google_product_category",
            "product_type", "weight", "quantity", "availability_date",
        ]
        var last = firstLine.startIndex
        for key in keys {
            let range = try #require(firstLine.range(of: "\"\(key)\":", range: last..<firstLine.endIndex), "\(key) in order")
            last = range.upperBound
        }
        let tee = try #require(array.first { $0["sku"] as? String == "TEE-CLS-BLK-M" })
        #expect(tee["price"] as? String == "25.00" && tee["currency"] as? String == "USD" && tee["sale_price"] as? String == "19.00")
        #expect(tee["sale_start"] as? String == "2026-11-20T00:00:00-05:00")

        let show = try cli.run(["products", "show", "TEE-CLS-BLK-M", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect((object["images"] as? [String])?.count == 3)
        #expect((object["custom"] as? [String: String])?["season"] == "all-season")
        #expect(((object["overrides"] as? [String: [String: String]])?["google"]?["title"])?.isEmpty == false)

        let stock = try cli.run(["stock", "show", "TEE-CLS-BLK-M", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(stock.stdout.utf8)) as? [String: Any])
        let onHand = try #require(report["on_hand"] as? [String: Int])
        #expect(Set(onHand.keys) == ["online", "NYC-01", "BKN-02", "JC-03"])
        #expect(report["total"] as? Int == onHand.values.reduce(0, +))
        let movements = try #require(report["movements"] as? [[String: Any]])
        #expect(movements.allSatisfy { Set($0.keys) == ["id", "at", "location", "delta", "kind", "ref"] })
        #expect(movements.reduce(0) { $0 + ($1["delta"] as? Int ?? 0) } == report["total"] as? Int)
    }

    @Test func unknownSKUAndBadUsageHaveTheirExitCodes() throws {
        let cli = try CLI()
        #expect(try cli.run(["import", "catalog", CLI.sample("catalog.csv")]).status == 0)
        let show = try cli.run(["products", "show", "NOPE"])
        #expect(show.status == 1 && show.stderr == "error: unknown SKU (found: NOPE)\n")
        #expect(try cli.run(["stock", "show", "NOPE"]).status == 1)
        #expect(try cli.run(["import", "catalog"]).status == 64)
        #expect(try cli.run(["import", "catalog", "x.csv", "--format", "excel"]).status == 64)
        let missing = try cli.run(["import", "catalog", "missing.csv"])
        #expect(missing.status == 1 && missing.stderr == "missing.csv: error: cannot open the file: No such file or directory\n")
        let folder = try cli.run(["import", "catalog", cli.directory.path])
        #expect(folder.status == 1 && folder.stderr == "\(cli.directory.path): error: is a folder, expected a CSV file\n")
        let rejects = try cli.run(["import", "catalog", CLI.sample("broken-catalog.csv"), "--rejects", "/no/such/folder/rejects.csv"])
        #expect(rejects.status == 1)
        #expect(rejects.stderr == "/no/such/folder/rejects.csv: error: cannot write the file: the folder /no/such/folder does not exist\n")
        let report = try cli.run(["orders", "import", cli.directory.path])
        #expect(report.status == 1 && report.stderr.hasPrefix("\(cli.directory.path): error: cannot read the order report: it is a folder, not a file\n"))
        let config = try cli.run(["--config", "nope.toml", "products", "list"], globals: false)
        #expect(config.status == 1 && config.stderr == "nope.toml: error: cannot read the config file: no such file\n")
    }

    /// Config mistakes are errors at their line, not silently ignored settings.
    @Test(arguments: [
        (
            "version = 1\n\n[channels.gogle]\nenabled = false\n",
            "u.toml:3: error: channels: unknown channel; the channels are amazon, ebay, google, google-local, google-promotions, idealo, meta, walmart (a templates_dir may add more) (found: gogle)"
        ),
        ("version = 1\n\n[chanels.google]\nenabled = false\n", "u.toml:3: error: chanels: unknown key"),
        (
            "version = 1\n[shop]\nlink_template = \"https://shop.example/p/{product}\"\n",
            "u.toml:3: error: shop.link_template: unknown placeholder {product} in the link template; the known ones are {product_id}, {handle}, {sku} (found: https://shop.example/p/{product})"
        ),
    ])
    func configMistakesAreErrorsAtTheirLine(text: String, message: String) throws {
        let cli = try CLI()
        let config = cli.directory.appendingPathComponent("u.toml")
        try Data(text.utf8).write(to: config)
        let r = try cli.run(["--db", cli.db, "--config", "u.toml", "import", "catalog", CLI.sample("catalog.csv")], globals: false)
        #expect(r.status == 1)
        #expect(r.stderrLines == [message])
        #expect(!FileManager.default.fileExists(atPath: cli.db), "nothing was written")
    }

    /// The basics a new user expects: the version with the build's commit, a starter config that checks
    /// clean and is never written over, the stores, stock by location, and filters on the product list.
    @Test func versionInitConfigCheckStoresStockAndListFilters() throws {
        let cli = try CLI()
        let version = try cli.run(["--version"], globals: false)
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("unifeed 0.3.0 (commit "), "\(version.stdout)")
        #expect(try cli.run(["--help"], globals: false).stdout.contains("--version"))

        let starter = cli.directory.appendingPathComponent("unifeed.toml").path
        let written = try cli.run(["init"], globals: false)
        #expect(written.status == 0 && FileManager.default.fileExists(atPath: starter))
        let again = try cli.run(["init"], globals: false)
        #expect(again.status == 1)
        #expect(again.stderr.hasPrefix("unifeed.toml: error: the file exists; init never overwrites"))
        let check = try cli.run(["config", "check"], globals: false)
        #expect(check.status == 0 && check.stdout == "unifeed.toml: ok; channels on: google, google-local, google-promotions, meta\n", "\(check.stderr)")
        try (try String(contentsOfFile: starter, encoding: .utf8) + "\n[shop.extra]\n").write(toFile: starter, atomically: true, encoding: .utf8)
        let bad = try cli.run(["config", "check"], globals: false)
        #expect(bad.status == 1 && bad.stderr.hasPrefix("unifeed.toml:"), "\(bad.stderr)")
        #expect(try cli.run(["--config", "none.toml", "config", "check"], globals: false).status == 1)

        for (kind, file) in [("catalog", "catalog.csv"), ("stores", "stores.csv"), ("inventory", "inventory.csv")] {
            #expect(try cli.run(["import", kind, CLI.sample(file)]).status == 0)
        }
        let stores = try cli.run(["stores", "list"])
        #expect(stores.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) } == ["store_code", "BKN-02", "JC-03", "NYC-01"])
        let low = try cli.run(["stock", "list", "--location", "NYC-01", "--below", "1", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(low.stdout.utf8)) as? [[String: Any]])
        #expect(!rows.isEmpty && rows.allSatisfy { $0["location"] as? String == "NYC-01" && ($0["on_hand"] as? Int ?? 1) < 1 })
        let archived = try cli.run(["products", "list", "--status", "archived"])
        #expect(archived.stdout.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "\t" }) } == ["CBL-USBC-2M", "DRS-MAX-TER-3X"])
        let limited = try cli.run(["products", "list", "--product-type", "Apparel", "--limit", "3", "--json"])
        let three = try #require(try JSONSerialization.jsonObject(with: Data(limited.stdout.utf8)) as? [[String: Any]])
        #expect(three.count == 3 && three.allSatisfy { ($0["product_type"] as? String)?.hasPrefix("Apparel") == true })
    }

    /// `products export` writes the canonical catalog as native CSV: imported into a fresh database it
    /// gives the same catalog (the second export is byte for byte the first), and re-imported into the
    /// database it came from it changes nothing.
    @Test(arguments: ["samples/catalog.csv", "Tests/ImportTests/Fixtures/shopify-products.csv", "Tests/ImportTests/Fixtures/akeneo-products.csv"])
    func anExportImportsBackToTheSameCatalog(source: String) throws {
        let cli = try CLI()
        #expect(try cli.run(["import", "catalog", TestPaths.root.appendingPathComponent(source).path]).status < 2)
        let first = cli.directory.appendingPathComponent("export-1.csv").path
        let exported = try cli.run(["products", "export", first])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.hasSuffix(" SKUs exported\n"))
        let fresh = cli.directory.appendingPathComponent("fresh.sqlite").path
        let imported = try cli.run(["--db", fresh, "--config", CLI.config, "import", "catalog", first], globals: false)
        #expect(imported.status == 0, "\(imported.stderr)")
        let second = cli.directory.appendingPathComponent("export-2.csv").path
        #expect(try cli.run(["--db", fresh, "--config", CLI.config, "products", "export", second], globals: false).status == 0)
        #expect(try String(contentsOfFile: first, encoding: .utf8) == String(contentsOfFile: second, encoding: .utf8))
        #expect(
            try cli.run(["--db", fresh, "--config", CLI.config, "products", "list", "--json"], globals: false).stdout
                == cli.run(["products", "list", "--json"]).stdout)
        if source.hasPrefix("samples/") {
            let again = try cli.run(["import", "catalog", first])
            #expect(again.stdout.contains("(0 new, 0 updated, 128 unchanged)"), "\(again.stdout)")
        }
    }

    /// `--db` and `--config` before the subcommand work with every command (the ones that do not use a
    /// database accept them too; the demo says it keeps to its own).
    @Test func globalOptionsBeforeTheSubcommandWorkEverywhere() throws {
        let cli = try CLI()
        #expect(try cli.run(["import", "catalog", CLI.sample("catalog.csv")]).status == 0)
        let commands: [[String]] = [
            ["products", "list"], ["products", "show", "TEE-CLS-BLK-M"], ["products", "export", cli.path("e.csv")], ["stock", "list"],
            ["stock", "show", "TEE-CLS-BLK-M"], ["stores", "list"], ["orders", "list"], ["channels", "list"], ["config", "check"],
            ["validate", "--channel", "idealo"], ["bench-csv", CLI.sample("catalog.csv")], ["init", "--help"],
            ["demo", "--out", cli.path("demo")],
        ]
        for command in commands {
            let r = try cli.run(command, cwd: TestPaths.root)
            #expect(!r.stderr.contains("Unknown option"), "\(command): \(r.stderr)")
            #expect(r.status == 0 || command.first == "validate", "\(command): \(r.stderr)")
        }
        let demo = try cli.run(["demo", "--out", cli.path("demo2")], cwd: TestPaths.root)
        #expect(demo.stderrLines.first?.hasPrefix("warning: demo uses its own database") == true)
    }

    /// A test that cannot run here is skipped through Swift Testing (a trait with its reason, counted in
    /// the summary), never by printing a reason and passing.
    @Test func noTestSkipsByPrintingAndPassing() throws {
        let tests = TestPaths.root.appendingPathComponent("Tests")
        let files = FileManager.default.enumerator(atPath: tests.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 20)
        for file in files {
            let text = try String(contentsOf: tests.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("print(\"skipped"), "\(file)")
        }
    }

    /// A mistyped `--db` is not a new, empty catalog: commands that only read refuse a missing database
    /// (and create nothing); commands that write create it.
    @Test func onlyCommandsThatWriteCreateADatabase() throws {
        let cli = try CLI()
        let typo = cli.directory.appendingPathComponent("unifed.sqlite").path
        for command in [["products", "list"], ["products", "show", "X"], ["stock", "show", "X"], ["orders", "list"], ["validate"], ["audit"]] {
            let r = try cli.run(["--db", typo, "--config", CLI.config] + command, globals: false)
            #expect(r.status == 1, "\(command)")
            #expect(
                r.stderr == "\(typo): error: no database here (a command that writes, such as `unifeed import catalog`, creates one); check --db or $UNIFEED_DB\n",
                "\(command)")
            #expect(!FileManager.default.fileExists(atPath: typo), "\(command) created the database")
        }
        #expect(try cli.run(["--db", typo, "--config", CLI.config, "import", "catalog", CLI.sample("catalog.csv")], globals: false).status == 0)
        #expect(try cli.run(["--db", typo, "--config", CLI.config, "products", "list"], globals: false).status == 0)
    }

    @Test func strictFailsWithNothingWrittenAndABadConfigNamesItsLine() throws {
        let cli = try CLI()
        let strict = try cli.run(["import", "catalog", CLI.sample("broken-catalog.csv"), "--strict"])
        #expect(strict.status == 1)
        #expect(try cli.run(["products", "list"]).stdout.isEmpty)
        let config = cli.directory.appendingPathComponent("bad.toml")
        try "version = 1\n[shop]\ncurency = \"USD\"\n".write(to: config, atomically: true, encoding: .utf8)
        let bad = try cli.run(["--db", cli.db, "--config", config.path, "products", "list"], globals: false)
        #expect(bad.status == 1 && bad.stderr == "\(config.path):3: error: shop.curency: unknown key in [shop]\n")
    }

    @Test func theDatabaseDefaultsToTheEnvironmentThenTheWorkingFolder() throws {
        let cli = try CLI()
        let r = try cli.run(["--config", CLI.config, "import", "stores", CLI.sample("stores.csv")], globals: false)
        #expect(r.status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.directory.appendingPathComponent("unifeed.sqlite").path))
    }

    /// SIGKILL during an import (a child process, killed while its transaction is open): the database is
    /// exactly as before and passes integrity_check.
    @Test(.enabled(if: Requirements.executable("/usr/bin/sqlite3"), "sqlite3 is not installed for the integrity check (.ci/run installs it)"))
    func aKilledImportLeavesTheDatabaseAsItWas() throws {
        let cli = try CLI()
        #expect(try cli.run(["import", "catalog", CLI.sample("catalog.csv")]).status == 0)
        let before = try cli.run(["products", "list", "--json"]).stdout
        // A catalog large enough to still be importing when it is killed.
        let big = cli.directory.appendingPathComponent("big.csv")
        var text = "product_id,sku,title,description,price,quantity\n"
        for i in 0..<200_000 { text += "K\(i / 4),K-\(i),Killed tee \(i),\"A long enough description, row \(i).\",\(10 + i % 50).00,\(i % 9)\n" }
        try text.write(to: big, atomically: true, encoding: .utf8)
        for delay in [0.3, 0.8] {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["--db", cli.db, "--config", CLI.config, "import", "catalog", big.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            let stillRunning = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(stillRunning, "the import was killed mid-way (\(delay) s)")
            #expect(process.terminationReason == .uncaughtSignal)
            let after = try cli.run(["products", "list", "--json"])
            #expect(after.status == 0)
            #expect(after.stdout == before, "nothing of the killed import is visible")
        }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        let out = Pipe()
        check.arguments = [cli.db, "PRAGMA integrity_check"]
        check.standardOutput = out
        try check.run()
        check.waitUntilExit()
        #expect(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "ok\n")
    }

    @Test func demoRunsTheLoopInAFreshDatabaseUnderOut() throws {
        let cli = try CLI()
        let out = cli.directory.appendingPathComponent("demo")
        for _ in 0..<2 {  // twice: the second run starts from a fresh database again
            let r = try cli.run(["demo", "--out", out.path], globals: false, cwd: TestPaths.root)
            #expect(r.status == 0, "\(r.stderr) \(r.stdout.suffix(1500))")
            #expect(r.stdout.contains("samples/catalog.csv: 128 rows, 128 imported (128 new, 0 updated, 0 unchanged), 0 rejected"))
            #expect(r.stdout.contains("Catalog: 35 products, 128 SKUs, 3 stores"))
        }
        let list = try cli.run(["--db", out.appendingPathComponent("unifeed.sqlite").path, "products", "list"], globals: false)
        #expect(list.stdout.split(separator: "\n").count == 129)
    }

    /// The demo's suggestions are commands that work when pasted into a shell, one a line: the binary as
    /// it was run, the demo's database and the samples' config (an audit without that config used to
    /// report hundreds of mismatches right after the demo said none).
    @Test func theDemosSuggestedCommandsRunAsPrinted() throws {
        let cli = try CLI()
        let out = cli.directory.appendingPathComponent("demo")
        let r = try cli.run(["demo", "--out", out.path], globals: false, cwd: TestPaths.root)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let start = try #require(lines.firstIndex(of: "Try (one command a line):"))
        let serving = lines.firstIndex { $0.hasPrefix("Serve these feeds") } ?? lines.endIndex
        #expect((serving < lines.endIndex) == Requirements.serverBuilt)
        let commands = lines[(start + 1)..<serving].map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(commands.count == 4)
        // The server's lines: a token is made; `serve` runs until stopped (the server tests run it).
        let serveLines = serving < lines.endIndex ? lines[(serving + 1)...].map { $0.trimmingCharacters(in: .whitespaces) } : []
        #expect(!lines.contains { $0.contains(" | ") })
        for command in commands {
            #expect(command.hasPrefix(CLI.binary.path + " --db "), "\(command)")
            let shell = try CLI.tool("/bin/sh", ["-c", command], cwd: TestPaths.root)
            #expect(shell.status == 0, "\(command)")
            if command.hasSuffix("audit --out \(out.path)") { #expect(shell.stdout.contains(", 0 mismatches"), "\(shell.stdout)") }
        }
        if Requirements.serverBuilt {
            #expect(serveLines.count == 3 && serveLines[1].contains(" serve --listen 127.0.0.1:8080 --out \(out.path)"))
            let tokenCommand = String(serveLines.first?.prefix { $0 != "#" } ?? "").trimmingCharacters(in: .whitespaces)
            #expect(try CLI.tool("/bin/sh", ["-c", tokenCommand], cwd: TestPaths.root).status == 0, "\(tokenCommand)")
        }
    }

    /// A folder that holds anything but an earlier demo's output is refused (the demo replaces the
    /// database and the feeds in it), and left as it was; `--force` uses it anyway.
    @Test func theDemoRefusesAFolderOfRealWorkUnlessForced() throws {
        let cli = try CLI()
        let folder = cli.directory.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let precious = folder.appendingPathComponent("unifeed.sqlite")
        try Data("real work".utf8).write(to: precious)
        let refused = try cli.run(["demo", "--out", folder.path], globals: false, cwd: TestPaths.root)
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        #expect(
            refused.stderrLines == [
                "\(folder.path): error: the folder holds files that are not an earlier demo's output (found: unifeed.sqlite); the demo would replace its unifeed.sqlite and feeds. Use a new or empty folder (the default is ./demo), or --force to use this one anyway"
            ])
        #expect(try String(contentsOf: precious, encoding: .utf8) == "real work")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["unifeed.sqlite"])
        // A file where the folder should be is refused too.
        let file = cli.directory.appendingPathComponent("a-file")
        try Data().write(to: file)
        #expect(try cli.run(["demo", "--out", file.path], globals: false, cwd: TestPaths.root).status == 1)
        // --force: the folder is the demo's from now on.
        let forced = try cli.run(["demo", "--out", folder.path, "--force"], globals: false, cwd: TestPaths.root)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".unifeed-demo").path))
        #expect(try cli.run(["demo", "--out", folder.path], globals: false, cwd: TestPaths.root).status == 0)
    }
}

@Suite struct FeedCLITests {
    @Test func publishValidateAndAuditKeepTheirContract() throws {
        let cli = try CLI()
        for (kind, file) in [("catalog", "catalog.csv"), ("stores", "stores.csv"), ("inventory", "inventory.csv")] {
            #expect(try cli.run(["import", kind, CLI.sample(file)]).status == 0)
        }
        let list = try cli.run(["channels", "list"])
        #expect(list.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) } == ["amazon", "ebay", "google", "google-local", "google-promotions", "idealo", "meta", "walmart"])
        #expect(list.stdout.contains("amazon\tenabled (on by default)\tamazon/listings-NNNN.json"))
        // Without the samples' config the marketplaces wait for their settings.
        let bare = try cli.run(["--db", cli.db, "channels", "list"], globals: false)
        #expect(bare.stdout.contains("amazon\tdisabled (needs [channels.amazon] seller_id, product_types)"))
        #expect(bare.stdout.contains("ebay\tdisabled (needs [channels.ebay] categories)"))
        let validate = try cli.run(["validate", "--now", "2026-11-25T12:00:00"])
        #expect(validate.status == 1, "the samples carry 4 marketplace errors (unmapped candles on eBay, no GTIN on Walmart)")
        #expect(validate.stdout.contains("google: 126 items would be published"))
        #expect(validate.stderr.contains("ebay: CDL-SOY-CED: error: unmapped_category:"), "findings go to stderr, as publish's do")
        let googleOnly = try cli.run(["validate", "--channel", "google", "--now", "2026-11-25T12:00:00"])
        #expect(googleOnly.status == 0, "warnings only")
        let out = cli.directory.appendingPathComponent("feeds").path
        let publish = try cli.run(["publish", "--out", out, "--now", "2026-11-25T12:00:00"])
        #expect(publish.status == 0, "\(publish.stderr)")
        #expect(publish.stdout.contains("google: 126 items"))
        let audit = try cli.run(["audit", "--out", out])
        #expect(audit.status == 0 && audit.stdout == "audit: 1382 rows checked, 0 mismatches\n")

        // Tamper with a published price: audit names the file, line, column and both values, and fails.
        let xml = (out as NSString).appendingPathComponent("google/products.xml")
        let text = try String(contentsOfFile: xml, encoding: .utf8)
        try text.replacingOccurrences(of: "<g:price>25.00 USD</g:price>", with: "<g:price>24.00 USD</g:price>")
            .write(toFile: xml, atomically: true, encoding: .utf8)
        let tampered = try cli.run(["audit", "--out", out])
        #expect(tampered.status == 1)
        // First the file's bytes against the SHA-256 the report recorded, then the values.
        #expect(tampered.stderrLines.first?.hasPrefix("\(xml): error: sha256: the file is not the one published") == true)
        #expect(tampered.stderrLines.dropFirst().first?.hasPrefix("\(xml):") == true)
        #expect(tampered.stderrLines.dropFirst().first?.contains(": error: price: ") == true)
        #expect(tampered.stderrLines.dropFirst().first?.hasSuffix("shows 24.00 USD, the catalog says 25.00 USD") == true)

        #expect(try cli.run(["publish", "--channel", "nope"]).status == 1)
        #expect(try cli.run(["publish", "--now", "yesterday"]).status == 64)
    }

    @Test func aHeldBackChannelExitsTwo() throws {
        let cli = try CLI()
        #expect(try cli.run(["import", "catalog", CLI.sample("catalog.csv")]).status == 0)
        let out = cli.directory.appendingPathComponent("feeds").path
        #expect(try cli.run(["publish", "--out", out, "--channel", "google"]).status == 0)
        let archive = cli.directory.appendingPathComponent("archive.csv")
        let skus = try cli.run(["products", "list", "--json"]).stdout
        let array = try #require(try JSONSerialization.jsonObject(with: Data(skus.utf8)) as? [[String: Any]])
        try ("sku,product_id,title,price,status\n" + array.map { "\($0["sku"]!),\($0["product_id"]!),x,1.00,archived" }.joined(separator: "\n") + "\n")
            .write(to: archive, atomically: true, encoding: .utf8)
        #expect(try cli.run(["import", "catalog", archive.path]).status == 0)
        let held = try cli.run(["publish", "--out", out, "--channel", "google"])
        #expect(held.status == 2)
        #expect(held.stdout.contains("HELD BACK: the feed would have no items"))
    }
}

@Suite struct OrdersCLITests {
    /// Two `orders import` processes at once on overlapping reports: the second waits for the first
    /// (immediate transaction, busy timeout) and then finds every line applied; nothing counts twice.
    @Test func twoImportersAtOnceNeverDoubleCount() throws {
        let cli = try CLI()
        for (kind, file) in [("catalog", "catalog.csv"), ("stores", "stores.csv"), ("inventory", "inventory.csv")] {
            #expect(try cli.run(["import", kind, CLI.sample(file)]).status == 0)
        }
        let before = try cli.run(["stock", "show", "TEE-CLS-BLK-S", "--json"]).stdout
        nonisolated(unsafe) var results: [CLI.Result?] = Array(repeating: nil, count: 4)
        let lock = NSLock()  // the results array is shared by the four threads
        let group = DispatchGroup()
        for i in 0..<4 {
            group.enter()
            DispatchQueue.global().async {
                let result = try? cli.run(["orders", "import", CLI.sample("orders/ebay-orders.csv")])
                lock.lock()
                results[i] = result
                lock.unlock()
                group.leave()
            }
        }
        group.wait()
        #expect(results.allSatisfy { $0?.status == 0 }, "\(results.map { $0?.stderr ?? "" })")
        #expect(results.filter { $0?.stdout.contains("6 new") == true }.count == 1, "exactly one importer recorded the lines")
        let list = try cli.run(["orders", "list", "--json"])
        let lines = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(lines.count == 6)
        #expect(Set(lines.first!.keys).isSuperset(of: ["channel", "order_id", "line_id", "sku", "quantity", "status", "matched"]))
        let stock = try #require(try JSONSerialization.jsonObject(with: Data(try cli.run(["stock", "show", "TEE-CLS-BLK-S", "--json"]).stdout.utf8)) as? [String: Any])
        let previous = try #require(try JSONSerialization.jsonObject(with: Data(before.utf8)) as? [String: Any])
        #expect((stock["total"] as? Int) == (previous["total"] as? Int).map { $0 - 1 })
        let movements = try #require(stock["movements"] as? [[String: Any]])
        #expect(movements.filter { $0["kind"] as? String == "order" }.map { $0["ref"] as? String } == ["ebay:27-13880-11492:2719043651104"])
    }

    @Test func ordersImportReportsUnknownSKUsAndMalformedFiles() throws {
        let cli = try CLI()
        #expect(try cli.run(["import", "catalog", CLI.sample("catalog.csv")]).status == 0)
        let walmart = try cli.run(["orders", "import", CLI.sample("orders/walmart-orders.json"), "--json"])
        #expect(walmart.status == 0)
        #expect(walmart.stderr.contains(": warning: sku: unknown SKU: the line is kept unmatched and takes stock once the SKU is imported (found: WMT-UNKNOWN-7)"))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(walmart.stdout.utf8)) as? [String: Any])
        #expect(summary["channel"] as? String == "walmart" && summary["lines"] as? Int == 5)
        let broken = cli.directory.appendingPathComponent("broken.json")
        try "{\"list\": {\"elements\": {\"order\": [\n  {\"purchaseOrderId\": }\n]}}}".write(to: broken, atomically: true, encoding: .utf8)
        let refused = try cli.run(["orders", "import", broken.path])
        #expect(refused.status == 1)
        #expect(refused.stderrLines.first == "\(broken.path):2: error: column 23: invalid JSON: expected a value (found: }\\n]}}})")
        #expect(refused.stderrLines.last == "\(broken.path): error: nothing was imported")
        #expect(try cli.run(["orders", "import", broken.path, "--channel", "shopify"]).status == 64)
    }

    /// An order line whose SKU was unknown waits; `import catalog` settles it right after its commit (the
    /// explicit settlement step), so the stock the new SKU arrives with is already short by the order.
    @Test func aCatalogImportSettlesOrderLinesThatWaitedForItsSKUs() throws {
        let cli = try CLI()
        #expect(try cli.run(["import", "catalog", CLI.sample("catalog.csv")]).status == 0)
        let report = cli.directory.appendingPathComponent("waiting.tsv")
        try Data(
            ("amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\titem-status\tquantity\n"
                + "W-1\t2026-11-22T10:00:00+00:00\tShipped\tMerchant\tLATE-SKU\tShipped\t2\n").utf8
        ).write(to: report)
        #expect(try cli.run(["orders", "import", report.path]).status == 0)
        let catalog = cli.directory.appendingPathComponent("late.csv")
        try Data("product_id,sku,title,price,quantity\nLATE,LATE-SKU,Late arrival,9.00,10\n".utf8).write(to: catalog)
        #expect(try cli.run(["import", "catalog", catalog.path]).status == 0)
        let stock = try cli.run(["stock", "show", "LATE-SKU", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stock.stdout.utf8)) as? [String: Any])
        #expect((json["on_hand"] as? [String: Any])?["online"] as? Int == 8)
        let lines = try cli.run(["orders", "list", "--json"])
        let array = try #require(try JSONSerialization.jsonObject(with: Data(lines.stdout.utf8)) as? [[String: Any]])
        #expect(array.first { $0["order_id"] as? String == "W-1" }?["matched"] as? Bool == true)
    }

    /// Audit checks what leaves the building, not what the last command touched: a partial publish keeps
    /// the other channels in the report, every listed file is checked against its SHA-256 first (a
    /// changed title, which no value check covers, is found), and a config other than the publish's is
    /// one clear error, not hundreds of mismatches.
    @Test func auditVerifiesEveryPublishedFileAndTheConfigItWasPublishedWith() throws {
        let cli = try CLI()
        for (kind, file) in [("catalog", "catalog.csv"), ("stores", "stores.csv"), ("inventory", "inventory.csv")] {
            #expect(try cli.run(["import", kind, CLI.sample(file)]).status == 0)
        }
        let out = cli.directory.appendingPathComponent("feeds").path
        #expect(try cli.run(["publish", "--out", out, "--now", "2026-11-25T12:00:00"]).status == 0)
        #expect(try cli.run(["publish", "--out", out, "--channel", "google", "--now", "2026-11-26T12:00:00"]).status == 0)
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/publish-report.json"))) as? [String: Any])
        let entries = try #require(report["channels"] as? [[String: Any]])
        #expect(entries.compactMap { $0["channel"] as? String } == ["amazon", "ebay", "google", "google-local", "idealo", "meta", "walmart"])  // google-promotions is skipped: no promotions
        #expect(entries.first { $0["channel"] as? String == "meta" }?["generated_at"] as? String == "2026-11-25T12:00:00-05:00")
        #expect(entries.first { $0["channel"] as? String == "google" }?["generated_at"] as? String == "2026-11-26T12:00:00-05:00")
        let clean = try cli.run(["audit", "--out", out])
        #expect(clean.status == 0, "\(clean.stderr)")

        // A price in the older Meta file, which the partial publish did not write.
        let meta = out + "/meta/catalog.csv"
        let csv = try String(contentsOfFile: meta, encoding: .utf8)
        try csv.replacingOccurrences(of: ",25.00 USD,", with: ",24.00 USD,").write(toFile: meta, atomically: true, encoding: .utf8)
        // A title in the Google XML: no value check covers it, the file's hash does.
        let xml = out + "/google/products.xml"
        let text = try String(contentsOfFile: xml, encoding: .utf8)
        let title = try #require(text.range(of: "<title>")).upperBound
        try (String(text[..<title]) + "Tampered " + String(text[title...])).write(toFile: xml, atomically: true, encoding: .utf8)
        let tampered = try cli.run(["audit", "--out", out])
        #expect(tampered.status == 1)
        let shaLines = tampered.stderrLines.filter { $0.contains(": error: sha256: the file is not the one published") }
        #expect(shaLines.map { String($0.prefix { $0 != ":" }) }.sorted() == [xml, meta])
        #expect(tampered.stderrLines.contains { $0.hasPrefix(meta + ":") && $0.contains("shows 24.00 USD, the catalog says 25.00 USD") })

        // Another config than the publish's: one line that says so.
        let other = cli.directory.appendingPathComponent("other.toml").path
        try (try String(contentsOfFile: CLI.config, encoding: .utf8) + "\n# changed\n").write(toFile: other, atomically: true, encoding: .utf8)
        let wrongConfig = try cli.run(["--db", cli.db, "--config", other, "audit", "--out", out], globals: false)
        #expect(wrongConfig.status == 1)
        #expect(wrongConfig.stderrLines.count == 1)
        #expect(wrongConfig.stderr.contains("was published with another config"))
        #expect(wrongConfig.stderr.contains("audit with the --config the publish used"))
    }

    /// A shop without stores: local inventory has nothing to describe, so it is skipped with one line that
    /// says how to give it something, and the publish still exits 0. Excluded items are counted once each.
    @Test func aShopWithoutStoresPublishesCleanlyAndExcludedItemsCountOnce() throws {
        let cli = try CLI()
        let catalog = cli.directory.appendingPathComponent("c.csv")
        try Data(
            ("product_id,sku,title,description,brand,price,link,image_link,quantity,color\n"
                + "P1,P1-A,Tee,A tee,Acme,10.00,https://shop.example/p1,https://cdn.example/p1.jpg,5,Red\n"
                + "P2,P2-A,Cap,A cap,Acme,0.00,,,5,Blue\n").utf8
        ).write(to: catalog)
        #expect(try cli.run(["import", "catalog", catalog.path]).status == 0)
        let out = cli.directory.appendingPathComponent("feeds").path
        let publish = try cli.run(["publish", "--out", out, "--channel", "google", "--channel", "google-local", "--now", "2026-11-25T12:00:00"])
        #expect(publish.status == 0, "\(publish.stderr)")
        let lines = publish.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("google-local: skipped: no stores to describe: import them (`unifeed import stores FILE`") })
        // P2-A has no image and no price: two rules, one item.
        #expect(lines.contains { $0.hasPrefix("google: 1 items, 1 excluded by diagnostics, 0 filtered;") }, "\(lines)")
        let validate = try cli.run(["validate", "--channel", "google", "--now", "2026-11-25T12:00:00"])
        #expect(validate.stdout.contains("google: 1 items would be published, 1 excluded; by rule: missing_identifiers (warning): 2, missing_image (error): 1, missing_price (error): 1"))
        #expect(!FileManager.default.fileExists(atPath: out + "/google-local"))
    }

    /// `publish --gzip` writes a .gz twin of every file (Google and Meta fetch them), listed in the report
    /// with its own hash; it decompresses to the file itself; a publish without --gzip removes the twins,
    /// so no stale version is ever served.
    @Test(.enabled(if: Requirements.executable("/bin/gzip"), "gzip is not installed"))
    func gzipTwinsAreTheFilesThemselvesAndNeverStale() throws {
        let cli = try CLI()
        #expect(try cli.run(["import", "catalog", CLI.sample("catalog.csv")]).status == 0)
        let out = cli.directory.appendingPathComponent("feeds").path
        let publish = try cli.run(["publish", "--out", out, "--channel", "google", "--gzip", "--now", "2026-11-25T12:00:00"])
        #expect(publish.status == 0, "\(publish.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/publish-report.json"))) as? [String: Any])
        let files = try #require((report["channels"] as? [[String: Any]])?.first?["files"] as? [[String: Any]])
        #expect(files.compactMap { $0["path"] as? String } == ["google/products.xml", "google/products.xml.gz", "google/products.tsv", "google/products.tsv.gz"])
        for name in ["products.xml", "products.tsv"] {
            let gunzip = try CLI.tool("/bin/gzip", ["-dc", "\(out)/google/\(name).gz"])
            #expect(gunzip.status == 0)
            #expect(Data(gunzip.stdoutBytes) == (try Data(contentsOf: URL(fileURLWithPath: "\(out)/google/\(name)"))))
        }
        // The same feed gives the same twin, byte for byte.
        let first = try Data(contentsOf: URL(fileURLWithPath: out + "/google/products.xml.gz"))
        #expect(try cli.run(["publish", "--out", out, "--channel", "google", "--gzip", "--now", "2026-11-25T12:00:00"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/google/products.xml.gz")) == first)
        #expect(try cli.run(["audit", "--out", out]).status == 0)
        #expect(try cli.run(["publish", "--out", out, "--channel", "google", "--now", "2026-11-25T12:00:00"]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/google").sorted() == ["products.tsv", "products.xml"])
    }
}
