import Catalog
import Config
import Formats
import Foundation
import Import
import StorePort
import StoreTestSupport
import UnifeedTestSupport

/// A fresh database in a temporary folder, the samples' config, and helpers to import text or files.
final class ImportHarness {
    let directory: URL
    let database: TestDatabase
    var store: any CatalogStore { database.store }
    var config: UnifeedConfig
    private(set) var messages: [String] = []

    init(_ kind: StoreKind, config: UnifeedConfig? = nil) throws {
        directory = try TestPaths.temporaryDirectory()
        database = try TestDatabase(kind, in: directory)
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

    func variant(_ sku: String) throws -> VariantView? { try store.reading { try $0.variant(sku: sku) } }
    func stock(_ sku: String) throws -> StockReport? { try store.reading { try $0.stock(sku: sku) } }
    func counts() throws -> (products: Int, variants: Int, stores: Int, movements: Int) { try store.reading { try $0.counts() } }

    /// Everything the store holds, as text: to show that a failed import changed nothing.
    func snapshot() throws -> String {
        // The tables of both stores (a variant's prices, identifiers, images and custom attributes are
        // columns of its row; SQLite's views of the older tables show the same).
        try database.snapshot(["products", "variants", "channel_overrides", "locations", "stock_movements", "stock_levels", "promotions"])
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
