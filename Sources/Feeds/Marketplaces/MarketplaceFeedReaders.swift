import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

/// An Amazon listings file read back: one row per `UPDATE` message that carries an offer (variation
/// parents and `DELETE` messages carry none). Read a line at a time, as Unifeed writes it (one message a
/// line), so memory stays at one message whatever the file's size.
struct AmazonListingsReader: FeedRowReader {
    let lines: JSONLinesReader

    init(path: String) throws { lines = try JSONLinesReader(path: path) }

    mutating func next() throws -> FeedReaderRow? {
        while let (line, message) = try lines.next() {
            guard let sku = message["sku"]?.string, let offer = message["attributes"]?["purchasable_offer"]?.array?.first else { continue }
            func scheduled(_ key: String) -> String {
                offer[key]?.array?.first?["schedule"]?.array?.first?["value_with_tax"]?.numberText ?? ""
            }
            let quantity = message["attributes"]?["fulfillment_availability"]?.array?.first?["quantity"]?.numberText ?? ""
            return FeedReaderRow(
                line: line,
                values: [
                    "sku": sku, "our_price": scheduled("our_price"), "discounted_price": scheduled("discounted_price"), "quantity": quantity,
                ])
        }
        return nil
    }
}

/// The JSON objects of a file that holds one per line (JSON lines, or Amazon's messages as Unifeed lays
/// them out: a trailing `,` is dropped, and the envelope's own lines — `{"header":…`, `]}` — skipped).
final class JSONLinesReader {
    let reader: CSVReader

    init(path: String) throws {
        // Lines read with the byte reader: no quoting, and a delimiter (0x01) JSON text never holds raw.
        reader = try CSVReader(path: path, delimiter: 0x01, quoting: false)
    }

    func next() throws -> (line: Int, object: JSONNode)? {
        while try reader.next() {
            var bytes = Array(reader.fields.joined(separator: "\u{01}").utf8)
            while let last = bytes.last, last == UInt8(ascii: ",") || last == 0x20 || last == 0x0D { bytes.removeLast() }
            guard bytes.first == UInt8(ascii: "{"), !bytes.starts(with: Array("{\"header\"".utf8)) else { continue }
            return (reader.line, try JSONReader.parse(bytes, file: reader.file))
        }
        return nil
    }
}

/// An eBay File Exchange file read back: rows with a price (variation parents and `End` rows have none).
struct EbayFileExchangeReader: FeedRowReader {
    var rows: DelimitedFeedReader

    init(path: String) throws { rows = try DelimitedFeedReader(path: path, format: .csv) }

    mutating func next() throws -> FeedReaderRow? {
        while let row = try rows.next() {
            if let price = row.values["StartPrice"], !price.isEmpty { return row }
        }
        return nil
    }
}

/// Walmart's MP_ITEM JSON lines read back (the header line skipped): sku and price of each item.
struct WalmartItemsReader: FeedRowReader {
    let lines: JSONLinesReader

    init(path: String) throws { lines = try JSONLinesReader(path: path) }

    mutating func next() throws -> FeedReaderRow? {
        while let (line, node) = try lines.next() {
            guard let orderable = node["Orderable"], let sku = orderable["sku"]?.string else { continue }
            return FeedReaderRow(line: line, values: ["sku": sku, "price": orderable["price"]?.numberText ?? ""])
        }
        return nil
    }
}
