import Catalog
import Config
import Foundation

/// A price-comparison or other declared channel (`templates/idealo.toml`): the basics any listing needs,
/// as TSV or CSV columns declared in its template.
enum BasicChannel: ChannelAdapter {}

/// Tab-separated columns declared in a template.
enum TSVFormat: TemplateFormat {
    static func reader(path: String, digest: FileDigest?) throws -> any FeedRowReader {
        try DelimitedFeedReader(path: path, format: .tsv, digest: digest)
    }
}

/// Comma-separated columns declared in a template.
enum CSVFormat: TemplateFormat {
    static func reader(path: String, digest: FileDigest?) throws -> any FeedRowReader {
        try DelimitedFeedReader(path: path, format: .csv, digest: digest)
    }
}
