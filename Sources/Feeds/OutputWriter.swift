import Catalog
import Foundation
import Store

/// Writes one output of a channel. It gets one product's accepted items at a time (a whole item group,
/// so marketplace writers can put a variation parent before its children) and writes into temporary
/// files; `commit` puts them in place.
protocol OutputWriter: AnyObject {
    /// Writes one product's items (already judged by diagnostics and the channel's selection).
    func write(_ items: [FeedItem], stores: [StoreLocation]) throws
    /// Closes documents and syncs the temporary files.
    func finish() throws
    /// Renames every file into place (and removes numbered files a previous, longer publish left).
    func commit() throws -> [FeedFile]
    /// Drops the temporary files; the previous feed stays.
    func discard()
}

extension OutputWriter {
    /// Rows this output counts for the gate and the report: one per item, or per store × item.
    static func rowCount(_ items: [FeedItem], stores: [StoreLocation], scope: ChannelDefinition.Scope) -> Int {
        scope == .stores ? items.count * stores.count : items.count
    }
}

/// The files of one output: one file, or numbered files of at most `maxItems` items each
/// (`listings-0001.json`), opened only when something is written to them.
final class FeedFileSet {
    let dir: String
    let output: ChannelDefinition.Output
    private(set) var files: [FeedFile] = []
    private var itemsInCurrent = 0
    /// Writes a file's opening (header, `[`) and closing.
    private let opening: (FeedFile) throws -> Void
    private let closing: (FeedFile) throws -> Void

    init(dir: String, output: ChannelDefinition.Output, opening: @escaping (FeedFile) throws -> Void = { _ in },
         closing: @escaping (FeedFile) throws -> Void = { _ in }) {
        self.dir = dir
        self.output = output
        self.opening = opening
        self.closing = closing
    }

    /// The file to write `count` more items to: a new one when the current one would go over `maxItems`
    /// (a group is never split across files).
    func file(adding count: Int) throws -> FeedFile {
        if files.isEmpty || (output.maxItems.map { itemsInCurrent > 0 && itemsInCurrent + count > $0 } ?? false) {
            if let last = files.last { try closing(last) }
            let file = try FeedFile(path: (dir as NSString).appendingPathComponent(output.fileName(files.count + 1)))
            files.append(file)
            itemsInCurrent = 0
            try opening(file)
        }
        itemsInCurrent += count
        return files.last!
    }

    var current: FeedFile? { files.last }

    func finish() throws {
        if let last = files.last { try closing(last) }
        for file in files { try file.finish() }
    }

    func commit() throws -> [FeedFile] {
        for file in files { try file.commit() }
        if output.maxItems != nil {
            var n = files.count + 1
            while unlink((dir as NSString).appendingPathComponent(output.fileName(n))) == 0 { n += 1 }
        }
        return files
    }

    func discard() { for file in files { file.discard() } }
}

/// A declared output (`google-rss`, `tsv`, `csv`): the template's columns, one row per item (or per
/// store × item for a store-scoped channel).
final class TemplateOutputWriter: OutputWriter {
    let output: ChannelDefinition.Output
    let scope: ChannelDefinition.Scope
    let settings: ChannelSettings
    let file: FeedFile
    private var rss: GoogleRSSWriter?
    private var text: DelimitedWriter?

    init(output: ChannelDefinition.Output, scope: ChannelDefinition.Scope, dir: String, settings: ChannelSettings, shop: ShopConfig) throws {
        self.output = output
        self.scope = scope
        self.settings = settings
        file = try FeedFile(path: (dir as NSString).appendingPathComponent(output.file))
        if output.format == .googleRSS {
            rss = try GoogleRSSWriter(file: file, shop: shop)
        } else {
            text = DelimitedWriter(file: file, format: output.format)
            try text!.writeRow(output.columns.map(header))
        }
    }

    private func header(for column: ChannelDefinition.Column) -> String {
        if column.field == "shipping" && column.header == "shipping" { return "shipping(country:region:service:price:min_transit_time:max_transit_time)" }
        if column.field == "tax" && column.header == "tax" { return "tax(country:region:rate:tax_ship)" }
        return settings.headerSpaces ? column.header.replacingOccurrences(of: "_", with: " ") : column.header
    }

    func write(_ items: [FeedItem], stores: [StoreLocation]) throws {
        for item in items {
            switch scope {
            case .items: try write(item)
            case .stores: for store in stores { try write(LocalRow(item: item, store: store, settings: settings)) }
            }
        }
    }

    private func write(_ row: some FeedRow) throws {
        if let rss, let item = row as? FeedItem {
            try rss.write(item, columns: output.columns, settings: settings)
        } else if let text {
            try text.writeRow(output.columns.map { column in
                switch column.id {
                case .shipping: return settings.shipping.map(FeedText.shipping).joined(separator: ",")
                case .tax: return settings.tax.map(FeedText.tax).joined(separator: ",")
                default:
                    var values = row.values(column.id)
                    if column.id == .additionalImageLink { values = Array(values.prefix(10)) }
                    return values.map { column.values[$0] ?? $0 }.joined(separator: ",")
                }
            })
        }
    }

    func finish() throws {
        try rss?.close()
        try file.finish()
    }

    func commit() throws -> [FeedFile] {
        try file.commit()
        return [file]
    }

    func discard() { file.discard() }
}

/// A row a writer can ask for field values.
protocol FeedRow {
    func values(_ field: FeedField) -> [String]
}
extension FeedItem: FeedRow {}

/// One store × SKU row of local inventory.
struct LocalRow: FeedRow {
    let item: FeedItem
    let store: StoreLocation
    let settings: ChannelSettings

    var quantity: Int { settings.available(onHand: item.status == "archived" ? 0 : item.stock.first { $0.location == store.code }?.quantity ?? 0) }

    /// `in_stock` at 3 or more, `limited_availability` at 1–2, `out_of_stock` at 0.
    var availability: String { quantity >= 3 ? "in_stock" : quantity > 0 ? "limited_availability" : "out_of_stock" }

    func values(_ field: FeedField) -> [String] {
        switch field {
        case .storeCode: return [store.code]
        case .quantity: return [String(quantity)]
        case .availability: return [availability]
        case .pickupMethod: return [store.pickupMethod.rawValue.replacingOccurrences(of: "_", with: " ")]
        case .pickupSLA: return [store.pickupSLA.rawValue.replacingOccurrences(of: "_", with: " ")]
        default: return item.values(field)
        }
    }
}

extension FeedText {
    /// `US:CA:Standard:4.95 USD:2:5`, the positional form of the header `shipping(country:region:service:price:min_transit_time:max_transit_time)`.
    static func shipping(_ r: ShippingRate) -> String {
        [r.country, r.region ?? "", r.service ?? "", r.price.description, r.minTransitDays.map(String.init) ?? "",
         r.maxTransitDays.map(String.init) ?? ""].joined(separator: ":")
    }

    static func tax(_ t: TaxRule) -> String { [t.country, t.region ?? "", t.rate, t.taxShip ? "yes" : "no"].joined(separator: ":") }
}
