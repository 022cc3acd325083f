public import Catalog
public import Config
public import Formats
public import Foundation
public import Pipeline
public import StorePort

/// A channel as `templates/NAME.toml` declares it: which rules judge its items, what it writes.
public struct ChannelDefinition: Sendable, Hashable {
    /// What a channel describes: one row per SKU, per store × SKU, or per promotion.
    public enum Scope: String, Sendable { case items, stores, promotions }
    /// An output format (see `FormatAdapters`, where each is listed with its adapter).
    public typealias Format = OutputFormat

    public struct Column: Sendable, Hashable {
        public var header: String
        public var field: String
        /// Value renames (`in_stock` → `in stock`).
        public var values: [String: String]
        /// `field`, resolved once (writers switch on it for every item).
        public let id: FeedField

        /// `g:HEADER`, for the RSS writer (built once, not per item).
        public let elementName: String

        public init(header: String, field: String, values: [String: String]) {
            self.header = header
            self.field = field
            self.values = values.mapValues(FeedText.xmlSafe)
            id = FeedField(field)
            elementName = "g:" + header
        }
    }

    public struct Output: Sendable, Hashable {
        public var file: String
        public var format: Format
        public var columns: [Column]
        /// Split into files of at most this many items (`listings-0001.json`, …); `nil`: one file.
        public var maxItems: Int?

        /// The name of the `n`-th file (1-based): `listings.json` → `listings-0001.json` when split.
        public func fileName(_ n: Int) -> String {
            guard maxItems != nil else { return file }
            let stem = (file as NSString).deletingPathExtension, ext = (file as NSString).pathExtension
            return "\(stem)-\(String(format: "%04d", n)).\(ext)"
        }
    }

    public var name: String
    public var title: String
    public var ruleSet: RuleSet
    public var scope: Scope
    /// On unless the config says otherwise (`[channels.NAME] enabled`).
    public var enabledByDefault: Bool
    public var outputs: [Output]
    /// Where it was read from (a file path, or `built-in`).
    public var source: String
    /// `[channels.NAME]` keys that must be set before the channel can run (`seller_id`, the
    /// `product_types` or `categories` mapping): marketplaces stay off until configured.
    public var requires: [String] = []

    /// The channel keeps archived SKUs to tell the marketplace (DELETE, End, quantity 0).
    public var sendsArchived: Bool { ruleSet.isMarketplace }

    /// Archived SKUs stay in the channel's feed: marketplaces are told to remove them, Meta lists them
    /// as archived.
    var keepsArchived: Bool { ruleSet.adapter.listsArchived }

    /// Whether the channel runs with `settings`, and why (for `channels list` and errors).
    public func state(_ settings: ChannelSettings) -> (enabled: Bool, why: String) {
        let missing = requires.filter { key in
            key == "seller_id" ? settings.marketplace.sellerID == nil : settings.marketplace.categories.isEmpty
        }
        if !missing.isEmpty {
            return (false, "needs [channels.\(name)] \(missing.joined(separator: ", "))")
        }
        guard let configured = settings.enabled else {
            return enabledByDefault ? (true, "on by default") : (false, "off until [channels.\(name)] enabled = true")
        }
        return (configured, "set in the config")
    }

    /// Fields only a store-scoped channel has (one row per store × SKU).
    public static let storeFields: Set<String> = ["store_code", "pickup_method", "pickup_sla"]
    /// An ASCII XML name without a prefix: what a `google-rss` column header may be.
    static func isElementName(_ s: String) -> Bool {
        guard let first = s.utf8.first, (first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first == 95 else { return false }
        return s.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 || $0 == 46 }
    }

    /// Group fields the Google writers expand (`shipping`, `tax`).
    public static let groupFields: Set<String> = ["shipping", "tax"]
}

/// Reads channel templates: the built-in ones (embedded at build time from `templates/`) and those of
/// the config's `templates_dir`, which add channels or replace built-in ones of the same name.
public enum ChannelCatalog {
    /// The `[channels.NAME]` sections of a config that name no known channel (a typo, such as
    /// `[channels.gogle]`, would otherwise be ignored): one error each, at its line, listing the channels.
    public static func unknownChannelSections(in config: UnifeedConfig, file: String?, channels: [ChannelDefinition]) -> [InputError] {
        let known = Set(channels.map(\.name))
        return config.channels.keys.sorted().filter { !known.contains($0) }.map { name in
            InputError(
                "unknown channel; the channels are \(channels.map(\.name).sorted().joined(separator: ", ")) (a templates_dir may add more)",
                at: file.map { ConfigLoader.location(ofKey: name, in: "channels", file: $0) } ?? InputLocation(file: "unifeed.toml", line: 1),
                column: "channels", found: name)
        }
    }

    /// Every channel, sorted by name.
    public static func load(templatesDir: String?) throws -> [ChannelDefinition] {
        var byName: [String: ChannelDefinition] = [:]
        for (name, text) in EmbeddedTemplates.files {
            let channel = try parse(text, file: "templates/\(name)")
            byName[channel.name] = channel
        }
        if let dir = templatesDir {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for file in files.sorted() where file.hasSuffix(".toml") {
                let path = (dir as NSString).appendingPathComponent(file)
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let channel = try parse(text, file: path)
                byName[channel.name] = channel
            }
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    /// Parses one template; errors name the file and line.
    public static func parse(_ text: String, file: String) throws -> ChannelDefinition {
        let table = try ConfigLoader.parseTOML(text, file: file)
        func fail(_ key: String, _ message: String, section: String? = nil, found: String? = nil) -> InputError {
            InputError(
                message, at: InputLocation(file: file, line: lineOf(key, in: text)), column: section.map { "\($0).\(key)" } ?? key,
                found: found)
        }
        for key in table.keys where !["name", "title", "rules", "scope", "enabled", "outputs", "requires"].contains(key) {
            throw fail(key, "unknown key in a channel template")
        }
        guard let name = table["name"]?.string else { throw fail("name", "a channel template needs name = \"…\"") }
        guard ChannelName.isValid(name) else { throw fail("name", "channel names are [a-z0-9-]+", found: name) }
        let rulesName = table["rules"]?.string ?? "basic"
        guard let ruleSet = RuleSet(rawValue: rulesName) else {
            throw fail("rules", "unknown rule set, expected \(RuleSet.allCases.map(\.rawValue).joined(separator: ", "))", found: rulesName)
        }
        let scopeName = table["scope"]?.string ?? "items"
        guard let scope = ChannelDefinition.Scope(rawValue: scopeName) else {
            throw fail("scope", "unknown scope, expected items, stores or promotions", found: scopeName)
        }
        guard let outputsArray = table["outputs"]?.array, !outputsArray.isEmpty else {
            throw fail("outputs", "a channel template needs at least one [[outputs]]")
        }
        var outputs: [ChannelDefinition.Output] = []
        for value in outputsArray {
            guard let output = value.table else { throw fail("outputs", "[[outputs]] entries are tables") }
            for key in output.keys where !["file", "format", "columns", "max_items"].contains(key) {
                throw fail(key, "unknown key in [[outputs]]", section: "outputs")
            }
            guard let fileName = output["file"]?.string,
                fileName.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 || $0 == 46 }),
                !fileName.hasPrefix("."), !fileName.isEmpty
            else {
                throw fail("file", "output files are names of [a-z0-9._-] (no folders)", section: "outputs", found: output["file"]?.string)
            }
            guard let format = output["format"]?.string.flatMap(ChannelDefinition.Format.init(rawValue:)) else {
                throw fail(
                    "format", "unknown format, expected \(ChannelDefinition.Format.allCases.map(\.rawValue).joined(separator: ", "))",
                    section: "outputs", found: output["format"]?.string)
            }
            var maxItems: Int?
            if let value = output["max_items"] {
                guard let n = value.int, n > 0 else { throw fail("max_items", "expected a whole number above 0", section: "outputs", found: "\(value)") }
                maxItems = n
            }
            var columns: [ChannelDefinition.Column] = []
            for entry in output["columns"]?.array ?? [] {
                if let field = entry.string {
                    columns.append(.init(header: field, field: field, values: [:]))
                } else if let column = entry.table {
                    guard let field = column["field"]?.string else { throw fail("field", "a column needs field = \"…\"", section: "outputs.columns") }
                    var values: [String: String] = [:]
                    if let map = column["values"]?.table {
                        for key in map.keys { values[key] = map[key]?.string ?? "" }
                    }
                    columns.append(.init(header: column["header"]?.string ?? field, field: field, values: values))
                }
            }
            guard columns.isEmpty != format.hasColumns else {
                throw fail(
                    "columns", format.hasColumns ? "an output needs columns" : "the \(format.rawValue) format has a fixed layout; remove its columns",
                    section: "outputs")
            }
            for column in columns {
                // RSS headers become element names (`g:HEADER`), written as they are.
                if format == .googleRSS && !ChannelDefinition.isElementName(column.header) {
                    throw fail("header", "an XML element name is expected ([A-Za-z_][A-Za-z0-9._-]*)", section: "outputs.columns", found: column.header)
                }
                let known =
                    FeedItem.fieldNames.contains(column.field) || column.field.hasPrefix("custom.")
                    || ChannelDefinition.groupFields.contains(column.field)
                    || (scope == .stores && ChannelDefinition.storeFields.contains(column.field))
                guard known else {
                    throw fail("field", "unknown feed field (see the README's list)", section: "outputs.columns", found: column.field)
                }
            }
            outputs.append(.init(file: fileName, format: format, columns: columns, maxItems: maxItems))
        }
        var requires: [String] = []
        for value in table["requires"]?.array ?? [] {
            guard let key = value.string, ["seller_id", "product_types", "categories"].contains(key) else {
                throw fail("requires", "expected a list of required settings (seller_id, product_types, categories)", found: "\(value)")
            }
            requires.append(key)
        }
        return ChannelDefinition(
            name: name, title: table["title"]?.string ?? name, ruleSet: ruleSet, scope: scope,
            enabledByDefault: table["enabled"]?.bool ?? true, outputs: outputs, source: file, requires: requires)
    }

    static func lineOf(_ key: String, in text: String) -> Int {
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix(key + " ") || trimmed.hasPrefix(key + "=") { return i + 1 }
        }
        return 1
    }
}
