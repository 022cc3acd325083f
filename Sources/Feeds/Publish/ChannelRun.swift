import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

/// One channel's part of a publish: its writers, counts and findings.
final class ChannelRun {
    let channel: ChannelDefinition
    let settings: ChannelSettings
    let shop: ShopConfig
    var report: ChannelReport
    private var writers: [any OutputWriter] = []
    private(set) var files: [ChannelReport.File] = []

    /// Write a `.gz` twin of every file (`publish --gzip`).
    var gzip = false
    private var dir = ""
    /// The channel's findings for the dashboard (`DiagnosticsLog`).
    private var diagnosticsLog: DiagnosticsLog.Writer?
    /// What each published item looked like, against the previous publish (`PublishedItems`).
    private var publishedItems: PublishedItems?
    /// Items added, removed and changed against the previous publish (`nil`: nothing to compare with).
    private(set) var difference: PublishDifference?

    init(channel: ChannelDefinition, settings: ChannelSettings, shop: ShopConfig, outDir: String, write: Bool) throws {
        self.channel = channel
        self.settings = settings
        self.shop = shop
        report = ChannelReport(channel: channel.name)
        guard write else { return }
        let dir = (outDir as NSString).appendingPathComponent(channel.name)
        self.dir = dir
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw FeedError("\(dir): error: cannot create the channel's folder: \(error.localizedDescription)")
        }
        Publisher.removeLeftoverTemporaryFiles(in: dir)
        diagnosticsLog = try DiagnosticsLog.Writer(outDir: outDir, channel: channel.name)
        if channel.scope != .promotions { publishedItems = try PublishedItems(outDir: outDir, channel: channel.name) }
        for output in channel.outputs {
            writers.append(try output.format.adapter.writer(output: output, scope: channel.scope, dir: dir, settings: settings, shop: shop))
        }
        // Several outputs are written at the same time, each on a thread of its own, while the channel's
        // thread judges the next items (docs/PERFORMANCE.md, "Output threads").
        if writers.count > 1 {
            let threads = writers.map { OutputThread($0) }
            writers = threads
            // Outputs that all write template columns get each batch rendered once, as bytes (`ItemCells`).
            if threads.allSatisfy({ $0.template != nil }) {
                let layout = CellLayout()
                for thread in threads {
                    for column in thread.template!.plan where column.id != .shipping && column.id != .tax {
                        column.cell = layout.cell(for: column)
                    }
                }
                cellThreads = threads
                cells = CellBuilder(layout: layout)
            }
        }
    }

    /// Output threads that get rendered cells, and the batch being rendered for them.
    private var cellThreads: [OutputThread] = []
    private var cells: CellBuilder?

    private func sendCells() throws {
        guard cells != nil, cells!.count > 0 else { return }
        let batch = cells!.take()
        for thread in cellThreads { try thread.write(batch) }
    }

    /// `in_store_price_differs` (DESIGN.md §10): the store rows would show another price than the
    /// online offer, naming what makes each.
    static func storePriceDiffers(_ item: FeedItem, online: (price: Money, promotionID: String?), channel: String) -> Diagnostic {
        let storePrice = item.effectivePrice
        let storeCause = item.saleActive ? item.markdownID.map { "promotion \($0)" } ?? "its sale" : "its price"
        let onlineCause = online.promotionID.map { "promotion \($0)" } ?? "its price or sale"
        return Diagnostic(
            channel: channel, sku: item.id, rule: "in_store_price_differs", severity: .error,
            message:
                "in store \(storePrice) (\(storeCause)) but online \(online.price) (\(onlineCause)): Google needs one price for both, or a separate product id for the in-store offer; make the promotion's redemption both, or set [channels.\(channel)] allow_store_price = true",
            value: nil)
    }

    /// Judges and writes one product's variants.
    func add(
        _ group: UnsafeBufferPointer<VariantView>, stores: [StoreLocation], markdowns: Markdowns, now: Timestamp, diagnostic: (Diagnostic) -> Void
    ) throws {
        // Indexes, not `for v in group`: a loop variable would copy every field of every row. Each item
        // is judged as it is made, while it is a local (judging the array afterwards copied every item).
        var items: [FeedItem] = []
        var findings: [[Diagnostic]] = []
        var judged: [Int] = []
        items.reserveCapacity(group.count)
        findings.reserveCapacity(group.count)
        for i in group.indices {
            var item = FeedItem(
                at: group.baseAddress! + i, channel: channel.name, settings: settings, shop: shop, now: now, markdowns: markdowns,
                inStore: channel.scope == .stores)
            if item.marketplaceCategory == nil && channel.ruleSet.isMarketplace { item.marketplaceCategory = category(group[i].productType) }
            guard selects(item) else {
                report.filtered += 1
                continue
            }
            // Archived SKUs a marketplace is told to remove are not judged: nothing of theirs is listed.
            if channel.sendsArchived && item.status == .archived {
                findings.append([])
            } else {
                judged.append(items.count)
                var found = channel.ruleSet.check(item, channel: channel.name)
                if let online = item.onlineOffer, !settings.allowStorePrice { found.append(Self.storePriceDiffers(item, online: online, channel: channel.name)) }
                findings.append(found)
            }
            items.append(item)
        }
        guard !items.isEmpty else { return }
        // A product of one SKU (in the catalog, whatever this channel selects) is no variant group: its
        // item carries no item_group_id (Shopify's "Default Title", a WooCommerce simple product), unless
        // the catalog says it belongs to one (`CHANNEL.item_group_id`: a Google feed imported with a group
        // whose other items were gone).
        if group.count == 1 && items.count == 1 && items[0].overrides["item_group_id"] == nil { items[0].inGroup = false }
        channel.ruleSet.checkGroup(items, judged: judged, findings: &findings, channel: channel.name)
        var blocked: Set<String> = []
        for i in findings.indices where !findings[i].isEmpty {
            for d in findings[i] where !(channel.scope == .stores && d.rule == "no_stock_record") {
                diagnostic(d)
                try diagnosticsLog?.append(d)
                if d.severity == .error {
                    blocked.insert(d.sku)
                    count(&report.excluded, d.rule, d.sku)
                } else {
                    count(&report.warnings, d.rule, d.sku)
                }
            }
        }
        report.excludedItems += blocked.count
        let accepted = blocked.isEmpty ? items : items.filter { !blocked.contains($0.id) }
        guard !accepted.isEmpty else { return }
        report.items += channel.scope == .stores ? accepted.count * stores.count : accepted.count
        if let publishedItems {
            let productID = group[0].productID
            // By index: `for item in accepted` copied every item (forty strings retained and released).
            try accepted.withUnsafeBufferPointer { accepted in
                for i in accepted.indices { try publishedItems.add(productID: productID, sku: accepted[i].id, hash: PublishedItems.hash(accepted[i])) }
            }
        }
        if cells != nil {
            accepted.withUnsafeBufferPointer { accepted in
                for i in accepted.indices { cells!.append(accepted[i]) }
            }
            if cells!.count >= 256 { try sendCells() }
        } else {
            for writer in writers { try writer.write(accepted, stores: stores) }
        }
    }

    /// The marketplace category mapped from a product type, looked up once per product type.
    private var categories: [String: String?] = [:]
    private func category(_ productType: String?) -> String? {
        guard let productType else { return nil }
        if let known = categories[productType] { return known }
        let found = settings.marketplace.category(forProductType: productType)
        categories[productType] = found
        return found
    }

    private func count(_ table: inout [String: (count: Int, examples: [String])], _ rule: String, _ sku: String) {
        var entry = table[rule] ?? (0, [])
        entry.count += 1
        if entry.examples.count < 3 { entry.examples.append(sku) }
        table[rule] = entry
    }

    /// The channel's selection: archived SKUs leave (Meta lists them as archived, marketplaces are told
    /// to delete or zero them), then the include/exclude rules of `[channels.NAME]` and a
    /// `CHANNEL.exclude` override.
    private func selects(_ item: FeedItem) -> Bool {
        if item.status == .archived && !channel.keepsArchived { return false }
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

    /// A promotions channel: its file from `promotions` (already the ones it lists).
    func write(promotions: [Promotion]) throws {
        report.items = promotions.count
        for case let writer as GooglePromotionsWriter in writers { try writer.write(promotions: promotions) }
    }

    func finish() throws {
        try sendCells()
        for writer in writers { try writer.finish() }
        // The findings go in place held back or not: they are what the channel would have published.
        try diagnosticsLog?.finish()
        diagnosticsLog = nil
        if let publishedItems {
            let difference = try publishedItems.finish()
            self.difference = publishedItems.hasPrevious ? difference : nil
        }
    }

    func commit() throws {
        try publishedItems?.commit()
        publishedItems = nil
        for writer in writers {
            for file in try writer.commit() {
                files.append(.init(path: "\(channel.name)/\((file.path as NSString).lastPathComponent)", bytes: file.byteCount, sha256: file.sha256))
                if gzip {
                    let twin = try GzipTwin.write(from: file.path)
                    files.append(.init(path: "\(channel.name)/\((twin.path as NSString).lastPathComponent)", bytes: twin.byteCount, sha256: twin.sha256))
                }
            }
        }
        // A twin whose file this publish did not write (or one from a publish with --gzip, now without)
        // would serve another version of the feed: it goes.
        let kept = Set(files.map { ($0.path as NSString).lastPathComponent })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasSuffix(".gz") && !kept.contains(name) {
            unlink((dir as NSString).appendingPathComponent(name))
        }
    }

    func discard() {
        for writer in writers { writer.discard() }
        diagnosticsLog?.discard()
        diagnosticsLog = nil
        publishedItems?.discard()
        publishedItems = nil
    }
}
