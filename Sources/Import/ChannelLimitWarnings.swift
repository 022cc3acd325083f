public import Catalog
public import Formats
import Foundation
import StorePort

/// Values the catalog stores as the merchant has them but some channel will not take: said at import
/// as warnings (with the row and column), judged per channel by the diagnostics. A title over Google's
/// 150 characters (`title_too_long`) and an image on a host no channel can reach (`image_not_public`).
/// A GTIN that is not valid and a missing price are said by the mappers as they read them.
struct ChannelLimitWarnings {
    let file: String
    /// The title and image columns as the file names them.
    let titleColumn: String?
    let imageColumn: String?
    /// The product last warned about: a native file repeats product fields on every variant row.
    private var lastProductID: String?

    static let titleLimit = 150

    init(header: Header) {
        file = header.file
        titleColumn = (header.column(anyOf: ["title", "Name"]) ?? header.canonicalNames.firstIndex { $0.lowercased().hasPrefix("name-") })
            .map { header.names[$0] }
        imageColumn = header.column(anyOf: ["image_link", "Image Src", "Images", "Variant Image", "images", "image"]).map { header.names[$0] }
    }

    init(file: String, titleColumn: String?, imageColumn: String?) {
        self.file = file
        self.titleColumn = titleColumn
        self.imageColumn = imageColumn
    }

    mutating func check(_ record: inout MappedRecord) {
        guard record.errors.isEmpty, case .catalog(let product, let variant) = record.payload else { return }
        let at = InputLocation(file: file, line: record.source.line)
        if let product, product.productID != lastProductID, let title = product.title {
            lastProductID = product.productID
            // Bytes first: a title of at most 150 bytes has at most 150 characters (most titles).
            if title.utf8.count > Self.titleLimit, case let length = title.count, length > Self.titleLimit {
                record.warnings.append(
                    InputError(
                        "title is \(length) characters, over Google's \(Self.titleLimit) (Meta, Amazon and Walmart take 200): imported; channels judge it (title_too_long)",
                        at: at, column: titleColumn, found: String(title.prefix(60)) + "…", severity: .warning))
            }
            for url in product.images ?? [] where !WebURL.isPublic(url) {
                record.warnings.append(notPublic(url, at: at))
            }
        }
        for url in variant?.images ?? [] where !WebURL.isPublic(url) {
            record.warnings.append(notPublic(url, at: at))
        }
    }

    private func notPublic(_ url: String, at: InputLocation) -> InputError {
        InputError(
            "image URL is on a local or private host that no channel can fetch: imported; channels leave the item out (image_not_public)",
            at: at, column: imageColumn, found: url, severity: .warning)
    }
}
