import Crypto
import Foundation
import Testing
import UnifeedTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh database on the test server for one test, dropped after it; `cli` runs unifeed on it.
final class PostgresCase {
    let database: String
    let cli: CLI
    init() throws {
        database = try TestPostgres.freshDatabase()
        cli = try CLI(database: database)
    }
    deinit { TestPostgres.drop(database) }

    func count(_ table: String) throws -> Int { Int(try TestPostgres.query(database, "SELECT count(*) FROM \(table)")) ?? -1 }
}

/// The same commands on SQLite and on PostgreSQL give the same answers and the same files, byte for
/// byte; PostgreSQL's own failure modes (a race to migrate, a cut connection, a killed import, several
/// order imports at once) lose and double nothing.
@Suite(.enabled(if: Requirements.postgres, Comment(rawValue: Requirements.postgresReason)))
struct PostgresStoreTests {
    static let orderReports = ["amazon-all-orders.tsv", "ebay-orders.csv", "ebay-orders-cancelled.csv", "walmart-orders.json"]

    /// Everything the samples go through, as the demo does, on one store: each command's output.
    static func samplesJourney(_ cli: CLI) throws -> [String: String] {
        var outputs: [String: String] = [:]
        func run(_ name: String, _ arguments: [String]) throws {
            let result = try cli.run(arguments)
            // Each store's own folder (the published files' paths) reads the same.
            let text = "status \(result.status)\n\(result.stdout)\n" + result.stderrLines.sorted().joined(separator: "\n")
            // and the moments of the ledger's movements (the wall clock of each run) read the same.
            outputs[name] = text.replacingOccurrences(of: cli.directory.path, with: "<folder>")
                .replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "<time>", options: .regularExpression)
        }
        try run("stores", ["import", "stores", CLI.sample("stores.csv")])
        try run("catalog", ["import", "catalog", CLI.sample("catalog.csv")])
        try run("inventory", ["import", "inventory", CLI.sample("inventory.csv")])
        try run("promotions", ["import", "promotions", CLI.sample("promotions.csv")])
        for report in orderReports { try run("orders \(report)", ["orders", "import", CLI.sample("orders/\(report)")]) }
        // Again: every row unchanged (the store's lookups of what it holds, not its inserts).
        try run("catalog again", ["import", "catalog", CLI.sample("catalog.csv")])
        try run("inventory again", ["import", "inventory", CLI.sample("inventory.csv")])
        try run("orders again", ["orders", "import", CLI.sample("orders/amazon-all-orders.tsv")])
        try run("publish", ["publish", "--out", cli.path("feeds"), "--now", "2026-11-25T12:00:00Z"])
        try run("products list", ["products", "list"])
        try run("products show", ["products", "show", "TEE-CLS-BLK-S"])
        try run("stock list", ["stock", "list"])
        try run("stock show", ["stock", "show", "TEE-CLS-BLK-S"])
        try run("orders list", ["orders", "list"])
        try run("promotions list", ["promotions", "list"])
        return outputs
    }

    /// SHA-256 of every file under `folder` by relative path (the publish report without its folder and
    /// durations, which differ by nature).
    static func digests(_ folder: String) throws -> [String: String] {
        var out: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder)!
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            var data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + path))
            if path == "publish-report.json" {
                let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.contains("\"out_dir\"") && !$0.contains("\"duration_ms\"") }
                data = Data(kept.joined(separator: "\n").utf8)
            }
            out[path] = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        }
        return out
    }

    @Test func theSamplesGiveTheSameAnswersAndByteIdenticalFilesOnBothStores() throws {
        let pg = try PostgresCase()
        let sqlite = try CLI()
        let onSQLite = try Self.samplesJourney(sqlite)
        let onPostgres = try Self.samplesJourney(pg.cli)
        for (name, output) in onSQLite.sorted(by: { $0.key < $1.key }) {
            #expect(onPostgres[name] == output, "\(name) differs:\nSQLite:\n\(output)\nPostgreSQL:\n\(onPostgres[name] ?? "")")
        }
        #expect(onSQLite["publish"]?.hasPrefix("status 0") == true)
        let files = try Self.digests(sqlite.path("feeds"))
        #expect(files.count > 20, "published \(files.keys.sorted())")
        #expect(try Self.digests(pg.cli.path("feeds")) == files)
    }

    /// Catalogs in every format the import reads, and a catalog that changes products, prices and images
    /// after a first import: the same summaries, messages, catalog and files on both stores.
    static let importSequences: [[String]] = {
        let fixtures = TestPaths.root.appendingPathComponent("Tests/ImportTests/Fixtures").path
        var sequences = [
            ["\(fixtures)/shopify-products.csv"], ["\(fixtures)/woocommerce-products.csv"], ["\(fixtures)/akeneo-products.csv"],
            ["\(fixtures)/google/rejects.xml"], ["\(fixtures)/google/quoted-crlf.tsv"], ["\(fixtures)/google/rss-one-line.xml"],
            [CLI.sample("catalog.csv"), "changed-catalog.csv", CLI.sample("broken-catalog.csv")],
        ]
        if let shared = TestPaths.shared?.appendingPathComponent("samples-real").path {
            sequences += [["\(shared)/shopify-apparel.csv"], ["\(shared)/woocommerce-sample_products.csv"]]
        }
        return sequences
    }()

    @Test(arguments: importSequences)
    func everyCatalogFormatImportsTheSameOnBothStores(_ files: [String]) throws {
        let pg = try PostgresCase()
        let sqlite = try CLI()
        var outputs: [[String]] = []
        for cli in [sqlite, pg.cli] {
            // The samples' catalog with new titles for one brand's products, one price and one product's images.
            let changed = try String(contentsOfFile: CLI.sample("catalog.csv"), encoding: .utf8)
                .replacingOccurrences(of: "Voltarc Braided", with: "Voltarc Pro Braided")
                .replacingOccurrences(of: ",12.00,", with: ",13.50,")
                .replacingOccurrences(of: "https://cdn.", with: "https://img.")
            try changed.write(toFile: cli.path("changed-catalog.csv"), atomically: true, encoding: .utf8)
            var output: [String] = []
            #expect(try cli.run(["import", "stores", CLI.sample("stores.csv")]).status == 0)
            for file in files {
                let result = try cli.run(["import", "catalog", file.hasPrefix("/") ? file : cli.path(file)])
                output.append("\(result.status)\n\(result.stdout)\n\(result.stderr)".replacingOccurrences(of: cli.directory.path, with: "<folder>"))
            }
            for query in [["products", "list"], ["stock", "list"]] { output.append(try cli.run(query).stdout) }
            let published = try cli.run(["publish", "--out", cli.path("feeds"), "--force", "--now", "2026-11-25T12:00:00Z"])
            output.append("\(published.status)")
            output.append(try Self.digests(cli.path("feeds")).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "\n"))
            outputs.append(output)
        }
        #expect(outputs[0].count == outputs[1].count)
        for (a, b) in zip(outputs[0], outputs[1]) { #expect(a == b) }
        if files.count > 1 { #expect(outputs[1][1].contains("(0 new, 128 updated, 0 unchanged)"), "\(outputs[1][1])") }
    }

    /// Imports larger than the PostgreSQL writer's batches (2,048 variants, sent while the next batch is
    /// read): new rows, then every variant and product changed, then a file with duplicates of rows
    /// written batches earlier. The same summaries, rejects, lists and files as on SQLite.
    @Test func importsAcrossManyWriteBatchesGiveTheSameAsSQLite() throws {
        let pg = try PostgresCase()
        let sqlite = try CLI()
        let first = Synthetic.catalog(10_000, price: "9.99")
        let changed = Synthetic.catalog(10_000, price: "11.49").replacingOccurrences(of: ",Product ", with: ",Item ")
        // 13,000 rows, then the first 3,000 again: each repeat is a duplicate of a line 13,000 back.
        let lines = Synthetic.catalog(13_000, price: "11.49").replacingOccurrences(of: ",Product ", with: ",Item ").split(separator: "\n")
        let duplicates = (lines + lines[1...3_000]).joined(separator: "\n") + "\n"
        var outputs: [[String]] = []
        for cli in [sqlite, pg.cli] {
            var output: [String] = []
            for (name, text) in [("first.csv", first), ("changed.csv", changed), ("duplicates.csv", duplicates)] {
                try text.write(toFile: cli.path(name), atomically: true, encoding: .utf8)
                let result = try cli.run(["import", "catalog", cli.path(name)])
                output.append("\(result.status)\n\(result.stdout)\n\(result.stderr)".replacingOccurrences(of: cli.directory.path, with: "<folder>"))
            }
            output.append(try cli.run(["products", "list"]).stdout)
            output.append(try cli.run(["stock", "list"]).stdout)
            let published = try cli.run(["publish", "--channel", "google", "--out", cli.path("feeds"), "--force", "--now", "2026-11-25T12:00:00Z"])
            output.append("\(published.status)")
            output.append(try Self.digests(cli.path("feeds")).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "\n"))
            outputs.append(output)
        }
        for (a, b) in zip(outputs[0], outputs[1]) { #expect(a == b) }
        #expect(outputs[1][0].contains("(10000 new, 0 updated, 0 unchanged)"), "\(outputs[1][0])")
        #expect(outputs[1][1].contains("(0 new, 10000 updated, 0 unchanged)"), "\(outputs[1][1])")
        #expect(outputs[1][2].contains("(3000 new, 0 updated, 10000 unchanged), 3000 rejected"), "\(outputs[1][2])")
        #expect(outputs[1][2].contains("duplicate"), "\(outputs[1][2])")
    }

    @Test func processesStartingTogetherOnANewDatabaseMigrateItOnce() throws {
        let pg = try PostgresCase()
        let processes = try (0..<4).map { _ in try launch(pg.cli, ["import", "stores", CLI.sample("stores.csv")]) }
        for p in processes {
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        // Each migration once (a second run of one would have failed its process on CREATE).
        #expect(
            try TestPostgres.query(pg.database, "SELECT string_agg(identifier, ',' ORDER BY identifier) FROM unifeed_migrations")
                == "v1-catalog,v2-set-based-key-checks,v3-products-search")
        #expect(try pg.count("locations") == 4)  // online and the three stores, once each
    }

    @Test func aCommandThatOnlyReadsRefusesADatabaseWithoutTablesAndNamesIt() throws {
        let pg = try PostgresCase()
        let result = try pg.cli.run(["products", "list"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no unifeed tables in this database yet"), "\(result.stderr)")
        #expect(result.stderr.contains("postgres://unifeed@127.0.0.1"), "\(result.stderr)")
        #expect(!showsTestPassword(result.stderr), "the password is in the message: \(result.stderr)")
        #expect(try pg.count("pg_tables WHERE schemaname = 'public'") == 0, "a read made tables")
    }

    /// The catalog's and the ledger's keys are checked per statement by triggers (migration v2), not by
    /// row-level foreign keys: what they refuse, whoever writes.
    @Test(arguments: [
        ("INSERT INTO stock_movements(at, sku, location, delta, kind, ref) VALUES ('t', 'NO-SUCH-SKU', 'online', 1, 'k', 'r')", "a sku that is not in variants"),
        ("INSERT INTO stock_movements(at, sku, location, delta, kind, ref) VALUES ('t', 'TEE-CLS-BLK-S', 'NOWHERE', 1, 'k', 'r')", "a location that is not in locations"),
        ("UPDATE variants SET product_id = 'NO-SUCH-PRODUCT' WHERE sku = 'TEE-CLS-BLK-S'", "a product_id that is not in products"),
        ("DELETE FROM products WHERE product_id = 'TEE-CLS'", "a product that variants still name"),
        ("DELETE FROM variants WHERE sku = 'TEE-CLS-BLK-S'", "a SKU the stock ledger names"),
        ("DELETE FROM locations WHERE code = 'online'", "a location the stock ledger names"),
        ("DELETE FROM stock_movements", "the stock ledger is append-only"),
    ])
    func keysAreCheckedWhoeverWrites(_ statement: String, _ refusal: String) throws {
        let pg = try PostgresCase()
        #expect(try pg.cli.run(["import", "catalog", CLI.sample("catalog.csv")]).status == 0)
        let before = try ["products", "variants", "locations", "stock_movements"].map { try pg.count($0) }
        let result = try CLI.tool("/usr/bin/psql", [pg.database, "-v", "ON_ERROR_STOP=1", "-qc", statement])
        #expect(result.status != 0)
        #expect(result.stderr.contains(refusal), "\(result.stderr)")
        #expect(try ["products", "variants", "locations", "stock_movements"].map { try pg.count($0) } == before)
    }

    @Test func aWrongPasswordIsAClearErrorThatNeverShowsAPassword() throws {
        let pg = try PostgresCase()
        var components = URLComponents(string: pg.database)!
        components.password = "wrong-secret"
        let cli = try CLI(database: components.string!)
        let result = try cli.run(["import", "stores", CLI.sample("stores.csv")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot connect"), "\(result.stderr)")
        #expect(result.stderr.contains("password authentication failed"), "\(result.stderr)")
        #expect(!result.stderr.contains("wrong-secret"), "\(result.stderr)")
    }

    /// What a cut connection or a killed import leaves: the database as it was before the import.
    enum Cut: String, CaseIterable { case backendTerminated, processKilled }

    @Test(arguments: Cut.allCases)
    func anImportCutMidwayLeavesTheDatabaseAsItWas(_ cut: Cut) throws {
        let pg = try PostgresCase()
        for (kind, file) in [("stores", "stores.csv"), ("catalog", "catalog.csv"), ("inventory", "inventory.csv")] {
            #expect(try pg.cli.run(["import", kind, CLI.sample(file)]).status == 0)
        }
        let before = try ["products", "variants", "stock_movements", "stock_levels", "import_runs"].map { try pg.count($0) }
        let big = pg.cli.path("big.csv")
        try Synthetic.catalog(60_000, price: "9.99").write(toFile: big, atomically: true, encoding: .utf8)
        let errPath = pg.cli.path("import.err")
        let process = try launch(pg.cli, ["import", "catalog", big], stderr: errPath)
        // Wait until the import's transaction is open and has written (its new variants go by COPY).
        let name = String(pg.database.split(separator: "/").last!)
        var backend = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            backend = try TestPostgres.query(
                pg.database,
                "SELECT pid FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid() AND xact_start < now() - interval '300 milliseconds' LIMIT 1"
            )
            if !backend.isEmpty { break }
            usleep(50_000)
        }
        #expect(!backend.isEmpty, "the import was not seen at work")
        switch cut {
        case .backendTerminated: _ = try TestPostgres.query(pg.database, "SELECT pg_terminate_backend(\(backend))")
        case .processKilled: kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        if cut == .backendTerminated {
            let stderr = try String(contentsOfFile: errPath, encoding: .utf8)
            #expect(stderr.contains("postgres://unifeed@127.0.0.1"), "\(stderr)")
            #expect(stderr.contains("error:"), "\(stderr)")
            #expect(!showsTestPassword(stderr), "\(stderr)")
        }
        // PostgreSQL rolls back a transaction whose connection ended; wait for the backend to go.
        for _ in 0..<100 where try TestPostgres.query(pg.database, "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()") != "0" {
            usleep(50_000)
        }
        #expect(try ["products", "variants", "stock_movements", "stock_levels", "import_runs"].map { try pg.count($0) } == before)
        // Nothing is left locked: the next import runs.
        let again = try pg.cli.run(["import", "catalog", CLI.sample("catalog.csv")])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 new"), "\(again.stdout)")
    }

    @Test func fourOrderImportsAtOnceWithOverlappingReportsMoveEachUnitOnce() throws {
        let pg = try PostgresCase()
        let sqlite = try CLI()
        for cli in [pg.cli, sqlite] {
            for (kind, file) in [("stores", "stores.csv"), ("catalog", "catalog.csv"), ("inventory", "inventory.csv")] {
                #expect(try cli.run(["import", kind, CLI.sample(file)]).status == 0)
            }
        }
        // New orders from three marketplaces (the cancellations' report changes statuses, so its moment
        // matters: it comes once, after them, on both stores).
        let newOrders = ["amazon-all-orders.tsv", "ebay-orders.csv", "walmart-orders.json"]
        // SQLite, one report after the other: the reference.
        for report in newOrders { #expect(try sqlite.run(["orders", "import", CLI.sample("orders/\(report)")]).status == 0) }
        // PostgreSQL: four processes at once, each with every report (overlapping), in different orders,
        // and two more given one report each and killed (SIGKILL) 20 to 250 ms after they start (waiting
        // for the writers' lock, importing, or done): a killed import's transaction is rolled back by
        // the server and changes nothing; one that finished first is one more overlapping report.
        var processes: [Process] = []
        var victims: [Process] = []
        for k in 0..<6 {
            let reports = (0..<newOrders.count).map { newOrders[($0 + k) % newOrders.count] }
            let script = reports.map { "\"\(CLI.binary.path)\" --db '\(pg.database)' --config '\(CLI.config)' orders import '\(CLI.sample("orders/\($0)"))'" }
                .joined(separator: " && ")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            // The victims run unifeed itself (no shell between), so the signal reaches the import.
            if k >= 4 {
                p.executableURL = CLI.binary
                p.arguments = ["--db", pg.database, "--config", CLI.config, "orders", "import", CLI.sample("orders/\(reports[0])")]
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try p.run()
                victims.append(p)
                continue
            }
            p.arguments = ["-c", script + " >/dev/null 2>&1"]
            try p.run()
            processes.append(p)
        }
        var generator = SystemRandomNumberGenerator()
        for victim in victims {
            usleep(UInt32.random(in: 20_000...250_000, using: &generator))
            kill(victim.processIdentifier, SIGKILL)
            victim.waitUntilExit()
            #expect(victim.terminationStatus == 0 || victim.terminationReason == .uncaughtSignal)
        }
        for p in processes {
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        for cli in [pg.cli, sqlite] {
            #expect(try cli.run(["orders", "import", CLI.sample("orders/ebay-orders-cancelled.csv")]).status == 0)
        }
        for query in [["stock", "list"], ["orders", "list"]] {
            #expect(try pg.cli.run(query).stdout == sqlite.run(query).stdout, "\(query) differs")
        }
        // Each line's movements add up to what it holds off stock: none applied twice.
        #expect(
            try TestPostgres.query(
                pg.database,
                """
                SELECT count(*) FROM order_lines o WHERE COALESCE((SELECT sum(delta) FROM stock_movements m
                  WHERE m.ref = o.channel || ':' || o.order_id || ':' || o.line_id), 0) <> -o.applied
                """) == "0")
        #expect(try pg.count("stock_movements WHERE kind LIKE 'order%'") == Int(try sqlite.sql("SELECT count(*) FROM stock_movements WHERE kind LIKE 'order%'")))
    }

    @Test func dbCopyMovesAWholeStoreToPostgreSQLAndBackAndEachPublishesTheSameFiles() throws {
        let sqlite = try CLI()
        _ = try Self.samplesJourney(sqlite)
        #expect(try sqlite.run(["tokens", "create", "till-1", "--scope", "stock:write"]).status == 0)
        let pg = try PostgresCase()
        let there = try sqlite.run(["db", "copy", "--from", sqlite.db, "--to", pg.database], globals: false)
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.stdout.contains("order_lines\t") && !there.stdout.contains("DIFFERS"), "\(there.stdout)")
        #expect(there.stderr.contains("every table's row count matches"), "\(there.stderr)")
        #expect(!showsTestPassword(there.stderr), "\(there.stderr)")
        let back = sqlite.path("back.sqlite")
        let again = try sqlite.run(["db", "copy", "--from", pg.database, "--to", back], globals: false)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == there.stdout)
        // Each store publishes the same files; the token works on each (the API's tokens came along).
        var published: [[String: String]] = []
        for (index, database) in [sqlite.db, pg.database, back].enumerated() {
            let cli = try CLI(database: database)
            let result = try cli.run(["publish", "--out", cli.path("feeds-\(index)"), "--force", "--now", "2026-11-25T12:00:00Z"])
            #expect(result.status == 0, "\(result.stderr)")
            published.append(try Self.digests(cli.path("feeds-\(index)")))
            #expect(try cli.run(["tokens", "list"]).stdout.contains("till-1"))
            #expect(try cli.run(["stock", "list"]).stdout == sqlite.run(["stock", "list"]).stdout)
        }
        #expect(published[0].count > 20 && published[1] == published[0] && published[2] == published[0])
        // Into a store that holds data: refused, nothing written.
        let refused = try sqlite.run(["db", "copy", "--from", back, "--to", pg.database], globals: false)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the destination is not empty"), "\(refused.stderr)")
        #expect(try pg.count("variants") == Int(try sqlite.sql("SELECT count(*) FROM variants")))
    }

    /// Starts `unifeed --db … ARGS` on `cli`'s database without waiting.
    private func launch(_ cli: CLI, _ arguments: [String], stderr: String? = nil) throws -> Process {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["--db", cli.db, "--config", CLI.config] + arguments
        p.currentDirectoryURL = cli.directory
        p.standardOutput = FileHandle.nullDevice
        if let stderr {
            FileManager.default.createFile(atPath: stderr, contents: nil)
            p.standardError = FileHandle(forWritingAtPath: stderr)
        } else {
            p.standardError = FileHandle.nullDevice
        }
        try p.run()
        return p
    }
}

/// Whether `text` holds the test server's password (`unifeed-test`; the tests' folders are `unifeed-tests`).
func showsTestPassword(_ text: String) -> Bool {
    text.replacingOccurrences(of: "unifeed-tests", with: "").contains("unifeed-test")
}

extension CLI {
    /// One query through the sqlite3 shell on this CLI's SQLite database.
    func sql(_ query: String) throws -> String {
        try CLI.tool("/usr/bin/sqlite3", [db, query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
