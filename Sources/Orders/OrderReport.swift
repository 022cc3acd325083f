public import Catalog
public import Config
public import Formats
public import Foundation
public import Pipeline
public import StorePort

/// A marketplace order report read one order line at a time.
///
/// Readers are pure parsers: bytes in, `OrderLine`s out. A row with a problem adds it to `problems`
/// (every problem of the file is reported) and the importer then writes nothing; a problem that stops
/// the read (a wrong header, broken JSON) is thrown.
public protocol OrderReportReader {
    var channel: OrderChannel { get }
    mutating func next(problems: inout [InputError]) throws -> OrderLine?
}

/// Opening order reports: format detection (`--channel auto`) and the reader for each marketplace.
public enum OrderReport {
    /// Opens `path` as `channel`'s report, or detects the marketplace from the file's start.
    public static func open(
        path: String, displayName: String, channel: OrderChannel?, encoding: TextEncoding, timeZone: TimeZone
    ) throws -> any OrderReportReader {
        let format = try channel ?? detect(path: path, displayName: displayName)
        switch format {
        case .amazon: return try AmazonOrderReport(path: path, file: displayName, encoding: encoding, timeZone: timeZone)
        case .ebay: return try EbayOrderReport(path: path, file: displayName, encoding: encoding, timeZone: timeZone)
        case .walmart: return try WalmartOrderReport(path: path, file: displayName)
        }
    }

    /// JSON → Walmart; a header with `amazon-order-id` or `order-id` and tabs → Amazon; a header with
    /// `Order Number` (within the first lines, after eBay's filler) → eBay.
    public static func detect(path: String, displayName: String) throws -> OrderChannel {
        guard FileAccess.problem(reading: path) == nil, let handle = FileHandle(forReadingAtPath: path) else {
            throw FileAccess.unreadable(path, shownAs: displayName, what: "the order report")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 64 * 1024)) ?? Data()
        var bytes = [UInt8](head)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return .walmart
        }
        let text = String(decoding: bytes, as: UTF8.self).lowercased()
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).prefix(5)
        if let first = lines.first, first.contains("\t"), first.contains("amazon-order-id") || first.contains("order-id") { return .amazon }
        if lines.contains(where: { $0.contains("order number") }) { return .ebay }
        throw InputError(
            "cannot tell which marketplace this report is from: expected an Amazon flat file (amazon-order-id or order-id, tab separated), an eBay orders CSV (Order Number) or Walmart /v3/orders JSON; use --channel",
            at: InputLocation(file: displayName, line: 1), found: lines.first.map { String($0.prefix(80)) } ?? "an empty file")
    }

    /// A whole number of units ≥ 0 (`"2"`, `2`).
    static func quantity(_ text: String) throws(ValueError) -> Int {
        let t = text.trimmingASCIIWhitespace()
        guard !t.isEmpty, t.utf8.count <= 9, t.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(t) else {
            throw ValueError("expected a whole number of units (0 or more)")
        }
        return n
    }
}
