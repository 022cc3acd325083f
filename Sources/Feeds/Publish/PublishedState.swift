public import Catalog
import Formats
import Foundation

/// What the last publish into a folder left there, as the dashboard reads it: `publish-report.json`
/// (every channel's entry) and each channel's findings (`DiagnosticsLog`).
public struct PublishedState: Sendable {
    public struct Rule: Sendable, Hashable {
        public var rule: String
        public var count: Int
        public init(rule: String, count: Int) {
            self.rule = rule
            self.count = count
        }
    }

    public struct File: Sendable, Hashable {
        public var path: String
        public var bytes: Int
        public init(path: String, bytes: Int) {
            self.path = path
            self.bytes = bytes
        }
    }

    public struct Channel: Sendable {
        public var name: String
        public var items: Int
        public var previousItems: Int?
        public var heldBack: Bool
        public var reason: String?
        public var filtered: Int
        public var excludedItems: Int
        public var excluded: [Rule]
        public var warnings: [Rule]
        public var files: [File]
        /// When this channel's files were published (`--now`), ISO 8601.
        public var generatedAt: String?

        public init(
            name: String, items: Int, previousItems: Int?, heldBack: Bool, reason: String?, filtered: Int, excludedItems: Int, excluded: [Rule],
            warnings: [Rule], files: [File], generatedAt: String?
        ) {
            self.name = name
            self.items = items
            self.previousItems = previousItems
            self.heldBack = heldBack
            self.reason = reason
            self.filtered = filtered
            self.excludedItems = excludedItems
            self.excluded = excluded
            self.warnings = warnings
            self.files = files
            self.generatedAt = generatedAt
        }
    }

    public var generatedAt: String
    public var channels: [Channel]

    public init(generatedAt: String, channels: [Channel]) {
        self.generatedAt = generatedAt
        self.channels = channels
    }

    /// The report in `outDir`, or `nil` when there is none (nothing published there yet) or it cannot be read.
    public static func read(outDir: String) -> PublishedState? {
        let path = (outDir as NSString).appendingPathComponent("publish-report.json")
        guard let data = FileManager.default.contents(atPath: path), let report = try? JSONReader.parse([UInt8](data), file: path) else { return nil }
        func int(_ node: JSONNode?) -> Int? { node?.numberText.flatMap { Int($0) } }
        func rules(_ node: JSONNode?) -> [Rule] {
            guard case .object(let members)? = node?.value else { return [] }
            return members.map { Rule(rule: $0.0, count: int($0.1["count"]) ?? 0) }.sorted { ($0.count, $1.rule) > ($1.count, $0.rule) }
        }
        var channels: [Channel] = []
        for entry in report["channels"]?.array ?? [] {
            guard let name = entry["channel"]?.string else { continue }
            var held = false
            if case .bool(let b)? = entry["held_back"]?.value { held = b }
            channels.append(
                Channel(
                    name: name, items: int(entry["items"]) ?? 0, previousItems: int(entry["previous_items"]), heldBack: held,
                    reason: entry["reason"]?.string, filtered: int(entry["filtered"]) ?? 0, excludedItems: int(entry["excluded_items"]) ?? 0,
                    excluded: rules(entry["excluded"]), warnings: rules(entry["warnings"]),
                    files: (entry["files"]?.array ?? []).compactMap { f in f["path"]?.string.map { File(path: $0, bytes: int(f["bytes"]) ?? 0) } },
                    generatedAt: entry["generated_at"]?.string))
        }
        return PublishedState(generatedAt: report["generated_at"]?.string ?? "", channels: channels.sorted { $0.name < $1.name })
    }
}

/// One channel's findings of its last publish, one per line in `.unifeed/diagnostics/CHANNEL.tsv` under
/// the output folder: `sku TAB severity TAB rule TAB message TAB value`, tabs and line breaks in values
/// written as spaces. Written beside the channel's files (temporary name, renamed when the channel's
/// run ends, held back or not: its findings are what it would have published); not a published file,
/// so neither `/feeds/` nor `audit` sees it.
public enum DiagnosticsLog {
    public struct Row: Sendable, Hashable {
        public var channel: String
        public var sku: String
        public var severity: String
        public var rule: String
        public var message: String
        public var value: String

        public init(channel: String, sku: String, severity: String, rule: String, message: String, value: String) {
            self.channel = channel
            self.sku = sku
            self.severity = severity
            self.rule = rule
            self.message = message
            self.value = value
        }
    }

    static func folder(outDir: String) -> String { (outDir as NSString).appendingPathComponent(".unifeed/diagnostics") }

    public static func path(outDir: String, channel: String) -> String {
        (folder(outDir: outDir) as NSString).appendingPathComponent(channel + ".tsv")
    }

    static func line(_ d: Diagnostic) -> String {
        func clean(_ s: String) -> String {
            guard s.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 }) else { return s }
            return String(s.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
        }
        return [clean(d.sku), d.severity.rawValue, d.rule, clean(d.message), clean(d.value ?? "")].joined(separator: "\t") + "\n"
    }

    /// Up to `limit` rows of `channel`'s log from byte `offset` that pass `filter`, and the offset after
    /// the last row read when more may follow (the next page's key). Reads forward only as far as it
    /// needs; a missing log has no rows.
    public static func page(
        outDir: String, channel: String, from offset: UInt64, limit: Int, filter: (Row) -> Bool
    ) -> (rows: [Row], next: UInt64?) {
        guard let handle = FileHandle(forReadingAtPath: path(outDir: outDir, channel: channel)) else { return ([], nil) }
        defer { try? handle.close() }
        do { try handle.seek(toOffset: offset) } catch { return ([], nil) }
        var rows: [Row] = []
        var position = offset
        var pending: [UInt8] = []
        while true {
            guard let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty else { return (rows, nil) }
            pending += chunk
            var start = 0
            while let newline = pending[start...].firstIndex(of: 10) {
                let fields = pending[start..<newline].split(separator: 9, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                position += UInt64(newline - start + 1)
                start = newline + 1
                guard fields.count >= 5 else { continue }
                let row = Row(channel: channel, sku: fields[0], severity: fields[1], rule: fields[2], message: fields[3], value: fields[4])
                if filter(row) {
                    rows.append(row)
                    if rows.count == limit { return (rows, position) }
                }
            }
            pending.removeFirst(start)
        }
    }
}

extension DiagnosticsLog {
    /// Writes one channel's findings as they come (a `FeedFile`: a temporary name, then a rename);
    /// `finish` puts the log in place.
    final class Writer {
        private let file: FeedFile

        init(outDir: String, channel: String) throws {
            try FileManager.default.createDirectory(atPath: DiagnosticsLog.folder(outDir: outDir), withIntermediateDirectories: true)
            file = try FeedFile(path: DiagnosticsLog.path(outDir: outDir, channel: channel), direct: false)
        }

        func append(_ d: Diagnostic) throws { try file.write(DiagnosticsLog.line(d)) }

        func finish() throws {
            try file.finish()
            try file.commit()
        }

        func discard() { file.discard() }
    }
}
