import Catalog
import Config
import Foundation

/// What one output format needs from Unifeed, in one place: how to write it, how `audit` reads it back,
/// and, for a fixed layout, which of its values audit compares with which canonical field.
///
/// A new Swift format is written in its channel's file in `Feeds/Channels/` (its writer, its reader
/// and a conforming type), plus its case of `OutputFormat` and its line of `FormatAdapters.table` (both
/// in `Registry.swift`), and a template in `templates/` naming the format.
protocol FormatAdapter: Sendable {
    /// A writer for one output of a channel into the channel's folder `dir`.
    static func writer(
        output: ChannelDefinition.Output, scope: ChannelDefinition.Scope, dir: String, settings: ChannelSettings,
        shop: ShopConfig
    ) throws -> any OutputWriter
    /// A reader of one published file, row by row; `digest`, when given, gets every byte it reads.
    static func reader(path: String, digest: FileDigest?) throws -> any FeedRowReader
    /// What audit checks in a file of a fixed layout, as columns of canonical fields (the header a reader
    /// reports a value under, and the field the catalog's value comes from); `nil`: the template's columns.
    static var auditColumns: [ChannelDefinition.Column]? { get }
}

extension FormatAdapter {
    static var auditColumns: [ChannelDefinition.Column]? { nil }

    /// A column of `auditColumns`.
    static func column(_ header: String, _ field: String) -> ChannelDefinition.Column { .init(header: header, field: field, values: [:]) }
}

/// A format whose columns a template declares (XML, TSV, CSV): written by `TemplateOutputWriter`.
protocol TemplateFormat: FormatAdapter {}

extension TemplateFormat {
    static func writer(
        output: ChannelDefinition.Output, scope: ChannelDefinition.Scope, dir: String, settings: ChannelSettings,
        shop: ShopConfig
    ) throws -> any OutputWriter {
        try TemplateOutputWriter(output: output, scope: scope, dir: dir, settings: settings, shop: shop)
    }
}
