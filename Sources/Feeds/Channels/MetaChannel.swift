import Catalog
import Foundation

/// The Meta catalog (specs/google-merchant.md §7): its CSV is declared in `templates/meta.toml`.
enum MetaChannel: ChannelAdapter {
    static var listsArchived: Bool { true }  // Meta lists archived SKUs as archived
    static var titleRule: TitleRule { .limit(200) }
    static var editorialDescriptionLimit: Int? { 9999 }

    static func check(_ item: FeedItem, into findings: inout Findings) {
        if item.brand == nil && item.gtin == nil && item.mpn == nil { findings.error("missing_brand", "brand (or a GTIN or MPN) is required") }
    }
}
