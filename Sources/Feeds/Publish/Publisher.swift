public import Catalog
public import Config
public import Formats
public import Foundation
public import Pipeline
public import StorePort

#if canImport(Glibc)
    public import Glibc
#endif

/// What `publish` and `validate` are asked to do.
public struct PublishOptions: Sendable {
    public var outDir: String
    public var now: Timestamp
    public var force = false
    /// Channel names to publish; empty means every enabled channel.
    public var channels: [String] = []
    /// `validate`: run everything, write nothing.
    public var dryRun = false
    /// Show a progress line on stderr (only when stderr is a terminal).
    public var progress = false
    /// Write a `.gz` twin of every file, listed in the report beside it.
    public var gzip = false

    public init(outDir: String, now: Timestamp) {
        self.outDir = outDir
        self.now = now
    }
}

/// Publishes channel feeds from one read transaction of the catalog.
///
/// One cursor pass over the catalog (ordered by product, so diagnostics see whole item groups) fans
/// each product out to every channel's writers. Every file goes to a temporary name and is renamed
/// only when the channel passes the gate: a channel whose item count would fall to zero, or by more
/// than `[feeds] max_drop_percent` against its last publish into the same folder, is held back
/// unless `force`, and its previous files stay. A lock on the output folder makes overlapping runs
/// queue instead of interleaving.
public struct Publisher: Sendable {
    let store: any CatalogStore
    let config: UnifeedConfig
    let channels: [ChannelDefinition]

    public init(store: any CatalogStore, config: UnifeedConfig, channels: [ChannelDefinition]) {
        self.store = store
        self.config = config
        self.channels = channels
    }

    /// The channels a run covers: the named ones (unknown names are an error), else every enabled one.
    public func selected(_ names: [String]) throws -> [ChannelDefinition] {
        try ChannelSelection(channels: channels, config: config).select(names)
    }

    /// Runs diagnostics and, unless `dryRun`, writes the feeds. `diagnostic` receives every finding.
    /// `diagnostic` is called from the channel threads, one finding at a time, and never after `run` returns.
    public func run(_ options: PublishOptions, diagnostic: @escaping (Diagnostic) -> Void) throws -> [ChannelReport] {
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
            Publisher.removeLeftoverTemporaryFiles(in: outDir)  // the report's, from a publish killed while writing it
            // The dashboard's records of a killed publish (findings, published items).
            for folder in [".unifeed/items", ".unifeed/diagnostics"] {
                Publisher.removeLeftoverTemporaryFiles(in: (outDir as NSString).appendingPathComponent(folder))
            }
        }
        defer { if lock >= 0 { close(lock) } }

        let started = Date()
        // A channel with nothing to describe (local inventory without stores, the promotions feed without
        // promotions) is skipped, and says how to give it something: no gate, no files, no change to the
        // exit status.
        let hasStores = try selected.contains { $0.scope == .stores } ? store.reading { try !$0.stores().isEmpty } : true
        let hasPromotions = try selected.contains { $0.scope == .promotions } ? store.reading { try !$0.promotions().isEmpty } : true
        var skipped: [ChannelReport] = []
        var runs: [ChannelRun] = []
        defer { for run in runs { run.discard() } }
        for channel in selected {
            let lacking: String? =
                switch channel.scope {
                case .stores where !hasStores:
                    "no stores to describe: import them (`unifeed import stores FILE`, columns store_code,name,address,city,postal_code,country,pickup_method,pickup_sla) to publish local inventory"
                case .promotions where !hasPromotions:
                    "no promotions to describe: import them (`unifeed import promotions FILE`, see the README's Promotions) to publish Google's promotions feed"
                default: nil
                }
            if let lacking {
                var report = ChannelReport(channel: channel.name)
                report.skipped = true
                report.reason = lacking + ", or turn the channel off with [channels.\(channel.name)] enabled = false"
                skipped.append(report)
                continue
            }
            let settings = config.settings(for: channel.name)
            let run = try ChannelRun(channel: channel, settings: settings, shop: config.shop, outDir: outDir, write: !options.dryRun)
            run.gzip = options.gzip
            runs.append(run)
        }
        // The catalog goes to the channels that describe SKUs; the promotions channel is written from the
        // promotions read in the same snapshot.
        let promotions = try fanOut(
            to: runs.filter { $0.channel.scope != .promotions }, now: options.now, progress: options.progress, diagnostic: diagnostic)
        for run in runs where run.channel.scope == .promotions {
            try run.write(promotions: GooglePromotionsFeed.listed(promotions, now: options.now))
        }
        var reports: [ChannelReport] = []
        for run in runs {
            if !options.dryRun { try run.finish() }
            var report = run.report
            report.durationMilliseconds = Int(Date().timeIntervalSince(started) * 1000)
            reports.append(report)
        }
        guard !options.dryRun else { return (reports + skipped).sorted { $0.channel < $1.channel } }

        // The gate, then the renames and the report, under the swap lock: `unifeed serve` opens a file
        // and reads its report entry under the same lock (shared), so a download is always one
        // publish's file with that publish's SHA-256.
        let swap = PublishedFiles.lock(outDir: outDir, exclusive: true) ?? -1  // waiting: never nil
        defer { PublishedFiles.unlock(swap) }
        let at = options.now.iso8601UTC
        let gate = PublishGate(maxDropPercent: config.feeds.maxDropPercent)
        try store.loggingPublish { log in
            for (i, run) in runs.enumerated() {
                let previous = try log.lastPublished(channel: run.channel.name, outDir: outDir)
                reports[i].previousItems = previous
                let items = reports[i].items
                // Promotions end by design, many on one day: no gate for them (their end dates are in
                // the feed, so a stale file would not show an ended offer anyway).
                let reason = run.channel.scope == .promotions ? nil : gate.holdBack(items: items, previous: previous)
                if let reason, !options.force {
                    reports[i].heldBack = true
                    reports[i].reason = reason + "; the previous feed stays (use --force to publish anyway)"
                    run.discard()
                } else {
                    try run.commit()
                    reports[i].files = run.files
                }
                try log.record(
                    channel: run.channel.name, outDir: outDir, at: at, items: items, published: !reports[i].heldBack,
                    difference: reports[i].heldBack ? nil : run.difference)
            }
        }
        var report = PublishReport(channels: reports, outDir: outDir, generatedAt: options.now.iso8601(in: config.shop.timeZone), configDigest: config.digest)
        report.earlier = PublishReport.earlierEntries(outDir: outDir)
        try report.write()
        return (reports + skipped).sorted { $0.channel < $1.channel }
    }

    /// One cursor pass over the catalog (one read transaction), grouped by product, handed to every
    /// channel. Each channel runs on its own thread behind a bounded pipe, so reading the catalog and
    /// the channels' work overlap and channels use every core; memory stays flat. Findings from the
    /// channels reach `diagnostic` one at a time (each channel's in catalog order).
    /// Returns the promotions read in that transaction.
    private func fanOut(
        to runs: [ChannelRun], now: Timestamp, progress showProgress: Bool, diagnostic: @escaping (Diagnostic) -> Void
    ) throws -> [Promotion] {
        // Only the promotions channel: nothing to read from the catalog.
        if runs.isEmpty { return try store.reading { try $0.promotions() } }
        let lock = NSLock()
        let report = UnsafeTransfer { (d: Diagnostic) in
            lock.lock()
            diagnostic(d)
            lock.unlock()
        }
        let broadcast = Workers.Broadcast<ViewBatch>(consumers: runs.count)
        var stores: [StoreLocation] = []
        var markdowns = Markdowns()
        var promotions: [Promotion] = []
        func start() {
            _ = XMLStreamWriter.initialized
            for (i, run) in runs.enumerated() {
                // The run goes to its thread; this side touches it again only after the broadcast ends.
                let context = UnsafeTransfer((run, stores, markdowns))
                broadcast.startConsumer(i, setUp: Publisher.setUpWorkerThread) { batch in
                    let (run, stores, markdowns) = context.value
                    try batch.views.withUnsafeBufferPointer { views in
                        var start = 0
                        for end in batch.groupEnds {
                            try run.add(
                                UnsafeBufferPointer(rebasing: views[start..<end]), stores: stores, markdowns: markdowns, now: now, diagnostic: report.value)
                            start = end
                        }
                    }
                }
            }
        }
        try broadcast.run {
            try store.reading { snapshot in
                stores = try snapshot.stores()
                promotions = try snapshot.promotions()
                markdowns = Markdowns(promotions)
                start()
                var batch = ViewBatch()
                func send() {
                    broadcast.send(batch)
                    batch = ViewBatch()
                }
                // Stock: all locations for local inventory, else only the channels' own locations.
                let locations = runs.contains { $0.channel.scope == .stores } ? nil : Array(Set(runs.map(\.settings.stockLocation))).sorted()
                let rows = try snapshot.feedRows(locations: locations)
                // The total is a count over the catalog: only worth it when a terminal shows the line.
                let shown = showProgress && TerminalProgress.stderrIsTerminal
                let progress = TerminalProgress(label: "publish", unit: "SKUs", total: shown ? try snapshot.counts().variants : nil, enabled: shown)
                defer { progress.finish() }
                var read = 0
                while let v = try rows.next() {
                    read += 1
                    if read % 4096 == 0 { progress.update(read) }
                    if let last = batch.views.last, last.productID != v.productID {
                        batch.groupEnds.append(batch.views.count)
                        if batch.groupEnds.count == 64 { send() }
                    }
                    batch.views.append(v)
                }
                if !batch.views.isEmpty {
                    batch.groupEnds.append(batch.views.count)
                    send()
                }
            }
        }
        return promotions
    }

    /// Channel and output threads run a little below the catalog reader (nice +3), which all of them
    /// wait on: with more threads than cores, the reader is not the one left waiting for a core
    /// (docs/PERFORMANCE.md, "Thread priorities"). Linux: PRIO_PROCESS with 0 is the calling thread.
    static func yieldToReader() {
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 3)
    }

    /// What a channel's or an output's thread does first: libxml2 quiet on it, and a little below the
    /// reader (see `yieldToReader`).
    static func setUpWorkerThread() {
        XMLStreamWriter.quietOnThisThread()
        yieldToReader()
    }
}

extension Publisher {
    /// What each SKU's price looks like on `channel` at `now`: the price in effect, and the sale price
    /// with its window as the feed shows it (`25.00 USD; sale 21.25 USD 2026-11-27T00:00-0500/…`), in
    /// store for local inventory. The demo compares them before and after promotions.
    public func prices(channel name: String, now: Timestamp) throws -> [String: String] {
        var out: [String: String] = [:]
        try forEachItem(channel: name, now: now) { item in
            out[item.id] = "\(item.effectivePrice)" + (item.salePrice.map { "; sale \($0) \(item.saleWindow ?? "")" } ?? "")
        }
        return out
    }

    /// What each SKU shows on `channel` at `now`: availability and allocated quantity (the demo compares
    /// them before and after orders; audit checks the same figures in the files).
    public func availability(channel name: String, now: Timestamp) throws -> [String: (availability: String, quantity: Int)] {
        var out: [String: (String, Int)] = [:]
        try forEachItem(channel: name, now: now) { item in out[item.id] = (item.availability, item.quantity) }
        return out
    }

    /// Every SKU's item as `channel` sees it at `now` (in store for local inventory), from one snapshot.
    private func forEachItem(channel name: String, now: Timestamp, _ body: (FeedItem) -> Void) throws {
        let settings = config.settings(for: name)
        let inStore = channels.first { $0.name == name }?.scope == .stores
        try store.reading { snapshot in
            let markdowns = Markdowns(try snapshot.promotions())
            try snapshot.forEachFeedRow { v in
                body(FeedItem(v, channel: name, settings: settings, shop: config.shop, now: now, markdowns: markdowns, inStore: inStore))
            }
        }
    }
}

extension Publisher {
    /// Removes the temporary files (`.NAME.PID.tmp`, see `FeedFile`) a killed publish left in `dir`. Call
    /// only while holding the output folder's lock: then no other publish is writing them.
    static func removeLeftoverTemporaryFiles(in dir: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            unlink((dir as NSString).appendingPathComponent(name))
        }
    }
}

/// Rows of the catalog on their way from the reader to the channels: the views of whole products, one
/// after the other, with where each product's variants end. One array per batch, handed back to the
/// reader to be freed (a new array per product, allocated on the reader's thread and freed on a
/// channel's, had glibc consolidating its free lists on nearly every product: a tenth of the reader).
struct ViewBatch {
    var views: [VariantView] = []
    var groupEnds: [Int] = []

    init() {
        views.reserveCapacity(256)  // 64 products of 4 variants
        groupEnds.reserveCapacity(64)
    }
}
