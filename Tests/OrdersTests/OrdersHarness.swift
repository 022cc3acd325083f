import Catalog
import Config
import Formats
import Foundation
import Import
import Orders
import StorePort
import StoreTestSupport
import UnifeedTestSupport

/// A fresh store with the samples imported, the samples' config, and order-import helpers.
final class OrdersHarness {
    let directory: URL
    let database: TestDatabase
    var store: any CatalogStore { database.store }
    var config: UnifeedConfig

    init(_ kind: StoreKind, samples: Bool = true) throws {
        directory = try TestPaths.temporaryDirectory()
        database = try TestDatabase(kind, in: directory)
        config = try ConfigLoader.load(path: TestPaths.root.appendingPathComponent("samples/unifeed.toml").path)
        if samples {
            for (file, kind) in [("catalog.csv", ImportKind.catalog(nil)), ("stores.csv", .stores), ("inventory.csv", .inventory)] {
                _ = try Importer(store: store, config: config).run(
                    path: TestPaths.root.appendingPathComponent("samples/\(file)").path, kind: kind,
                    options: ImportOptions()
                ) { _ in }
            }
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    static func sample(_ name: String) -> String { TestPaths.root.appendingPathComponent("samples/orders/\(name)").path }
    static func fixture(_ name: String) -> String { TestPaths.root.appendingPathComponent("Tests/OrdersTests/Fixtures/\(name)").path }

    @discardableResult
    func importOrders(_ path: String, channel: OrderChannel? = nil) throws -> OrderImportSummary {
        try OrderImporter.run(path: path, displayName: (path as NSString).lastPathComponent, channel: channel, encoding: .utf8, store: store, config: config)
    }

    /// Writes `text` to a file named `name` and imports it.
    @discardableResult
    func importOrders(text: String, name: String, channel: OrderChannel? = nil) throws -> OrderImportSummary {
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try importOrders(path, channel: channel)
    }

    func onHand(_ sku: String, at location: String = "online") throws -> Int {
        try store.reading { try $0.stock(sku: sku) }?.onHand.first { $0.location == location }?.quantity ?? 0
    }

    /// Everything an order import can change: order lines and ledger movements, as text.
    func snapshot() throws -> String {
        let lines = try database.rows("SELECT channel || order_id || line_id || sku || quantity || status || desired || applied FROM order_lines ORDER BY 1")
        let moves = try database.rows("SELECT sku || location || delta || kind || ref FROM stock_movements ORDER BY id")
        return (lines + ["--"] + moves).joined(separator: "\n")
    }

    func lines() throws -> [RecordedOrderLine] { try store.reading { try $0.orderLines() } }
}
