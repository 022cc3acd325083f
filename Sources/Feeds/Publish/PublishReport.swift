import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

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
    /// Items kept out by diagnostics errors (each item once, whatever the number of rules it broke).
    public var excludedItems = 0
    public var heldBack = false
    /// Nothing to describe (local inventory without stores): not run, not gated, nothing written.
    public var skipped = false
    public var reason: String?
    public var previousItems: Int?
    public var files: [File] = []
    public var durationMilliseconds = 0
}

/// `publish-report.json` under the output folder: per channel what was published, held back or excluded,
/// and each file with its size and SHA-256 (hashed while writing), the moment (`--now`) and the config
/// (its SHA-256) it was published with.
///
/// A publish of some channels keeps the entries of the others from the report before it, so the report
/// always lists the last publish of every channel, and `audit` checks every file a channel still serves.
struct PublishReport {
    var channels: [ChannelReport]
    var outDir: String
    /// The publish's moment in the shop's time zone (`--now`).
    var generatedAt: String
    /// The config's SHA-256 (`UnifeedConfig.digest`).
    var configDigest: String
    /// The entries of the report before this one, by channel.
    var earlier: [String: JSONNode] = [:]

    /// The entries of the report in `outDir`, by channel (none when there is no readable report). An
    /// entry written before reports carried a moment and a config per channel gets the report's own.
    static func earlierEntries(outDir: String) -> [String: JSONNode] {
        let path = (outDir as NSString).appendingPathComponent("publish-report.json")
        guard let data = FileManager.default.contents(atPath: path), let report = try? JSONReader.parse([UInt8](data), file: path) else {
            return [:]
        }
        var out: [String: JSONNode] = [:]
        for entry in report["channels"]?.array ?? [] {
            guard let name = entry["channel"]?.string, case .object(var members) = entry.value else { continue }
            for key in ["generated_at", "config_sha256"] where entry[key] == nil {
                if let value = report[key] { members.append((key, value)) }
            }
            out[name] = JSONNode(value: .object(members), line: entry.line, column: entry.column)
        }
        return out
    }

    var json: JSONValue {
        func rules(_ byRule: [String: (count: Int, examples: [String])]) -> JSONValue {
            .object(
                byRule.keys.sorted().map { rule in
                    (rule, .object([("count", .int(byRule[rule]!.count)), ("examples", .array(byRule[rule]!.examples.map(JSONValue.string)))]))
                })
        }
        var entries: [String: JSONValue] = earlier.mapValues(JSONValue.init)
        for r in channels where !r.skipped {
            var files: JSONValue = .array(
                r.files.map { f in .object([("path", .string(f.path)), ("bytes", .int(f.bytes)), ("sha256", .string(f.sha256))]) })
            var at: JSONValue = .string(generatedAt)
            var digest: JSONValue = .string(configDigest)
            // Held back: the previous files stay in place, so the entry lists them, with the moment and the
            // config they were published with.
            if r.heldBack, let previous = earlier[r.channel], let previousFiles = previous["files"] {
                files = JSONValue(previousFiles)
                at = previous["generated_at"].map(JSONValue.init) ?? .null
                digest = previous["config_sha256"].map(JSONValue.init) ?? .null
            } else if r.heldBack {
                files = .array([])
            }
            entries[r.channel] = .object([
                ("channel", .string(r.channel)), ("items", .int(r.items)), ("previous_items", r.previousItems.map(JSONValue.int) ?? .null),
                ("held_back", .bool(r.heldBack)), ("reason", .optional(r.reason)), ("filtered", .int(r.filtered)),
                ("excluded_items", .int(r.excludedItems)),
                ("excluded", rules(r.excluded)), ("warnings", rules(r.warnings)), ("files", files),
                ("duration_ms", .int(r.durationMilliseconds)), ("generated_at", at), ("config_sha256", digest),
            ])
        }
        return .object([
            ("generated_at", .string(generatedAt)),
            ("config_sha256", .string(configDigest)),
            ("out_dir", .string(outDir)),
            ("channels", .array(entries.keys.sorted().map { entries[$0]! })),
        ])
    }

    /// Writes the report atomically (a temporary name, then a rename).
    func write() throws {
        let file = try FeedFile(path: (outDir as NSString).appendingPathComponent("publish-report.json"))
        try file.write(json.serialized(pretty: true) + "\n")
        try file.finish()
        try file.commit()
    }
}
