import Catalog
import Config
import Formats
import Foundation
import Import
import StorePort
import StoreTestSupport
import UnifeedTestSupport

@testable import Store

/// A fresh SQLite store with the samples imported, for tests of SQLite's own machinery (the port's
/// harness on SQLite, its store as the SQLite type).
final class StoreHarness {
    private let port: PortHarness
    let store: SQLiteStore
    var directory: URL { port.directory }
    var config: UnifeedConfig { port.config }

    init() throws {
        port = try PortHarness(.sqlite)
        store = port.store as! SQLiteStore
    }

    @discardableResult
    func importFile(_ path: String, kind: ImportKind = .catalog(nil)) throws -> ImportSummary { try port.importFile(path, kind: kind) }
}

/// A fresh store of either kind with the samples imported, for the port's own behaviour on both stores.
final class PortHarness {
    let directory: URL
    let database: TestDatabase
    var store: any CatalogStore { database.store }
    let config: UnifeedConfig

    init(_ kind: StoreKind) throws {
        directory = try TestPaths.temporaryDirectory()
        database = try TestDatabase(kind, in: directory)
        config = try ConfigLoader.load(path: TestPaths.root.appendingPathComponent("samples/unifeed.toml").path)
        for (file, kind) in [("catalog.csv", ImportKind.catalog(nil)), ("stores.csv", .stores), ("inventory.csv", .inventory)] {
            try importFile(TestPaths.root.appendingPathComponent("samples/\(file)").path, kind: kind)
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    @discardableResult
    func importFile(_ path: String, kind: ImportKind = .catalog(nil)) throws -> ImportSummary {
        try Importer(store: store, config: config).run(path: path, kind: kind, options: ImportOptions()) { _ in }
    }
}
