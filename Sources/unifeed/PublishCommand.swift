import ArgumentParser
import Catalog
import Config
import Feeds
import Formats
import Foundation
import Pipeline
import StorePort

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write every enabled channel's feeds atomically, behind the publish gate.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("channel"), help: "Publish only this channel (repeatable).") var channels: [String] = []
    @Option(help: "The output folder.") var out: String = "feeds"
    @Flag(help: "Publish even when the gate would hold a channel back.") var force = false
    @Flag(help: "Also write a .gz twin of every file (listed in the report).") var gzip = false
    @Option(help: "Fix the clock (sale windows, report time), ISO 8601.") var now: String?

    func run() throws {
        let (config, definitions) = try global.loadConfigAndChannels()
        let store = try global.openStore()
        var options = PublishOptions(outDir: out, now: try parseNow(now, config: config))
        options.force = force
        options.channels = channels
        options.progress = true
        options.gzip = gzip
        let reports = try orExitFeeds {
            // On a terminal a finding first clears the progress line (which the next update redraws).
            let clear = isatty(2) == 1 ? "\r\u{1B}[K" : ""
            return try Publisher(store: store, config: config, channels: definitions).run(options) { printError(clear + $0.line) }
        }
        for r in reports {
            if r.skipped {
                print("\(r.channel): skipped: \(r.reason ?? "")")
                continue
            }
            var line = "\(r.channel): \(r.items) items, \(r.excludedItems) excluded by diagnostics, \(r.filtered) filtered"
            if r.heldBack { line += "; HELD BACK: \(r.reason ?? "")" } else { line += "; " + r.files.map { "\($0.path) (\($0.bytes) bytes)" }.joined(separator: ", ") }
            print(line)
        }
        print("report: \((out as NSString).appendingPathComponent("publish-report.json"))")
        if reports.contains(where: \.heldBack) { throw ExitCode(2) }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run every channel's diagnostics; write nothing.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("channel"), help: "Only this channel (repeatable).") var channels: [String] = []
    @Option(help: "Fix the clock, ISO 8601.") var now: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let (config, definitions) = try global.loadConfigAndChannels()
        let store = try global.openStore(readOnly: true)
        var options = PublishOptions(outDir: ".", now: try parseNow(now, config: config))
        options.dryRun = true
        options.channels = channels
        var findings: [Diagnostic] = []
        let reports = try orExitFeeds {
            try Publisher(store: store, config: config, channels: definitions).run(options) { findings.append($0) }
        }
        if json {
            print(
                JSONValue.array(
                    findings.map { d in
                        .object([
                            ("channel", .string(d.channel)), ("sku", .string(d.sku)), ("severity", .string(d.severity.rawValue)),
                            ("rule", .string(d.rule)), ("message", .string(d.message)), ("value", .optional(d.value)),
                        ])
                    }
                ).serialized(pretty: true))
        } else {
            for d in findings { printError(d.line) }
            for r in reports {
                if r.skipped {
                    print("\(r.channel): skipped: \(r.reason ?? "")")
                    continue
                }
                let rules = (r.excluded.map { ($0.key, $0.value.count, "error") } + r.warnings.map { ($0.key, $0.value.count, "warning") })
                    .sorted { ($0.0, $0.2) < ($1.0, $1.2) }
                print(
                    "\(r.channel): \(r.items) items would be published, \(r.excludedItems) excluded" + (rules.isEmpty ? "" : "; by rule: ")
                        + rules.map { "\($0.0) (\($0.2)): \($0.1)" }.joined(separator: ", "))
            }
        }
        if findings.contains(where: { $0.severity == .error }) { throw ExitCode.failure }
    }
}
