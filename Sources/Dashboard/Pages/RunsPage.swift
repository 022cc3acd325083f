import Catalog
public import StorePort

/// Runs (`/runs`): the history of imports and publishes, with per channel the items each publish added,
/// removed and changed against the one before.
public struct RunsPage {
    public var imports: [ImportRun]
    public var publishes: [PublishRun]

    public init(imports: [ImportRun], publishes: [PublishRun]) {
        self.imports = imports
        self.publishes = publishes
    }

    public var values: [String: Any] {
        var values: [String: Any] = [
            "imports": imports.map {
                [
                    "at": $0.at, "kind": $0.kind, "file": $0.file, "format": $0.format, "rows": Figures.count($0.rows), "new": Figures.count($0.new),
                    "updated": Figures.count($0.updated), "unchanged": Figures.count($0.unchanged), "rejected": Figures.count($0.rejected),
                    "hasRejects": $0.rejected > 0, "warnings": Figures.count($0.warnings),
                ] as [String: Any]
            },
            "publishes": publishes.map {
                [
                    "at": $0.at, "channel": $0.channel, "items": Figures.count($0.items), "published": $0.published,
                    "outcome": $0.published ? "published" : "held back", "added": $0.added.map(Figures.count) ?? "–",
                    "removed": $0.removed.map(Figures.count) ?? "–", "changed": $0.changed.map(Figures.count) ?? "–", "outDir": $0.outDir,
                ] as [String: Any]
            },
        ]
        if let chart = PublishHistory.chart(publishes) { values["chart"] = chart }
        return values
    }
}
