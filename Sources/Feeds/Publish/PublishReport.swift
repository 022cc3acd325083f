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
    public var heldBack = false
    public var reason: String?
    public var previousItems: Int?
    public var files: [File] = []
    public var durationMilliseconds = 0
}

/// `publish-report.json` under the output folder: per channel what was published, held back or excluded,
/// and each file with its size and SHA-256 (hashed while writing).
struct PublishReport {
    var channels: [ChannelReport]
    var outDir: String
    /// The publish's moment in the shop's time zone (`--now`).
    var generatedAt: String

    var json: JSONValue {
        func rules(_ byRule: [String: (count: Int, examples: [String])]) -> JSONValue {
            .object(
                byRule.keys.sorted().map { rule in
                    (rule, .object([("count", .int(byRule[rule]!.count)), ("examples", .array(byRule[rule]!.examples.map(JSONValue.string)))]))
                })
        }
        return .object([
            ("generated_at", .string(generatedAt)),
            ("out_dir", .string(outDir)),
            (
                "channels",
                .array(
                    channels.map { r in
                        .object([
                            ("channel", .string(r.channel)), ("items", .int(r.items)), ("previous_items", r.previousItems.map(JSONValue.int) ?? .null),
                            ("held_back", .bool(r.heldBack)), ("reason", .optional(r.reason)), ("filtered", .int(r.filtered)),
                            ("excluded", rules(r.excluded)), ("warnings", rules(r.warnings)),
                            (
                                "files",
                                .array(
                                    r.files.map { f in
                                        .object([("path", .string(f.path)), ("bytes", .int(f.bytes)), ("sha256", .string(f.sha256))])
                                    })
                            ),
                            ("duration_ms", .int(r.durationMilliseconds)),
                        ])
                    })
            ),
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
