import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

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

    init(
        dir: String, output: ChannelDefinition.Output, opening: @escaping (FeedFile) throws -> Void = { _ in },
        closing: @escaping (FeedFile) throws -> Void = { _ in }
    ) {
        self.dir = dir
        self.output = output
        self.opening = opening
        self.closing = closing
    }

    /// The file to write `count` more items to: a new one when the current one would go over `maxItems`
    /// (a group is never split across files).
    func file(adding count: Int) throws -> FeedFile {
        if files.isEmpty || (output.maxItems.map { itemsInCurrent > 0 && itemsInCurrent + count > $0 } ?? false) {
            if let last = files.last {
                // Done with it: closed, synced and its buffer freed now, not when the last file is.
                try closing(last)
                try last.finish()
            }
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
        if let last = files.last {
            try closing(last)
            try last.finish()
        }
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

/// A template column resolved for writing, once per publish: what the writers look at for every item.
/// A class, so that walking the columns of an item copies one reference, not every field of a column.
final class PlannedColumn {
    let id: FeedField
    /// `<g:HEADER>` and `</g:HEADER>`, for the RSS writer.
    let tag: ElementTag
    /// Value renames (`in_stock` → `in stock`); `nil` when there are none (no lookup per value).
    let renames: [String: String]?
    /// Where the column's values are in rendered cells (`ItemCells`), when its output writes from them.
    var cell = -1

    init(_ column: ChannelDefinition.Column) {
        id = column.id
        tag = ElementTag(column.elementName)
        renames = column.values.isEmpty ? nil : column.values
    }

    /// Calls `body` with a value as the column writes it (renamed, or lent as it is).
    @inline(__always)
    func withRenamed(_ value: String, _ body: (String) throws -> Void) rethrows {
        if let renames, let renamed = renames[value] { try body(renamed) } else { try body(value) }
    }
}

/// A declared output (`google-rss`, `tsv`, `csv`): the template's columns, one row per item (or per
/// store × item for a store-scoped channel).
final class TemplateOutputWriter: OutputWriter {
    let output: ChannelDefinition.Output
    let scope: ChannelDefinition.Scope
    let settings: ChannelSettings
    let file: FeedFile
    let plan: [PlannedColumn]
    private var rss: GoogleRSSWriter?
    private var text: DelimitedWriter?

    init(output: ChannelDefinition.Output, scope: ChannelDefinition.Scope, dir: String, settings: ChannelSettings, shop: ShopConfig) throws {
        self.output = output
        self.scope = scope
        self.settings = settings
        plan = output.columns.map(PlannedColumn.init)
        file = try FeedFile(path: (dir as NSString).appendingPathComponent(output.file))
        if output.format == .googleRSS {
            rss = try GoogleRSSWriter(file: file, shop: shop, settings: settings)
        } else {
            text = DelimitedWriter(file: file, format: output.format, settings: settings)
            try text!.writeRow(output.columns.map(header))
        }
    }

    private func header(for column: ChannelDefinition.Column) -> String {
        if column.field == "shipping" && column.header == "shipping" { return "shipping(country:region:service:price:min_transit_time:max_transit_time)" }
        if column.field == "tax" && column.header == "tax" { return "tax(country:region:rate:tax_ship)" }
        return settings.headerSpaces ? column.header.replacingOccurrences(of: "_", with: " ") : column.header
    }

    func write(_ items: [FeedItem], stores: [StoreLocation]) throws {
        // Through the buffer, not `for item in items`: a loop variable (or an array subscript handed on)
        // would copy every field of every item.
        try items.withUnsafeBufferPointer { items in
            for i in items.indices {
                switch scope {
                case .items:
                    if let rss {
                        try rss.write(items[i], columns: plan)
                    } else {
                        try text!.write(items[i], columns: plan)
                    }
                case .stores:
                    guard let text else { break }
                    try stores.withUnsafeBufferPointer { stores in
                        guard let first = stores.baseAddress else { return }
                        var row = LocalRow(item: items[i], store: first, settings: settings)
                        for s in stores.indices {
                            row.store = first + s
                            try text.write(row, columns: plan)
                        }
                    }
                case .promotions:
                    break  // a promotions channel is not fed the catalog
                }
            }
        }
    }

    /// The plan as `CellColumn`s, made at the first batch of rendered items.
    private var cellColumns: CellColumns?

    /// Writes a batch of rendered items (an item-scoped output whose columns have their cells).
    func write(_ cells: ItemCells) throws {
        if cellColumns == nil {
            cellColumns = CellColumns(plan) { [rss, text] field in rss?.constantMarkup(field) ?? text!.constantCell(field) }
        }
        let columns = cellColumns!
        try cells.withView { view in
            try columns.withColumns { columns in
                if let rss {
                    for i in 0..<cells.count { try rss.write(view, item: i, columns: columns) }
                } else if let text {
                    for i in 0..<cells.count { try text.write(view, item: i, columns: columns) }
                }
            }
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
    /// Every value of a field (`additional_image_link` has several).
    func values(_ field: FeedField) -> [String]
    /// The one value of a single-valued field (what writers ask for every column of every row).
    func value(_ field: FeedField) -> String?
    /// The item's additional images (the one repeated field).
    var additionalImageLinks: [String] { get }
    /// Calls `body` with the one value of a single-valued field, when there is one (lent, not copied).
    func withValue(_ field: FeedField, _ body: (String) throws -> Void) rethrows
}
extension FeedItem: FeedRow {}

/// One store × SKU row of local inventory. Local inventory writes a row per store for each of a
/// million items: the writer makes one row per item and moves it from store to store (`store` points
/// into the store list), and the channel's allocation is kept as plain numbers, so that neither the
/// item nor the settings are copied per row.
struct LocalRow: FeedRow {
    let item: FeedItem
    var store: UnsafePointer<StoreLocation>
    /// The channel's allocation (`ChannelSettings.available(onHand:)`), copied as plain numbers.
    let safetyStock: Int
    let share: Int
    let maxQuantity: Int?

    /// Valid while `store` is.
    init(item: FeedItem, store: UnsafePointer<StoreLocation>, settings: ChannelSettings) {
        self.item = item
        self.store = store
        safetyStock = settings.safetyStock
        share = settings.share
        maxQuantity = settings.maxQuantity
    }

    var quantity: Int {
        let onHand = item.status == .archived ? 0 : item.stock.first { $0.location == store.pointee.code }?.quantity ?? 0
        return ChannelSettings.available(onHand: onHand, safetyStock: safetyStock, share: share, maxQuantity: maxQuantity)
    }

    /// `in_stock` at 3 or more, `limited_availability` at 1–2, `out_of_stock` at 0.
    var availability: String { quantity >= 3 ? "in_stock" : quantity > 0 ? "limited_availability" : "out_of_stock" }

    var additionalImageLinks: [String] { item.additionalImageLinks }

    func values(_ field: FeedField) -> [String] {
        if field == .additionalImageLink || field == .promotionID { return item.values(field) }
        return value(field).map { [$0] } ?? []
    }

    func withValue(_ field: FeedField, _ body: (String) throws -> Void) rethrows {
        switch field {
        case .storeCode: try body(store.pointee.code)
        case .quantity: try body(String(quantity))
        case .availability: try body(availability)
        case .pickupMethod: try body(store.pointee.pickupMethod.feedText)
        case .pickupSLA: try body(store.pointee.pickupSLA.feedText)
        default: try item.withValue(field, body)
        }
    }

    func value(_ field: FeedField) -> String? {
        switch field {
        case .storeCode: return store.pointee.code
        case .quantity: return String(quantity)
        case .availability: return availability
        case .pickupMethod: return store.pointee.pickupMethod.feedText
        case .pickupSLA: return store.pointee.pickupSLA.feedText
        default: return item.value(field)
        }
    }
}

extension Vocabulary {
    /// Each value with spaces for underscores (`ship to store`, `same day`): Google's spelling in local
    /// inventory. Made once per vocabulary, as the texts go into every store row.
    fileprivate static func spacedTexts() -> [Self: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.rawValue.replacingOccurrences(of: "_", with: " ")) })
    }
}

extension PickupMethod {
    var feedText: String { PickupMethod.feedTexts[self]! }
    private static let feedTexts = spacedTexts()
}

extension PickupSLA {
    var feedText: String { PickupSLA.feedTexts[self]! }
    private static let feedTexts = spacedTexts()
}

extension FeedText {
    /// `US:CA:Standard:4.95 USD:2:5`, the positional form of the header `shipping(country:region:service:price:min_transit_time:max_transit_time)`.
    static func shipping(_ r: ShippingRate) -> String {
        [
            r.country, r.region ?? "", r.service ?? "", r.price.description, r.minTransitDays.map(String.init) ?? "",
            r.maxTransitDays.map(String.init) ?? "",
        ].joined(separator: ":")
    }

    static func tax(_ t: TaxRule) -> String { [t.country, t.region ?? "", t.rate, t.taxShip ? "yes" : "no"].joined(separator: ":") }
}
