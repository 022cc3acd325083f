import CLibXML2
import Catalog
import Config
import Feeds
import Formats
import Foundation
import Import
import StorePort
import StoreTestSupport
import UnifeedTestSupport

/// A fresh store with the samples imported (or not), the samples' config, and publishing helpers.
final class FeedHarness {
    let directory: URL
    let database: TestDatabase
    var store: any CatalogStore { database.store }
    var config: UnifeedConfig
    var channels: [ChannelDefinition]
    static let now = "2026-11-25T12:00:00"

    init(_ kind: StoreKind, samples: Bool = true, config: UnifeedConfig? = nil) throws {
        directory = try TestPaths.temporaryDirectory()
        database = try TestDatabase(kind, in: directory)
        self.config = try config ?? ConfigLoader.load(path: TestPaths.root.appendingPathComponent("samples/unifeed.toml").path)
        channels = try ChannelCatalog.load(templatesDir: nil)
        if samples {
            for (file, kind) in [("catalog.csv", ImportKind.catalog(nil)), ("stores.csv", .stores), ("inventory.csv", .inventory)] {
                _ = try importFile(TestPaths.root.appendingPathComponent("samples/\(file)").path, kind: kind)
            }
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var out: String { directory.appendingPathComponent("feeds").path }

    @discardableResult
    func importFile(_ path: String, kind: ImportKind = .catalog(nil)) throws -> ImportSummary {
        try Importer(store: store, config: config).run(path: path, kind: kind, options: ImportOptions()) { _ in }
    }

    @discardableResult
    func importText(_ text: String, kind: ImportKind = .catalog(nil)) throws -> ImportSummary {
        let path = directory.appendingPathComponent("in-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try importFile(path, kind: kind)
    }

    /// Publishes at `now` (the samples' fixed moment by default); returns reports and every finding.
    @discardableResult
    func publish(now: String = FeedHarness.now, channels names: [String] = [], force: Bool = false, dryRun: Bool = false)
        throws -> (reports: [ChannelReport], diagnostics: [Diagnostic])
    {
        var options = PublishOptions(outDir: out, now: try Timestamp.parse(now, timeZone: config.shop.timeZone))
        options.force = force
        options.channels = names
        options.dryRun = dryRun
        var diagnostics: [Diagnostic] = []
        let reports = try Publisher(store: store, config: config, channels: channels).run(options) { diagnostics.append($0) }
        return (reports, diagnostics)
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOfFile: (out as NSString).appendingPathComponent(relative), encoding: .utf8)
    }
}

/// Parses an XML file with libxml2 (no network, no entities); `nil` when it is well-formed, else the error.
func xmlProblem(_ path: String) -> String? {
    guard let doc = xmlReadFile(path, nil, Int32(XML_PARSE_NONET.rawValue)) else {
        return xmlGetLastError().map { String(cString: $0.pointee.message) } ?? "not well-formed"
    }
    xmlFreeDoc(doc)
    return nil
}

/// The `g:` elements of each `<item>` of a Google RSS file, read with libxml2's DOM: [[name: [values]]].
func rssItems(_ path: String) throws -> [[String: [String]]] {
    guard let doc = xmlReadFile(path, nil, Int32(XML_PARSE_NONET.rawValue)) else { throw FeedError("\(path): not well-formed") }
    defer { xmlFreeDoc(doc) }
    var items: [[String: [String]]] = []
    func children(_ node: xmlNodePtr?) -> [xmlNodePtr] {
        var out: [xmlNodePtr] = []
        var child = node?.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE { out.append(c) }
            child = c.pointee.next
        }
        return out
    }
    func name(_ n: xmlNodePtr) -> String { String(cString: n.pointee.name) }
    func text(_ n: xmlNodePtr) -> String {
        guard let content = xmlNodeGetContent(n) else { return "" }
        defer { free(content) }  // libxml2's default allocator is malloc
        return String(cString: content)
    }
    let root = xmlDocGetRootElement(doc)
    for channel in children(root) where name(channel) == "channel" {
        for item in children(channel) where name(item) == "item" {
            var fields: [String: [String]] = [:]
            for element in children(item) {
                let value =
                    children(element).isEmpty
                    ? text(element)
                    : children(element).map { "\(name($0))=\(text($0))" }.joined(separator: ";")
                fields[name(element), default: []].append(value)
            }
            items.append(fields)
        }
    }
    return items
}
