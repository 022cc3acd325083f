public import Catalog
public import Feeds
public import StorePort

/// Feed health (`/`): per channel the items of its last publish, what diagnostics kept out by rule, the
/// warnings, the gate's state and reason, when it was published and how long ago, and its files.
public struct FeedHealthPage {
    public var outDir: String
    /// The report in the output folder (`nil`: nothing published there yet).
    public var state: PublishedState?
    /// The latest publishes (any folder; the chart keeps this folder's).
    public var runs: [PublishRun]
    public var now: Timestamp

    public init(outDir: String, state: PublishedState?, runs: [PublishRun], now: Timestamp) {
        self.outDir = outDir
        self.state = state
        self.runs = runs
        self.now = now
    }

    public var values: [String: Any] {
        var values: [String: Any] = ["outDir": outDir]
        if let state {
            values["report"] = ["outDir": outDir, "generatedAt": state.generatedAt, "age": Figures.age(of: state.generatedAt, now: now)]
            values["channels"] = state.channels.map { c -> [String: Any] in
                let at = c.generatedAt ?? state.generatedAt
                var card: [String: Any] = [
                    "name": c.name, "items": Figures.count(c.items), "previous": c.previousItems.map(Figures.count) ?? "none",
                    "heldBack": c.heldBack, "state": c.heldBack ? "held back" : "published", "stateClass": c.heldBack ? "held" : "ok",
                    "filtered": Figures.count(c.filtered), "excludedItems": Figures.count(c.excludedItems),
                    "hasExcluded": !c.excluded.isEmpty, "hasWarnings": !c.warnings.isEmpty,
                    "excluded": c.excluded.map { ["channel": c.name, "rule": $0.rule, "count": Figures.count($0.count)] },
                    "warnings": c.warnings.map { ["channel": c.name, "rule": $0.rule, "count": Figures.count($0.count)] },
                    "files": c.files.map { ["path": $0.path, "size": Figures.bytes($0.bytes)] },
                    "generatedAt": at, "age": Figures.age(of: at, now: now),
                ]
                if let reason = c.reason { card["reason"] = reason }
                return card
            }
        } else {
            values["channels"] = [[String: Any]]()
        }
        if let chart = PublishHistory.chart(runs.filter { $0.outDir == outDir }) { values["chart"] = chart }
        return values
    }
}

/// Items per channel over the last publishes, as a line chart.
enum PublishHistory {
    static func chart(_ runs: [PublishRun], points limit: Int = 12) -> String? {
        let published = runs.filter(\.published)
        // Moments oldest first, the last `limit` of them.
        let moments = Array(Set(published.map(\.at)).sorted().suffix(limit))
        let channels = Set(published.map(\.channel)).sorted()
        guard moments.count >= 2 else { return nil }
        var byKey: [String: Int] = [:]
        for run in published { byKey[run.channel + "\u{1}" + run.at] = run.items }
        let series = channels.map { channel -> (name: String, values: [Int]) in
            var last = 0
            return (
                channel,
                moments.map { at in
                    if let v = byKey[channel + "\u{1}" + at] { last = v }
                    return last
                }
            )
        }
        return SVGChart.lines(series, points: moments, title: "Items per channel over the last \(moments.count) publishes")
    }
}
