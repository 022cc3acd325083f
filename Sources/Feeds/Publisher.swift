#if canImport(Glibc)
import Glibc
#endif
import Catalog
import Foundation
import GRDB
import Store

/// What `publish` and `validate` are asked to do.
public struct PublishOptions: Sendable {
    public var outDir: String
    public var now: Timestamp
    public var force = false
    /// Channel names to publish; empty means every enabled channel.
    public var channels: [String] = []
    /// `validate`: run everything, write nothing.
    public var dryRun = false

    public init(outDir: String, now: Timestamp) {
        self.outDir = outDir
        self.now = now
    }
}

/// The outcome for one channel (one entry of `publish-report.json`).
public struct ChannelReport: Sendable {
    public struct File: Sendable {
        public var path: String
        public var bytes: Int
        public var sha256: String
    }

    public var channel: String
    public var items = 0
    /// Items kept out by diagnostics errors, by rule: count and up to 3 example SKUs.
    public var excluded: [String: (count: Int, examples: [String])] = [:]
    /// Warnings by rule (the items were published).
    public var warnings: [String: (count: Int, examples: [String])] = [:]
    /// Items left out by the channel's own selection (archived, include/exclude rules).
    public var filtered = 0
    public var heldBack = false
    public var reason: String?
    public var previousItems: Int?
    public var files: [File] = []
    public var durationMilliseconds = 0
}

/// Publishes channel feeds from one read transaction of the catalog.
///
/// One cursor pass over the catalog (ordered by product, so diagnostics see whole item groups) fans
/// each product out to every channel's writers. Every file goes to a temporary name and is renamed
/// only when the channel passes the gate: a channel whose item count would fall to zero, or by more
/// than `[feeds] max_drop_percent` against its last publish into the same folder, is held back
/// unless `force`, and its previous files stay. A lock on the output folder makes overlapping runs
/// queue instead of interleaving.
public struct Publisher {
    let store: CatalogStore
    let config: UnifeedConfig
    let channels: [ChannelDefinition]

    public init(store: CatalogStore, config: UnifeedConfig, channels: [ChannelDefinition]) {
        self.store = store
        self.config = config
        self.channels = channels
    }

    /// The channels a run covers: the named ones (unknown names are an error), else every enabled one.
    public func selected(_ names: [String]) throws -> [ChannelDefinition] {
        if names.isEmpty {
            return channels.filter { config.settings(for: $0.name).enabled ?? $0.enabledByDefault }
        }
        return try names.map { name in
            guard let channel = channels.first(where: { $0.name == name }) else {
                throw FeedError("error: unknown channel (found: \(InputError.displayValue(name))); `unifeed channels list` shows them")
            }
            return channel
        }
    }

    /// Runs diagnostics and, unless `dryRun`, writes the feeds. `diagnostic` receives every finding.
    public func run(_ options: PublishOptions, diagnostic: (Diagnostic) -> Void) throws -> [ChannelReport] {
        let selected = try selected(options.channels)
        let outDir = URL(fileURLWithPath: options.outDir).standardizedFileURL.path
        var lock: Int32 = -1
        if !options.dryRun {
            do {
                try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            } catch {
                throw FeedError("\(outDir): error: cannot create the output folder: \(error.localizedDescription)")
            }
            lock = open((outDir as NSString).appendingPathComponent(".unifeed-publish.lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard lock >= 0 else { throw FeedError("\(outDir): error: cannot lock the output folder: \(String(cString: strerror(errno)))") }
            flock(lock, LOCK_EX)  // a second publish into the same folder waits here
        }
        defer { if lock >= 0 { close(lock) } }

        let started = Date()
        var runs: [ChannelRun] = []
        defer { for run in runs { run.discard() } }
        for channel in selected {
            let settings = config.settings(for: channel.name)
            runs.append(try ChannelRun(channel: channel, settings: settings, shop: config.shop, outDir: outDir, write: !options.dryRun))
        }
        try store.read { db in
            let stores = try CatalogQueries.stores(db)
            var group: [VariantView] = []
            func flushGroup() throws {
                guard !group.isEmpty else { return }
                for run in runs { try run.add(group, stores: stores, now: options.now, diagnostic: diagnostic) }
                group.removeAll(keepingCapacity: true)
            }
            try CatalogQueries.forEachFeedRow(db) { v in
                if let last = group.last, last.productID != v.productID { try flushGroup() }
                group.append(v)
            }
            try flushGroup()
        }
        var reports: [ChannelReport] = []
        for run in runs {
            if !options.dryRun { try run.finish() }
            var report = run.report
            report.durationMilliseconds = Int(Date().timeIntervalSince(started) * 1000)
            reports.append(report)
        }
        guard !options.dryRun else { return reports }

        // The gate, then the renames.
        let at = options.now.iso8601UTC
        try store.write { db in
            for (i, run) in runs.enumerated() {
                let previous = try PublishLog.lastPublished(db, channel: run.channel.name, outDir: outDir)
                reports[i].previousItems = previous
                let items = reports[i].items
                var reason: String?
                if items == 0 {
                    reason = "the feed would have no items"
                } else if let previous, previous > 0, items * 100 < previous * (100 - config.feeds.maxDropPercent) {
                    reason = "items would fall from \(previous) to \(items), more than \(config.feeds.maxDropPercent)%"
                }
                if let reason, !options.force {
                    reports[i].heldBack = true
                    reports[i].reason = reason + "; the previous feed stays (use --force to publish anyway)"
                    run.discard()
                } else {
                    try run.commit()
                    reports[i].files = run.files
                }
                try PublishLog.record(db, channel: run.channel.name, outDir: outDir, at: at, items: items, published: !reports[i].heldBack)
            }
            return ((), commit: true)
        }
        try writeReport(reports, outDir: outDir, now: options.now)
        return reports
    }

    private func writeReport(_ reports: [ChannelReport], outDir: String, now: Timestamp) throws {
        func rules(_ byRule: [String: (count: Int, examples: [String])]) -> JSONValue {
            .object(byRule.keys.sorted().map { rule in
                (rule, .object([("count", .int(byRule[rule]!.count)), ("examples", .array(byRule[rule]!.examples.map(JSONValue.string)))]))
            })
        }
        let json: JSONValue = .object([
            ("generated_at", .string(now.iso8601(in: config.shop.timeZone))),
            ("out_dir", .string(outDir)),
            ("channels", .array(reports.map { r in
                .object([
                    ("channel", .string(r.channel)), ("items", .int(r.items)), ("previous_items", r.previousItems.map(JSONValue.int) ?? .null),
                    ("held_back", .bool(r.heldBack)), ("reason", .optional(r.reason)), ("filtered", .int(r.filtered)),
                    ("excluded", rules(r.excluded)), ("warnings", rules(r.warnings)),
                    ("files", .array(r.files.map { f in
                        .object([("path", .string(f.path)), ("bytes", .int(f.bytes)), ("sha256", .string(f.sha256))])
                    })),
                    ("duration_ms", .int(r.durationMilliseconds)),
                ])
            })),
        ])
        let file = try FeedFile(path: (outDir as NSString).appendingPathComponent("publish-report.json"))
        try file.write(json.serialized(pretty: true) + "\n")
        try file.finish()
        try file.commit()
    }
}

/// One channel's part of a publish: its writers, counts and findings.
final class ChannelRun {
    let channel: ChannelDefinition
    let settings: ChannelSettings
    let shop: ShopConfig
    var report: ChannelReport
    private var outputs: [(ChannelDefinition.Output, FeedFile, GoogleRSSWriter?, DelimitedWriter?)] = []
    private(set) var files: [ChannelReport.File] = []

    init(channel: ChannelDefinition, settings: ChannelSettings, shop: ShopConfig, outDir: String, write: Bool) throws {
        self.channel = channel
        self.settings = settings
        self.shop = shop
        report = ChannelReport(channel: channel.name)
        guard write else { return }
        let dir = (outDir as NSString).appendingPathComponent(channel.name)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for output in channel.outputs {
            let file = try FeedFile(path: (dir as NSString).appendingPathComponent(output.file))
            switch output.format {
            case .googleRSS:
                outputs.append((output, file, try GoogleRSSWriter(file: file, shop: shop), nil))
            case .tsv, .csv:
                let writer = DelimitedWriter(file: file, format: output.format)
                try writer.writeRow(output.columns.map { header(for: $0) })
                outputs.append((output, file, nil, writer))
            }
        }
    }

    private func header(for column: ChannelDefinition.Column) -> String {
        if column.field == "shipping" && column.header == "shipping" { return "shipping(country:region:service:price:min_transit_time:max_transit_time)" }
        if column.field == "tax" && column.header == "tax" { return "tax(country:region:rate:tax_ship)" }
        return settings.headerSpaces ? column.header.replacingOccurrences(of: "_", with: " ") : column.header
    }

    /// Judges and writes one product's variants.
    func add(_ group: [VariantView], stores: [StoreLocation], now: Timestamp, diagnostic: (Diagnostic) -> Void) throws {
        var items: [FeedItem] = []
        for v in group {
            let item = FeedItem(v, channel: channel.name, settings: settings, shop: shop, now: now)
            if selects(item) { items.append(item) } else { report.filtered += 1 }
        }
        guard !items.isEmpty else { return }
        let findings = channel.ruleSet.check(items, channel: channel.name)
        for (item, found) in zip(items, findings) {
            var blocked = false
            for d in found where !(channel.scope == .stores && d.rule == "no_stock_record") {
                diagnostic(d)
                if d.severity == .error {
                    blocked = true
                    count(&report.excluded, d.rule, item.id)
                } else {
                    count(&report.warnings, d.rule, item.id)
                }
            }
            guard !blocked else { continue }
            switch channel.scope {
            case .items:
                report.items += 1
                try write(item)
            case .stores:
                for store in stores {
                    report.items += 1
                    try write(LocalRow(item: item, store: store, settings: settings))
                }
            }
        }
    }

    private func count(_ table: inout [String: (count: Int, examples: [String])], _ rule: String, _ sku: String) {
        var entry = table[rule] ?? (0, [])
        entry.count += 1
        if entry.examples.count < 3 { entry.examples.append(sku) }
        table[rule] = entry
    }

    /// The channel's selection: archived SKUs leave (Meta lists them as archived), then the
    /// include/exclude rules of `[channels.NAME]` and an `CHANNEL.exclude` override.
    private func selects(_ item: FeedItem) -> Bool {
        if item.status == "archived" && channel.ruleSet != .meta { return false }
        if let exclude = item.overrides["exclude"], ["true", "yes", "1"].contains(exclude.lowercased()) { return false }
        let type = item.productType ?? ""
        if !settings.includeProductTypes.isEmpty && !settings.includeProductTypes.contains(where: { type.hasPrefix($0) }) { return false }
        if settings.excludeProductTypes.contains(where: { type.hasPrefix($0) }) { return false }
        if !settings.includeBrands.isEmpty && !settings.includeBrands.contains(item.brand ?? "") { return false }
        if settings.excludeBrands.contains(item.brand ?? "") { return false }
        for pair in settings.excludeCustom {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, item.custom.contains(where: { $0.0 == parts[0] && $0.1 == parts[1] }) { return false }
        }
        return true
    }

    private func write(_ row: some FeedRow) throws {
        for (output, _, rss, text) in outputs {
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
    }

    func finish() throws {
        for (_, file, rss, _) in outputs {
            try rss?.close()
            try file.finish()
        }
    }

    func commit() throws {
        for (_, file, _, _) in outputs {
            try file.commit()
            files.append(.init(path: "\(channel.name)/\((file.path as NSString).lastPathComponent)", bytes: file.byteCount, sha256: file.sha256))
        }
    }

    func discard() { for (_, file, _, _) in outputs { file.discard() } }
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
