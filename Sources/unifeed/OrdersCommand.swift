import ArgumentParser
import Catalog
import Config
import Formats
import Foundation
import Import
import Orders
import StorePort

struct Orders: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import marketplace order reports; list order lines.", subcommands: [ImportReport.self, List.self])

    struct ImportReport: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import an Amazon flat-file order report, an eBay orders CSV or Walmart /v3/orders JSON; stock moves once per line.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The order report.") var file: String
        @Option(help: "auto, amazon, ebay or walmart.") var channel: String = "auto"
        @Option(help: "Text encoding of a CSV/TSV report: utf-8 or windows-1252 (older Amazon flat files).") var encoding: TextEncoding = .utf8
        @Flag(help: "Print the summary as JSON on stdout.") var json = false

        func validate() throws {
            guard channel == "auto" || OrderChannel(rawValue: channel) != nil else {
                throw ValidationError("--channel must be auto, amazon, ebay or walmart")
            }
        }

        func run() throws {
            let config = try global.loadConfig()
            let store = try global.openStore(create: true)
            let summary: OrderImportSummary
            do {
                summary = try orExit {
                    do {
                        return try OrderImporter.run(
                            path: file, displayName: file, channel: OrderChannel(rawValue: channel), encoding: encoding,
                            store: store, config: config)
                    } catch let error as InputError {
                        throw OrderReportRejected(problems: [error])
                    }
                }
            } catch let rejected as OrderReportRejected {
                // A malformed report writes nothing (one transaction, rolled back); every problem is listed.
                for problem in rejected.problems { printError(problem.description) }
                printError("\(file): error: nothing was imported")
                throw ExitCode.failure
            }
            for (sku, line) in summary.unmatched {
                printError(
                    InputError(
                        "unknown SKU: the line is kept unmatched and takes stock once the SKU is imported",
                        at: InputLocation(file: file, line: line), column: "sku", found: sku, severity: .warning
                    ).description)
            }
            for o in summary.oversold {
                printError("\(file): warning: \(o.sku) is oversold at \(o.location): on hand \(o.onHand); feeds show 0")
            }
            if json {
                print(summary.json.serialized())
            } else {
                print(summary.line)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every recorded order line, by channel, order and line.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try global.openStore(readOnly: true)
            let lines = try store.reading { try $0.orderLines() }
            if json {
                print(JSONValue.array(lines.map(\.json)).serialized(pretty: true))
                return
            }
            print(["channel", "order_id", "line_id", "sku", "quantity", "status", "held", "matched"].joined(separator: "\t"))
            for l in lines {
                print(
                    [
                        l.channel, l.orderID, l.lineID, l.sku, String(l.quantity), l.status + (l.marketplaceFulfilled ? " (marketplace)" : ""),
                        String(l.applied), l.matched ? "yes" : "no",
                    ].joined(separator: "\t"))
            }
        }
    }
}

extension OrderImportSummary {
    var line: String {
        var s = "\(file): \(lines) \(channel.rawValue) order lines: \(new) new, \(updated) updated, \(unchanged) unchanged, \(unmatched.count) unmatched; "
        s += "stock: \(unitsTaken) taken, \(unitsReturned) returned"
        if settledWaiting > 0 { s += "; \(settledWaiting) waiting lines settled" }
        if !oversold.isEmpty { s += "; \(oversold.count) oversold" }
        return s
    }
}

extension RecordedOrderLine {
    /// DESIGN.md §3's shape, plus what the line holds off stock and where from.
    var json: JSONValue {
        .object([
            ("channel", .string(channel)), ("order_id", .string(orderID)), ("line_id", .string(lineID)), ("sku", .string(sku)),
            ("quantity", .int(quantity)), ("status", .string(status)), ("matched", .bool(matched)),
            ("marketplace_fulfilled", .bool(marketplaceFulfilled)), ("units_held", .int(applied)), ("location", .string(location)),
        ])
    }
}
