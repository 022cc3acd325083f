import Catalog
public import Feeds

/// Diagnostics (`/diagnostics`): the findings of each channel's last publish, filtered by channel, rule
/// and severity, a page at a time (the key is the channel and the byte offset in its log).
public struct DiagnosticsPage {
    public var channels: [String]
    public var rules: [String]
    public var channel: String?
    public var rule: String?
    public var severity: String?
    public var rows: [DiagnosticsLog.Row]
    /// The next page's link (`nil`: the last page).
    public var next: String?

    public init(channels: [String], rules: [String], channel: String?, rule: String?, severity: String?, rows: [DiagnosticsLog.Row], next: String?) {
        self.channels = channels
        self.rules = rules
        self.channel = channel
        self.rule = rule
        self.severity = severity
        self.rows = rows
        self.next = next
    }

    static func options(_ values: [String], selected: String?, all: String) -> [[String: Any]] {
        [["value": "", "label": all, "selected": selected == nil]] + values.map { ["value": $0, "label": $0, "selected": $0 == selected] }
    }

    public var values: [String: Any] {
        var values: [String: Any] = [
            "channelOptions": Self.options(channels, selected: channel, all: "every channel"),
            "ruleOptions": Self.options(rules, selected: rule, all: "every rule"),
            "severityOptions": Self.options(["error", "warning"], selected: severity, all: "errors and warnings"),
            "filtered": channel != nil || rule != nil || severity != nil,
            "rows": rows.map {
                [
                    "channel": $0.channel, "sku": $0.sku, "skuPath": Figures.pathSegment($0.sku), "severity": $0.severity, "rule": $0.rule,
                    "message": $0.message, "value": $0.value,
                ]
            },
        ]
        if let next { values["next"] = next }
        return values
    }
}
