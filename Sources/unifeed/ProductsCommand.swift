public import ArgumentParser
import Catalog
import Config
import Formats
import Foundation
import Import
import Pipeline
import StorePort

extension VariantStatus: ExpressibleByArgument {}

struct Products: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List, show or export products.", subcommands: [List.self, Show.self, Export.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the canonical catalog as Unifeed's own CSV (import catalog reads it back to the same catalog).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The CSV file to write (replaced whole, only once complete).") var file: String

        func run() throws {
            let config = try global.loadConfig()
            let store = try global.openStore(readOnly: true)
            let count = try orExit {
                let writer = try CSVWriter(path: file, formulaGuard: true)
                defer { writer.discard() }
                let count = try store.reading { try NativeExport.write($0, to: writer, timeZone: config.shop.timeZone) }
                try writer.commit()
                return count
            }
            print("\(file): \(count) SKUs exported")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every SKU, sorted by SKU (filters narrow it).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "A JSON array, one object per SKU.") var json = false
        @Option(help: "Only this brand (as written).") var brand: String?
        @Option(help: "Only product types that start with this (\"Apparel > Tops\").") var productType: String?
        @Option(help: "Only active or archived SKUs.") var status: VariantStatus?
        @Option(help: "At most N SKUs.") var limit: Int?

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
        }

        /// Whether `v` passes the filters.
        func selects(_ v: VariantView) -> Bool {
            if let brand, v.brand != brand { return false }
            if let productType, !(v.productType ?? "").hasPrefix(productType) { return false }
            if let status, v.status != status { return false }
            return true
        }

        /// Ends the listing once `--limit` SKUs are out.
        struct Enough: Error {}

        func run() throws {
            let config = try global.loadConfig()
            let store = try global.openStore(readOnly: true)
            let out = StandardOutput()
            var first = true
            if json { out.write("[") }
            var listed = 0
            do {
                try store.reading { snapshot in
                    try snapshot.forEachVariant { v in
                        guard selects(v) else { return }
                        if let limit, listed == limit { throw Enough() }
                        listed += 1
                        if json {
                            out.write((first ? "\n" : ",\n") + v.json(timeZone: config.shop.timeZone).serialized())
                        } else {
                            if first { out.write("sku\tproduct_id\tstatus\tprice\tsale_price\tonline\ttitle\n") }
                            let sale = v.salePrice?.amountString ?? "-"
                            out.write("\(v.sku)\t\(v.productID)\t\(v.status.rawValue)\t\(v.price)\t\(sale)\t\(v.quantity.map(String.init) ?? "-")\t\(v.title ?? "")\n")
                        }
                        first = false
                    }
                }
            } catch is Enough {}
            if json { out.write(first ? "]\n" : "\n]\n") }
            out.flush()
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One SKU with its images, custom attributes and channel overrides.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The SKU.") var sku: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let config = try global.loadConfig()
            let store = try global.openStore(readOnly: true)
            guard let v = try store.reading({ try $0.variant(sku: sku) }) else {
                printError("error: unknown SKU (found: \(InputError.displayValue(sku)))")
                throw ExitCode.failure
            }
            let object = v.json(detail: true, timeZone: config.shop.timeZone)
            if json {
                print(object.serialized(pretty: true))
                return
            }
            guard case .object(let members) = object else { return }
            for (key, value) in members {
                let text: String
                switch value {
                case .null: continue
                case .string(let s): text = s
                default: text = value.serialized()
                }
                print("\(key): \(text)")
            }
        }
    }
}

/// Buffered stdout for long listings.
final class StandardOutput {
    private var buffer: [UInt8] = []
    func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count > 1 << 16 { flush() }
    }
    func flush() {
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
