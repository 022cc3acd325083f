import ArgumentParser
import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

struct Stock: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stock per location and the ledger behind it.", subcommands: [Show.self, List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "On hand per SKU and location (every SKU with a stock record).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this location (online or a store code).") var location: String?
        @Option(help: "Only figures below N (oversold: --below 0).") var below: Int?
        @Flag(help: "A JSON array of {sku, location, on_hand}.") var json = false

        func run() throws {
            let store = try global.openStore(readOnly: true)
            let out = StandardOutput()
            var first = true
            if json { out.write("[") }
            try store.reading { snapshot in
                try snapshot.forEachStockLevel(location: location, below: below) { sku, location, onHand in
                    if json {
                        let object: JSONValue = .object([("sku", .string(sku)), ("location", .string(location)), ("on_hand", .int(onHand))])
                        out.write((first ? "\n" : ",\n") + object.serialized())
                    } else {
                        if first { out.write("sku\tlocation\ton_hand\n") }
                        out.write("\(sku)\t\(location)\t\(onHand)\n")
                    }
                    first = false
                }
            }
            if json { out.write(first ? "]\n" : "\n]\n") }
            out.flush()
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "On hand per location and every movement that explains it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The SKU.") var sku: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try global.openStore(readOnly: true)
            guard let report = try store.reading({ try $0.stock(sku: sku) }) else {
                printError("error: unknown SKU (found: \(InputError.displayValue(sku)))")
                throw ExitCode.failure
            }
            if json {
                print(report.json.serialized(pretty: true))
                return
            }
            print("\(report.sku): \(report.total) on hand")
            for (location, quantity) in report.onHand { print("  \(location)\t\(quantity)") }
            print("movements:")
            for m in report.movements {
                print("  #\(m.id)\t\(m.at)\t\(m.location)\t\(m.delta > 0 ? "+" : "")\(m.delta)\t\(m.kind)\t\(m.ref)")
            }
        }
    }
}
