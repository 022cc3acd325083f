import Catalog
import Foundation

/// A channel adapter: the rules that predict one channel's disapprovals and how it treats what the
/// catalog holds (archived SKUs, categories). Its output formats are `FormatAdapter`s, in the same file
/// when the channel has a format of its own (Amazon, eBay, Walmart); its template in `templates/` names
/// the adapter (`rules = "…"`) and the formats; its account settings are `[channels.NAME]` keys of the
/// config (`ChannelSettings`).
///
/// A new Swift channel is one file in `Feeds/Channels/` (its adapter, and its writer, reader and
/// `FormatAdapter` when it has a format of its own), its lines in `Registry.swift` and its template.
protocol ChannelAdapter: Sendable {
    /// A marketplace hosts the listing page itself (no link needed), is told to delete or end an
    /// archived SKU (so archived SKUs stay in its feed), and maps product types to its categories.
    static var isMarketplace: Bool { get }
    /// Archived SKUs stay in the feed, as archived (Meta), rather than leave it.
    static var listsArchived: Bool { get }
    /// How long a title may be.
    static var titleRule: TitleRule { get }
    /// Google's and Meta's editorial rules (capitals, promotional text, a description), with the
    /// description's length limit; `nil`: not checked.
    static var editorialDescriptionLimit: Int? { get }
    /// Where a marketplace's category mapping lives in the config, for messages.
    static var categoryKey: String { get }
    /// The channel's own checks of one item, after the shared ones (`RuleSet.check`).
    static func check(_ item: FeedItem, into findings: inout Findings)
    /// Checks of a product's variants together (`judged`: the indexes of the items judged at all).
    static func checkGroup(_ group: [FeedItem], judged: [Int], findings: inout [[Diagnostic]], channel: String)
}

/// A title's limit: longer is an error, or it is cut with a warning.
enum TitleRule {
    case limit(Int)
    case truncatedAt(Int, message: String)
}

extension ChannelAdapter {
    static var isMarketplace: Bool { false }
    static var listsArchived: Bool { isMarketplace }
    static var titleRule: TitleRule { .limit(150) }
    static var editorialDescriptionLimit: Int? { nil }
    static var categoryKey: String { "product_types" }
    static func check(_ item: FeedItem, into findings: inout Findings) {}
    static func checkGroup(_ group: [FeedItem], judged: [Int], findings: inout [[Diagnostic]], channel: String) {}

    /// The marketplaces' shared checks: a mapped category or product type.
    static func checkMarketplaceCategory(_ item: FeedItem, column: String, into findings: inout Findings) {
        if item.marketplaceCategory == nil {
            findings.error(
                "unmapped_category",
                "no [channels.\(findings.channel).\(categoryKey)] entry for this product_type, and no \(findings.channel).\(column) column",
                item.productType ?? "no product_type")
        }
    }
}
