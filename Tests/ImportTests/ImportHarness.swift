import Catalog
import Config
import Formats
import Foundation
import GRDB
import Import
import StorePort
import UnifeedTestSupport

@testable import Store

/// A fresh database in a temporary folder, the samples' config, and helpers to import text or files.
final class ImportHarness {
    let directory: URL
    let store: SQLiteStore
    var config: UnifeedConfig
    private(set) var messages: [String] = []

    init(config: UnifeedConfig? = nil) throws {
        directory = try TestPaths.temporaryDirectory()
        store = try SQLiteStore(path: directory.appendingPathComponent("unifeed.sqlite").path)
        self.config = try config ?? ConfigLoader.load(path: TestPaths.root.appendingPathComponent("samples/unifeed.toml").path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Writes `text` to `name` in the temporary folder and returns its path.
    func write(_ text: String, to name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func write(bytes: [UInt8], to name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Imports the file at `path` (shown as `name` in messages); problems are collected in `messages`.
    @discardableResult
    func importFile(
        _ path: String, as name: String? = nil, kind: ImportKind = .catalog(nil),
        options: ImportOptions = ImportOptions()
    ) throws -> ImportSummary {
        messages = []
        return try Importer(store: store, config: config).run(
            path: path, displayName: name ?? (path as NSString).lastPathComponent,
            kind: kind, options: options
        ) { self.messages.append($0.description) }
    }

    @discardableResult
    func importText(
        _ text: String, name: String = "catalog.csv", kind: ImportKind = .catalog(nil),
        options: ImportOptions = ImportOptions()
    ) throws -> ImportSummary {
        try importFile(try write(text, to: name), as: name, kind: kind, options: options)
    }

    /// Imports one of the repository's samples.
    @discardableResult
    func importSample(_ file: String, kind: ImportKind = .catalog(nil), options: ImportOptions = ImportOptions()) throws -> ImportSummary {
        try importFile(TestPaths.root.appendingPathComponent("samples/\(file)").path, as: "samples/\(file)", kind: kind, options: options)
    }

    func variant(_ sku: String) throws -> VariantView? { try store.read { try CatalogQueries.variant($0, sku: sku) } }
    func stock(_ sku: String) throws -> StockReport? { try store.read { try CatalogQueries.stock($0, sku: sku) } }
    func counts() throws -> (products: Int, variants: Int, stores: Int, movements: Int) { try store.read { try CatalogQueries.counts($0) } }

    /// Everything the store holds, as text: to show that a failed import changed nothing.
    func snapshot() throws -> String {
        try store.read { db in
            var out = ""
            for table in [
                "products", "variants", "prices", "identifiers", "product_images", "variant_images", "channel_overrides",
                "custom_attributes", "locations", "stock_movements", "stock_levels", "promotions",
            ] {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2") { out += "\(table) \(row)\n" }
            }
            return out
        }
    }
}

/// Native catalog text from rows given as column → value (other columns empty).
func nativeCSV(_ rows: [[String: String]], columns: [String] = NativeMapper.columns) -> String {
    var out = columns.joined(separator: ",") + "\n"
    for row in rows {
        out +=
            columns.map { name -> String in
                let value = row[name] ?? ""
                return value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
            }.joined(separator: ",") + "\n"
    }
    return out
}

/// A valid row for product `p`, SKU `sku`, overridable field by field.
func goodRow(_ sku: String, product: String = "P1", _ extra: [String: String] = [:]) -> [String: String] {
    var row = [
        "product_id": product, "sku": sku, "title": "Tee", "price": "25.00", "currency": "USD",
        "image_link": "https://cdn.shop.example/\(sku).jpg", "quantity": "5", "brand": "Northwind",
    ]
    for (k, v) in extra { row[k] = v }
    return row
}
