import ArgumentParser
import Catalog
import Config
import Feeds
import Formats
import Foundation
import Import
import Orders
import Pipeline
import Store
import StorePort

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The whole loop on samples/, in a fresh database under --out.")

    @Option(help: "The folder for the demo database and outputs.") var out: String = "demo"
    @Option(help: "The samples folder (default: ./samples, else the one beside the source).") var samples: String?
    @Option(help: "The moment the demo publishes at (sale windows), ISO 8601.") var now: String = "2026-11-25T12:00:00"
    @Flag(help: "Use --out even when it holds files that are not an earlier demo's output (they may be replaced).")
    var force = false
    /// Accepted where every command takes them, but the demo keeps to its own database and the samples'
    /// config, so it never touches real work.
    @OptionGroup var global: GlobalOptions

    /// The file that marks a folder as a demo's output: a later demo may replace what is in it.
    static let marker = ".unifeed-demo"

    func run() throws {
        if global.db != nil || global.config != nil {
            printError(
                "warning: demo uses its own database (\((out as NSString).appendingPathComponent("unifeed.sqlite"))) and the samples' config, never --db, $UNIFEED_DB or --config")
        }
        let samplesDir = try locateSamples()
        try checkOutFolder()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        FileManager.default.createFile(
            atPath: (out as NSString).appendingPathComponent(Demo.marker),
            contents: Data("This folder holds the output of `unifeed demo`; a later demo replaces it.\n".utf8))
        let dbPath = (out as NSString).appendingPathComponent("unifeed.sqlite")
        // Commands the demo suggests, runnable as printed (this binary, the demo's database and config).
        let configPath = (samplesDir as NSString).appendingPathComponent("unifeed.toml")
        let global = "\(Demo.invokedAs()) --db \(Demo.shellQuoted(dbPath)) --config \(Demo.shellQuoted(configPath))"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + suffix) }
        // A fresh database, and no feeds of an earlier demo: its report would still list files (the
        // promotions feed, say) that this run's database does not explain.
        try? FileManager.default.removeItem(atPath: (out as NSString).appendingPathComponent("publish-report.json"))
        let config = try orExit { try ConfigLoader.load(path: (samplesDir as NSString).appendingPathComponent("unifeed.toml")) }
        let store = try orExit { try SQLiteStore(path: dbPath) as any CatalogStore }
        let importer = Importer(store: store, config: config)
        print("Unifeed demo: samples from \(samplesDir), database \(dbPath)")
        var options = ImportOptions()
        options.progress = true
        for (file, kind) in [("catalog.csv", ImportKind.catalog(nil)), ("stores.csv", .stores), ("inventory.csv", .inventory)] {
            let path = (samplesDir as NSString).appendingPathComponent(file)
            let summary = try orExit { try importer.run(path: path, displayName: "samples/\(file)", kind: kind, options: options) { printError($0.description) } }
            print("  import \(summary.format): \(summary.line)")
        }
        let broken = (samplesDir as NSString).appendingPathComponent("broken-catalog.csv")
        var dry = ImportOptions()
        dry.dryRun = true
        var brokenErrors = 0
        let brokenSummary = try orExit {
            try importer.run(path: broken, displayName: "samples/broken-catalog.csv", kind: .catalog(nil), options: dry) { _ in brokenErrors += 1 }
        }
        print("  dry run of the broken catalog: \(brokenSummary.line) (\(brokenErrors) problems; to see them: \(global) import catalog \(Demo.shellQuoted(broken)) --dry-run)")
        let counts = try store.reading { try $0.counts() }
        print("Catalog: \(counts.products) products, \(counts.variants) SKUs, \(counts.stores) stores, \(counts.movements) stock movements")

        // Validate, publish and audit every enabled channel, at a fixed moment so the demo's feeds are
        // the same on every run (and match the golden files in Tests/).
        let definitions = try orExitFeeds { try ChannelCatalog.load(templatesDir: config.templatesDir) }
        let publisher = Publisher(store: store, config: config, channels: definitions)
        var publishOptions = PublishOptions(outDir: out, now: try parseNow(now, config: config))
        publishOptions.dryRun = true
        var errors = 0, warnings = 0
        _ = try orExitFeeds { try publisher.run(publishOptions) { $0.severity == .error ? (errors += 1) : (warnings += 1) } }
        print("Validate: \(errors) errors, \(warnings) warnings (to see them: \(global) validate --now \(now))")
        publishOptions.dryRun = false
        publishOptions.force = true  // a fresh demo database has no baseline to hold back against
        let reports = try orExitFeeds { try publisher.run(publishOptions) { _ in } }
        for r in reports {
            if r.skipped {
                print("  publish \(r.channel): skipped, \((r.reason ?? "").prefix { $0 != ":" })")
                continue
            }
            print("  publish \(r.channel): \(r.items) items → " + r.files.map { "\(out)/\($0.path)" }.joined(separator: ", "))
        }
        let audit = try orExitFeeds { try Auditor(store: store, config: config, channels: definitions).run(outDir: out) }
        print("Audit: \(audit.rows) rows read back, \(audit.findings.count) mismatches")
        if !audit.findings.isEmpty { throw ExitCode.failure }

        // Promotions: one offer on every channel it reaches, online and in store (DESIGN.md §10).
        let at = try parseNow(now, config: config)
        let priced = reports.map(\.channel).filter { name in definitions.first { $0.name == name }?.scope != .promotions }
        let pricesBefore = try priced.map { try publisher.prices(channel: $0, now: at) }
        let promotionsPath = (samplesDir as NSString).appendingPathComponent("promotions.csv")
        let promotions = try orExit {
            try importer.run(path: promotionsPath, displayName: "samples/promotions.csv", kind: .promotions, options: options) { printError($0.description) }
        }
        print("Promotions: \(promotions.line) (to list them: \(global) promotions list)")
        for (i, channel) in priced.enumerated() {
            let after = try publisher.prices(channel: channel, now: at)
            let changed = after.keys.filter { pricesBefore[i][$0] != after[$0] }.sorted()
            guard !changed.isEmpty else { continue }
            let example = changed.first { after[$0]?.contains("sale") == true } ?? changed[0]
            print("  \(channel): \(changed.count) SKUs show a new price or sale (\(example): \(after[example] ?? ""))")
        }
        var flagged: [Diagnostic] = []
        publishOptions.dryRun = true
        _ = try orExitFeeds { try publisher.run(publishOptions) { if $0.rule == "in_store_price_differs" { flagged.append($0) } } }
        publishOptions.dryRun = false
        if let first = flagged.min(by: { $0.sku < $1.sku }) {
            print("  \(first.channel): \(flagged.count) SKUs left out of the stores' rows, in_store_price_differs (\(first.sku): \(first.message.prefix { $0 != ":" }))")
        }

        // Orders come back from the marketplaces and take stock once; the next publish shows the new truth.
        let watched = reports.map(\.channel).filter { name in definitions.first { $0.name == name }?.scope == .items }
        let before = try watched.map { try publisher.availability(channel: $0, now: at) }
        for report in ["amazon-all-orders.tsv", "ebay-orders.csv", "ebay-orders-cancelled.csv", "walmart-orders.json"] {
            let path = ((samplesDir as NSString).appendingPathComponent("orders") as NSString).appendingPathComponent(report)
            let summary = try orExit { try OrderImporter.run(path: path, displayName: "samples/orders/\(report)", channel: nil, encoding: .utf8, store: store, config: config) }
            print("  orders \(summary.line)")
        }
        let after = try watched.map { try publisher.availability(channel: $0, now: at) }
        publishOptions.force = false  // the gate passes: out-of-stock items stay in the feeds at 0
        let again = try orExitFeeds { try publisher.run(publishOptions) { _ in } }
        print("Publish after orders: " + again.map { "\($0.channel) \($0.items)\($0.heldBack ? " HELD BACK" : "")" }.joined(separator: ", "))
        for sku in Set(before.flatMap(\.keys)).sorted() {
            var changes: [String] = []
            for (i, channel) in watched.enumerated() {
                guard let old = before[i][sku], let new = after[i][sku], old != new else { continue }
                changes.append(
                    old.availability != new.availability
                        ? "\(channel) \(old.availability) → \(new.availability)" : "\(channel) \(old.quantity) → \(new.quantity)")
            }
            if !changes.isEmpty { print("  \(sku): " + changes.joined(separator: "; ")) }
        }
        let reaudit = try orExitFeeds { try Auditor(store: store, config: config, channels: definitions).run(outDir: out) }
        print("Audit after orders: \(reaudit.rows) rows read back, \(reaudit.findings.count) mismatches")
        print("Try (one command a line):")
        for command in ["products list", "stock show DRS-MAX-TER-2X", "orders list", "audit --out \(Demo.shellQuoted(out))"] {
            print("  \(global) \(command)")
        }
        #if Server
            print("Serve these feeds and the stock API (README, \"Running the server\"):")
            print("  \(global) tokens create ops --scope admin      # prints the token once")
            print("  \(global) serve --listen 127.0.0.1:8080 --out \(Demo.shellQuoted(out))")
            print("  curl -u x:TOKEN http://127.0.0.1:8080/v1/availability/DRS-MAX-TER-2X")
        #endif
        if !reaudit.findings.isEmpty || again.contains(where: \.heldBack) { throw ExitCode.failure }
    }

    /// Refuses an `--out` that holds anything but an earlier demo's output, unless `--force`: the demo
    /// replaces `unifeed.sqlite` and the channels' folders in it.
    private func checkOutFolder() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            printError("\(out): error: --out must be a folder for the demo's database and feeds (found: a file)")
            throw ExitCode.failure
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        guard !entries.isEmpty, !entries.contains(Demo.marker), !force else { return }
        let shown = entries.sorted().prefix(5).joined(separator: ", ") + (entries.count > 5 ? ", …" : "")
        printError(
            "\(out): error: the folder holds files that are not an earlier demo's output (found: \(shown)); the demo would replace its unifeed.sqlite and feeds. Use a new or empty folder (the default is ./demo), or --force to use this one anyway"
        )
        throw ExitCode.failure
    }

    /// How to run this binary again from a shell: its path when it was run by path (`swift run` runs
    /// `.build/debug/unifeed`), else its name (on the PATH).
    static func invokedAs() -> String {
        let argument0 = CommandLine.arguments.first ?? "unifeed"
        guard argument0.contains("/") else { return argument0 }
        return shellQuoted(URL(fileURLWithPath: argument0).standardizedFileURL.path)
    }

    /// `text` as one shell word: unchanged when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ text: String) -> String {
        let safe = text.utf8.allSatisfy { b in
            (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || "/._-+=:,@".utf8.contains(b)
        }
        return safe && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private func locateSamples() throws -> String {
        let candidates = [
            samples, "samples",
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("samples").path,
        ].compactMap { $0 }
        for dir in candidates where FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("catalog.csv")) {
            return dir
        }
        printError("error: samples folder not found (looked in \(candidates.joined(separator: ", "))); pass --samples DIR")
        throw ExitCode.failure
    }
}
