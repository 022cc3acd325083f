public import Config
import Formats
public import Foundation

/// What the published files say of each SKU's availability and quantity, read back as audit reads
/// them: per channel, per SKU, and per store for local inventory. The server's availability answer is
/// checked against it (they must never differ), and a page that shows "what each channel shows now"
/// can read it.
public struct PublishedFigures: Sendable {
    /// One row's figures as written in the file (`in stock`, `in_stock`, `3`).
    public struct Figure: Sendable, Hashable {
        public var availability: String?
        public var quantity: String?
    }

    /// channel → SKU (or `SKU@STORE` for local inventory) → figure.
    public var byChannel: [String: [String: Figure]] = [:]
    /// channel → canonical value → the text the channel's file writes for it (`in_stock` → `in stock`).
    public var spelling: [String: [String: String]] = [:]

    /// The text `channel` writes for the canonical `value` of the availability column.
    public func written(_ value: String, channel: String) -> String { spelling[channel]?[value] ?? value }

    /// Reads every file of the last publish into `outDir` that has an availability or quantity column.
    public static func read(outDir: String, channels: [ChannelDefinition], config: UnifeedConfig) throws -> PublishedFigures {
        let reportPath = (outDir as NSString).appendingPathComponent("publish-report.json")
        guard let data = FileManager.default.contents(atPath: reportPath), let report = try? JSONReader.parse([UInt8](data), file: reportPath) else {
            throw FeedError("\(reportPath): error: no readable publish report; publish first")
        }
        var figures = PublishedFigures()
        for entry in report["channels"]?.array ?? [] {
            guard let name = entry["channel"]?.string, let channel = channels.first(where: { $0.name == name }) else { continue }
            let files = Set((entry["files"]?.array ?? []).compactMap { $0["path"]?.string })
            let settings = config.settings(for: name)
            for output in channel.outputs {
                let columns = output.readBackColumns
                let header = { (c: ChannelDefinition.Column) in output.writtenHeader(c, settings: settings) }
                guard let id = columns.first(where: { $0.field == "id" }).map(header) else { continue }
                let availability = columns.first { $0.field == "availability" }
                let quantity = columns.first { $0.field == "quantity" }
                guard availability != nil || quantity != nil else { continue }
                if let availability { figures.spelling[name, default: [:]].merge(availability.values) { a, _ in a } }
                let store = columns.first { $0.field == "store_code" }.map(header)
                for path in output.publishedPaths(channel: name, outDir: outDir, listed: files) {
                    var reader = try PublishedFeedReader.open(path: path, format: output.format)
                    while let row = try reader.next() {
                        guard let sku = row.values[id] else { continue }
                        let key = store.flatMap { row.values[$0] }.map { "\(sku)@\($0)" } ?? sku
                        figures.byChannel[name, default: [:]][key] = Figure(
                            availability: availability.flatMap { row.values[header($0)] }, quantity: quantity.flatMap { row.values[header($0)] })
                    }
                }
            }
        }
        return figures
    }
}
