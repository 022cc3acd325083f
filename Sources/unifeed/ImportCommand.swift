public import ArgumentParser
import Catalog
import Config
import Formats
import Foundation
import Import
import StorePort

extension CatalogFormat: ExpressibleByArgument {}
extension TextEncoding: ExpressibleByArgument {}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a catalog (CSV or a Google feed), stores, inventory or promotions.",
        subcommands: [Catalog.self, Stores.self, Inventory.self, Promotions.self])

    /// Options every import shares.
    struct Common: ParsableArguments {
        @Option(help: "Text encoding of the file: utf-8 or windows-1252 (transcoded).")
        var encoding: TextEncoding = .utf8
        @Flag(help: "Any rejected row fails the whole import; nothing is written.")
        var strict = false
        @Flag(help: "Check everything, write nothing.")
        var dryRun = false
        @Option(help: "Write rejected rows (original header and values plus an error column) to this CSV.")
        var rejects: String?
        @Flag(help: "Print the summary as JSON on stdout.")
        var json = false

        var options: ImportOptions {
            var o = ImportOptions()
            o.encoding = encoding
            o.strict = strict
            o.dryRun = dryRun
            o.rejectsPath = rejects
            o.progress = !json
            return o
        }
    }

    struct Catalog: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a product catalog: unifeed, Shopify, WooCommerce or Akeneo CSV, or a Google Shopping feed (XML or TSV).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file or Google feed.") var file: String
        @Option(help: "auto, unifeed, shopify, woocommerce, akeneo or google.") var format: String = "auto"
        @OptionGroup var common: Common

        func validate() throws {
            guard format == "auto" || CatalogFormat(rawValue: format) != nil else {
                throw ValidationError("--format must be auto, unifeed, shopify, woocommerce, akeneo or google")
            }
        }

        func run() throws {
            try runImport(global: global, file: file, kind: .catalog(CatalogFormat(rawValue: format)), common: common)
        }
    }

    struct Stores: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import stores: store_code,name,address,city,postal_code,country,pickup_method,pickup_sla.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file.") var file: String
        @OptionGroup var common: Common
        func run() throws { try runImport(global: global, file: file, kind: .stores, common: common) }
    }

    struct Inventory: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import stock counts: sku,location,quantity (location = a store_code or online).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file.") var file: String
        @OptionGroup var common: Common
        func run() throws { try runImport(global: global, file: file, kind: .inventory, common: common) }
    }

    struct Promotions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Import promotions: promotion_id,title,discount_type,value,coupon_code,applies_to,targets,start,end,redemption,price_effect,minimum_purchase[,status].")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file.") var file: String
        @OptionGroup var common: Common
        func run() throws { try runImport(global: global, file: file, kind: .promotions, common: common) }
    }
}

/// Runs one import, prints problems to stderr and the summary to stdout, and exits as DESIGN.md §3 says.
func runImport(global: GlobalOptions, file: String, kind: ImportKind, common: Import.Common) throws {
    let config = try global.loadConfig()
    let store = try global.openStore(create: true)
    let summary = try orExit {
        try Importer(store: store, config: config).run(path: file, displayName: file, kind: kind, options: common.options) {
            printError($0.description)
        }
    }
    if common.json {
        print(summary.json.serialized())
    } else {
        print(summary.line)
    }
    if summary.committed { try orExit { try OrderSettlement.run(store: store, config: config) } }
    if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
}

extension ImportSummary {
    /// `catalog.csv: 1204 rows, 1190 imported (12 new, 3 updated, 1175 unchanged), 14 rejected`
    var line: String {
        var s = "\(file): \(rows) rows, \(imported) imported (\(new) new, \(updated) updated, \(unchanged) unchanged), \(rejected) rejected"
        if duplicateSKUs > 0 { s += " (\(duplicateSKUs) of them duplicate SKUs)" }
        if skipped > 0 { s += ", \(skipped) skipped" }
        if dryRun { s += "; dry run, nothing written" } else if strictFailure { s += "; --strict: nothing written" }
        return s
    }

    /// DESIGN.md §3 exit status: 0 all done, 1 nothing written, 2 partly done.
    var exitCode: Int32 {
        if strictFailure { return 1 }
        if rejected > 0 { return imported > 0 ? 2 : 1 }
        return 0
    }

    var json: JSONValue {
        .object([
            ("file", .string(file)), ("format", .string(format)), ("rows", .int(rows)), ("imported", .int(imported)),
            ("new", .int(new)), ("updated", .int(updated)), ("unchanged", .int(unchanged)),
            ("rejected", .int(rejected)), ("duplicate_skus", .int(duplicateSKUs)), ("skipped", .int(skipped)), ("warnings", .int(warnings)),
            ("committed", .bool(committed)), ("dry_run", .bool(dryRun)), ("exit_code", .int(Int(exitCode))),
        ])
    }
}
