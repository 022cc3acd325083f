public import Catalog
public import Config
public import Formats
public import Foundation
public import Pipeline
public import StorePort

/// What one `orders import` did.
public struct OrderImportSummary: Sendable {
    public var file: String
    public var channel: OrderChannel
    public var lines = 0
    public var new = 0
    public var updated = 0
    public var unchanged = 0
    /// Lines whose SKU the catalog does not know (kept, moving stock once the SKU exists).
    public var unmatched: [(sku: String, line: Int)] = []
    public var unitsTaken = 0
    public var unitsReturned = 0
    /// Waiting lines from earlier imports that were settled now.
    public var settledWaiting = 0
    public var oversold: [(sku: String, location: String, onHand: Int)] = []
}

/// A report that was refused: every problem found, nothing written.
public struct OrderReportRejected: Error, Sendable {
    public var problems: [InputError]
    public init(problems: [InputError]) { self.problems = problems }
}

/// Imports one order report into the order book in one immediate transaction: a malformed file writes
/// nothing; a second importer on the same database waits for the first (busy timeout) and then finds
/// every line already applied.
public enum OrderImporter {
    public static func run(
        path: String, displayName: String, channel: OrderChannel?, encoding: TextEncoding, store: any CatalogStore, config: UnifeedConfig,
        now: Date = Date()
    ) throws -> OrderImportSummary {
        let report = try OrderReport.open(
            path: path, displayName: displayName, channel: channel, encoding: encoding,
            timeZone: config.shop.timeZone)
        let location = config.settings(for: report.channel.rawValue).stockLocation
        return try store.recordingOrders(restockRefunds: config.orders.restockRefunds, now: now) { book in
            var summary = OrderImportSummary(file: displayName, channel: report.channel)
            var problems: [InputError] = []
            var touched: Set<SKULocation> = []
            var batch: [OrderLine] = []
            func record(_ batch: [OrderLine]) throws {
                try book.prepare(batch)
                for i in Self.bySKU(batch) {
                    let line = batch[i]
                    summary.lines += 1
                    let outcome = try book.record(line, location: location, source: "\(displayName):\(line.sourceLine)")
                    switch outcome.change {
                    case .new: summary.new += 1
                    case .updated: summary.updated += 1
                    case .unchanged: summary.unchanged += 1
                    }
                    if !outcome.matched { summary.unmatched.append((line.sku, line.sourceLine)) }
                    if outcome.delta < 0 { summary.unitsTaken -= outcome.delta } else { summary.unitsReturned += outcome.delta }
                    if outcome.delta != 0 { touched.insert(SKULocation(sku: line.sku, location: location)) }
                }
            }
            // The report is read on a thread of its own while this one records what was read before
            // (reading was a sixth of an import on one core; docs/PERFORMANCE.md, "Issue 20, third session").
            let pipe = BoundedPipe<ReadLines>(capacity: 4)
            Workers.startProducer(into: pipe) { pipe in
                var report = report
                var problems: [InputError] = []
                var lines: [OrderLine] = []
                while let line = try report.next(problems: &problems) {
                    guard problems.isEmpty else { continue }  // keep reading to report every problem; write nothing
                    lines.append(line)
                    if lines.count == Self.readBatch {
                        guard pipe.put(.batch(.lines(lines))) else { return }
                        lines = []
                    }
                }
                if problems.isEmpty {
                    if !lines.isEmpty { pipe.put(.batch(.lines(lines))) }
                } else {
                    pipe.put(.batch(.problems(problems)))
                }
            }
            try Workers.drain(pipe) { read in
                switch read {
                case .lines(let lines):
                    for line in lines {
                        batch.append(line)
                        if batch.count == Self.batchSize {
                            try record(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                case .problems(let found): problems = found
                }
            }
            guard problems.isEmpty else { throw OrderReportRejected(problems: problems) }
            try record(batch)
            summary.unmatched.sort { $0.line < $1.line }
            summary.settledWaiting = try book.settleWaitingLines()
            summary.oversold = try book.oversold(touched)
            return (summary, commit: true)
        }
    }
}

extension OrderImporter {
    /// Lines are recorded a batch at a time in SKU order (docs/PERFORMANCE.md, "Orders in SKU order").
    static let batchSize = 65_536
    /// Lines handed from the reading thread at a time.
    static let readBatch = 4_096

    /// What the reading thread hands over: lines, or at the end every problem found (then nothing is written).
    enum ReadLines {
        case lines([OrderLine])
        case problems([InputError])
    }

    /// The order in which to record `batch`: by SKU as bytes (the store's order, so the variants, stock
    /// levels and the ledger's index are visited page after page instead of at random), and in file
    /// order within a SKU. A line reported twice (its status changed) keeps its two reports in file
    /// order: both sort under the SKU of its first report in the batch.
    static func bySKU(_ batch: [OrderLine]) -> [Int] {
        var first: [String: Int] = [:]
        first.reserveCapacity(batch.count)
        var keys: [[UInt8]] = []
        keys.reserveCapacity(batch.count)
        for (i, line) in batch.enumerated() {
            let id = line.channel + "\u{1F}" + line.orderID + "\u{1F}" + line.lineID
            let owner = first[id] ?? i
            if first[id] == nil { first[id] = i }
            keys.append(Array(batch[owner].sku.utf8))
        }
        return batch.indices.sorted { a, b in
            keys[a] == keys[b] ? a < b : keys[a].lexicographicallyPrecedes(keys[b])
        }
    }
}

extension OrderImportSummary {
    /// `orders import --json` (and `POST /v1/orders`).
    public var json: JSONValue {
        .object([
            ("file", .string(file)), ("channel", .string(channel.rawValue)), ("lines", .int(lines)), ("new", .int(new)),
            ("updated", .int(updated)), ("unchanged", .int(unchanged)),
            ("unmatched", .array(unmatched.map { .object([("sku", .string($0.sku)), ("line", .int($0.line))]) })),
            ("units_taken", .int(unitsTaken)), ("units_returned", .int(unitsReturned)), ("settled_waiting", .int(settledWaiting)),
            ("oversold", .array(oversold.map { .object([("sku", .string($0.sku)), ("location", .string($0.location)), ("on_hand", .int($0.onHand))]) })),
        ])
    }
}
