import Foundation

// The registry of Swift adapters: every channel adapter (by the rule-set name templates give) and every
// output format (by the name templates give) with its adapter. A new Swift channel adds its lines here
// and its file beside this one.

/// Every channel adapter, with the name templates give as `rules`.
enum ChannelAdapters {
    static let all: [(name: String, adapter: any ChannelAdapter.Type)] = [
        ("google", GoogleChannel.self),
        ("meta", MetaChannel.self),
        ("basic", BasicChannel.self),
        ("amazon", AmazonChannel.self),
        ("ebay", EbayChannel.self),
        ("walmart", WalmartChannel.self),
    ]

    static let table: [String: any ChannelAdapter.Type] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.adapter) })
}

/// The output formats a channel template may name (`[[outputs]] format = "…"`).
public enum OutputFormat: String, Sendable, CaseIterable {
    case googleRSS = "google-rss", tsv, csv
    /// Swift adapters for nested marketplace formats (their layout is fixed; no columns).
    case amazonListings = "amazon-listings", ebayFileExchange = "ebay-file-exchange"
    case walmartItems = "walmart-items", walmartInventory = "walmart-inventory"
    /// Google's promotions feed: the promotions, not the catalog.
    case googlePromotions = "google-promotions"

    /// The adapter that writes and reads this format.
    var adapter: any FormatAdapter.Type { FormatAdapters.table[self]! }

    /// Declared through `[[outputs.columns]]` (the others are Swift adapters with a fixed layout).
    var hasColumns: Bool { adapter.auditColumns == nil }
}

/// Every output format with its adapter.
enum FormatAdapters {
    static let table: [OutputFormat: any FormatAdapter.Type] = [
        .googleRSS: GoogleRSSFormat.self,
        .tsv: TSVFormat.self,
        .csv: CSVFormat.self,
        .amazonListings: AmazonListingsFormat.self,
        .ebayFileExchange: EbayFileExchangeFormat.self,
        .walmartItems: WalmartItemsFormat.self,
        .walmartInventory: WalmartInventoryFormat.self,
        .googlePromotions: GooglePromotionsFormat.self,
    ]
}
