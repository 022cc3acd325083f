import ArgumentParser
import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

struct Stock: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stock per location and the ledger behind it.", subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "On hand per location and every movement that explains it.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The SKU.") var sku: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try global.openStore()
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
