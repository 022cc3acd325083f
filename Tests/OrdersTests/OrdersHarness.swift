import Catalog
import Config
import Formats
import Foundation
import GRDB
import Import
import Orders
import StorePort
import UnifeedTestSupport

@testable import Store

/// A fresh store with the samples imported, the samples' config, and order-import helpers.
final class OrdersHarness {
    let directory: URL
    let store: SQLiteStore
    var config: UnifeedConfig

    init(samples: Bool = true) throws {
        directory = try TestPaths.temporaryDirectory()
        store = try SQLiteStore(path: directory.appendingPathComponent("unifeed.sqlite").path)
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
        try store.read { try Int.fetchOne($0, sql: "SELECT on_hand FROM stock_levels WHERE sku = ? AND location = ?", arguments: [sku, location]) } ?? 0
    }

    /// Everything an order import can change: order lines and ledger movements, as text.
    func snapshot() throws -> String {
        try store.read { db in
            let lines = try String.fetchAll(db, sql: "SELECT channel || order_id || line_id || sku || quantity || status || desired || applied FROM order_lines ORDER BY 1")
            let moves = try String.fetchAll(db, sql: "SELECT sku || location || delta || kind || ref FROM stock_movements ORDER BY id")
            return (lines + ["--"] + moves).joined(separator: "\n")
        }
    }

    func lines() throws -> [RecordedOrderLine] { try store.read { try OrderBook.list($0) } }
}
