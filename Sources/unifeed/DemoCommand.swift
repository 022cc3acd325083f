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

    func run() throws {
        let samplesDir = try locateSamples()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let dbPath = (out as NSString).appendingPathComponent("unifeed.sqlite")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + suffix) }
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
        print("  dry run of the broken catalog: \(brokenSummary.line) (\(brokenErrors) problems; run `unifeed import catalog samples/broken-catalog.csv --dry-run` to see them)")
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
        print("Validate: \(errors) errors, \(warnings) warnings (see `unifeed --db \(dbPath) validate`)")
        publishOptions.dryRun = false
        publishOptions.force = true  // a fresh demo database has no baseline to hold back against
        let reports = try orExitFeeds { try publisher.run(publishOptions) { _ in } }
        for r in reports {
            print("  publish \(r.channel): \(r.items) items → " + r.files.map { "\(out)/\($0.path)" }.joined(separator: ", "))
        }
        let audit = try orExitFeeds { try Auditor(store: store, config: config, channels: definitions).run(outDir: out) }
        print("Audit: \(audit.rows) rows read back, \(audit.findings.count) mismatches")
        if !audit.findings.isEmpty { throw ExitCode.failure }

        // Orders come back from the marketplaces and take stock once; the next publish shows the new truth.
        let at = try parseNow(now, config: config)
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
        print("Try: unifeed --db \(dbPath) products list | unifeed --db \(dbPath) stock show DRS-MAX-TER-2X | unifeed --db \(dbPath) orders list | unifeed --db \(dbPath) audit --out \(out)")
        if !reaudit.findings.isEmpty || again.contains(where: \.heldBack) { throw ExitCode.failure }
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
