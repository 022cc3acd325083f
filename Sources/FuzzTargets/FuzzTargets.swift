import Catalog
import Config
import Feeds
import Formats
import Foundation
import Import
import Orders
import Pipeline
import StorePort

/// What the fuzzers exercise: every parser that reads bytes from outside. Each entry takes arbitrary
/// bytes and must return (throwing an error is fine: bad input is expected) without crashing, hanging or
/// growing memory beyond the documented limits. The same entries replay the corpus and the regression
/// inputs in `swift test` (`ReliabilityTests`), so a finding stays fixed.
public enum FuzzTargets {
    public static let names = [
        "csv", "native", "shopify", "woocommerce", "akeneo", "config", "amazon-orders", "ebay-orders", "walmart-orders", "json",
        "values", "xml-feed", "delimited-feed", "amazon-feed", "walmart-items-feed", "google-xml-catalog", "google-tsv-catalog",
    ]

    static let zone = TimeZone(identifier: "America/New_York")!

    /// Runs target `name` over `data`; `false` for an unknown name.
    @discardableResult
    public static func run(_ name: String, _ data: [UInt8]) -> Bool {
        switch name {
        case "csv": csv(data)
        case "native", "shopify", "woocommerce", "akeneo": catalog(data, format: CatalogFormat(rawValue: name == "native" ? "unifeed" : name)!)
        case "config": _ = try? ConfigLoader.parse(String(decoding: data, as: UTF8.self), file: "fuzz.toml")
        case "amazon-orders":
            orders { try AmazonOrderReport(source: MemoryByteSource(data, chunkSize: 4096), file: "fuzz.tsv", encoding: .utf8, timeZone: zone) }
        case "ebay-orders":
            orders { try EbayOrderReport(source: MemoryByteSource(data, chunkSize: 4096), file: "fuzz.csv", encoding: .utf8, timeZone: zone) }
        case "walmart-orders": orders { try WalmartOrderReport(bytes: data, file: "fuzz.json") }
        case "json": _ = try? JSONReader.parse(data, file: "fuzz.json")
        case "values": values(data)
        case "google-tsv-catalog": catalog(data, format: .google)
        case "google-xml-catalog": googleXML(data)
        case "xml-feed": feed(data, .googleRSS)
        case "delimited-feed": feed(data, .tsv)
        case "amazon-feed": feed(data, .amazonListings)
        case "walmart-items-feed": feed(data, .walmartItems)
        default: return false
        }
        return true
    }

    static func csv(_ data: [UInt8]) {
        guard let reader = try? CSVReader(source: MemoryByteSource(data, chunkSize: 4096), file: "fuzz.csv") else { return }
        while (try? reader.next()) == true {}
    }

    /// A catalog format's mapper over every row, as the importer drives it (no database).
    static func catalog(_ data: [UInt8], format: CatalogFormat) {
        do {
            let reader = try CSVReader(source: MemoryByteSource(data, chunkSize: 4096), file: "fuzz.csv")
            guard try reader.next() else { return }
            let header = Header(reader.fields, file: "fuzz.csv")
            var mapper: any RowMapper
            switch format {
            case .unifeed: mapper = try NativeMapper(header: header, config: UnifeedConfig())
            case .shopify: mapper = try ShopifyMapper(header: header, config: UnifeedConfig())
            case .woocommerce: mapper = try WooCommerceMapper(header: header, config: UnifeedConfig(), scratch: MemoryScratch())
            case .akeneo: mapper = try AkeneoMapper(header: header, config: UnifeedConfig())
            case .google: mapper = try GoogleTSVMapper(header: header, config: UnifeedConfig())
            }
            while try reader.next() { _ = mapper.consume(SourceRow(line: reader.line, fields: reader.fields)) }
            _ = mapper.finish()
        } catch {}
    }

    static func orders(_ open: () throws -> any OrderReportReader) {
        do {
            var report = try open()
            var problems: [InputError] = []
            while try report.next(problems: &problems) != nil {}
        } catch {}
    }

    /// GTIN, money, dates, weights, URLs and quantities on each line of the input.
    static func values(_ data: [UInt8]) {
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).prefix(64) {
            let text = String(line)
            _ = try? GTIN(parsing: text)
            _ = try? Money.parse(text, currency: Currency(code: "USD")!)
            _ = try? Money.parse(text, currency: Currency(code: "KWD")!)
            _ = try? Currency.parse(text)
            _ = try? Timestamp.parse(text, timeZone: zone)
            _ = try? Timestamp.parse(text, timeZone: zone, endOfDay: true)
            _ = try? EbayOrderReportDates.parse(text, zone)
            _ = try? Weight.parse(text)
            _ = try? WebURL.validate(text)
            _ = try? Quantity.parse(text)
        }
    }

    /// A Google XML feed read and mapped as `import catalog` does (from a temporary file: libxml2 reads
    /// from paths).
    static func googleXML(_ data: [UInt8]) {
        let path = NSTemporaryDirectory() + "unifeed-fuzz-\(getpid()).xml"
        guard FileManager.default.createFile(atPath: path, contents: Data(data)) else { return }
        defer { unlink(path) }
        try? GoogleXMLFeed.forEachRecord(path: path, config: UnifeedConfig()) { _ in }
    }

    /// Audit's readers over a published file (written to a temporary file: libxml2 reads from paths).
    static func feed(_ data: [UInt8], _ format: ChannelDefinition.Format) {
        let path = NSTemporaryDirectory() + "unifeed-fuzz-\(getpid()).feed"
        guard FileManager.default.createFile(atPath: path, contents: Data(data)) else { return }
        defer { unlink(path) }
        _ = try? PublishedFeedReader.countRows(path: path, format: format)
    }
}

/// WooCommerce's parent lookups in memory (the importer keeps them in a temporary table).
final class MemoryScratch: ImportScratch {
    var values: [String: String] = [:]
    func remember(_ key: String, _ value: String) throws { values[key] = value }
    func recall(_ key: String) throws -> String? { values[key] }
    func forget(_ key: String) throws { values[key] = nil }
    func forEach(withPrefix prefix: String, _ body: (String, String) throws -> Void) throws {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) where key.hasPrefix(prefix) { try body(key, value) }
    }
}
