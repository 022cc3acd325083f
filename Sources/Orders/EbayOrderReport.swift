public import Catalog
public import Config
public import Formats
public import Foundation
public import Pipeline
public import StorePort

/// eBay Seller Hub orders report (CSV; specs/marketplaces.md §3.2), read by header name.
///
/// The file's quirks: a first line of bare commas (or none) before the header, a blank padding row,
/// footer lines (`N,record(s) downloaded,…`, `Seller ID : …`). A multi-item order is a summary row (no
/// Item Number, Item Title or Custom Label) followed by one row per item; the summary is not a line.
/// `Custom Label` is the SKU; the line id is the `Transaction ID` (else `ITEM#SKU`). US, UK and AU
/// spellings are accepted. The report has no status column: a line is `Shipped` once `Shipped On Date`
/// is set, else `Paid`, else `Awaiting payment`; a `Cancellation Status` (or `Order Status`) column,
/// when the export has one, marks cancelled lines (`Cancelled`, `Cancel complete`).
public struct EbayOrderReport: OrderReportReader {
    public let channel = OrderChannel.ebay
    let reader: CSVReader
    let header: Header
    let timeZone: TimeZone
    let orderNumber, itemNumber, itemTitle, customLabel, quantity, transactionID, saleDate, paidOn, shippedOn, cancellation: Int?

    public init(path: String, file: String, encoding: TextEncoding, timeZone: TimeZone) throws {
        try self.init(source: try FileByteSource(path: path), file: file, encoding: encoding, timeZone: timeZone)
    }

    public init(source: any ByteSource, file: String, encoding: TextEncoding, timeZone: TimeZone) throws {
        reader = try CSVReader(source: source, file: file, delimiter: UInt8(ascii: ","), encoding: encoding)
        var found: Header?
        while try reader.next() {
            let fields = reader.fields.map { $0.trimmingASCIIWhitespace() }
            if fields.allSatisfy(\.isEmpty) { continue }
            guard fields.contains(where: { $0.lowercased() == "order number" }) else {
                throw InputError(
                    "expected the eBay orders header (a row with Order Number) before any data", at: InputLocation(file: file, line: reader.line),
                    column: "Order Number", found: reader.fields.prefix(6).joined(separator: ","))
            }
            found = Header(reader.fields, file: file)
            break
        }
        guard let header = found else { throw InputError("the file has no eBay orders header (a row with Order Number)", at: InputLocation(file: file, line: 1)) }
        try header.require(["Quantity"], format: "eBay orders report")
        self.header = header
        self.timeZone = timeZone
        orderNumber = header.column("Order Number")
        itemNumber = header.column("Item Number")
        itemTitle = header.column("Item Title")
        customLabel = header.column(anyOf: ["Custom Label", "Custom label (SKU)"])
        quantity = header.column("Quantity")
        transactionID = header.column("Transaction ID")
        saleDate = header.column(anyOf: ["Sale Date", "Sold On"])
        paidOn = header.column("Paid On Date")
        shippedOn = header.column(anyOf: ["Shipped On Date", "Posted On Date", "Dispatched On Date"])
        cancellation = header.column(anyOf: ["Cancellation Status", "Order Status", "Cancel Status"])
    }

    public mutating func next(problems: inout [InputError]) throws -> OrderLine? {
        while try reader.next() {
            let fields = reader.fields
            if fields.allSatisfy({ $0.trimmingASCIIWhitespace().isEmpty }) { continue }
            if EbayOrderReport.isFooter(fields) { continue }
            var row = RowReader(header: header, row: SourceRow(line: reader.line, fields: fields))
            // The summary row of a multi-item order: totals only.
            if row.text(itemNumber) == nil && row.text(itemTitle) == nil && row.text(customLabel) == nil { continue }
            let order = row.text(orderNumber)
            if order == nil { row.fail(orderNumber, "expected the order number") }
            let units = row.parse(quantity, OrderReport.quantity)
            if row.text(quantity) == nil { row.fail(quantity, "expected a whole number of units (0 or more)", found: "") }
            let placedAt = row.parse(saleDate) { text throws(ValueError) in try EbayOrderReport.date(text, timeZone: timeZone) }
            guard row.errors.isEmpty, let order, let units else {
                problems += row.errors
                continue
            }
            let sku = row.text(customLabel) ?? ""
            let lineID = row.text(transactionID) ?? "\(row.text(itemNumber) ?? "")#\(sku)"
            var status = row.text(shippedOn) != nil ? "Shipped" : row.text(paidOn) != nil ? "Paid" : "Awaiting payment"
            if let cancel = row.text(cancellation)?.lowercased(), cancel.hasPrefix("cancel") { status = "Cancelled" }
            return OrderLine(
                channel: channel.rawValue, orderID: order, lineID: lineID, sku: sku, quantity: units, status: status,
                placedAt: placedAt, sourceLine: reader.line)
        }
        return nil
    }

    static func isFooter(_ fields: [String]) -> Bool {
        let first = fields[0].trimmingASCIIWhitespace()
        if first.hasPrefix("Seller ID") { return true }
        return fields.count > 1 && first.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } && fields[1].hasPrefix("record(s) downloaded")
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// eBay's dates: `Nov-29-24`, `Nov-29-2024`, `Nov 29, 2024`, `29-Nov-24` (UK), with no zone: the shop's.
    static func date(_ text: String, timeZone: TimeZone) throws(ValueError) -> Timestamp {
        let expected = ValueError("expected an eBay date such as Nov-29-26 or Nov 29, 2026")
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == "," }).map(String.init)
        guard parts.count >= 3 else { throw expected }
        var month: Int?, day: Int?, year: Int?
        if let m = months.firstIndex(of: parts[0].prefix(3).lowercased()) {
            month = m + 1
            day = Int(parts[1])
        } else if let m = months.firstIndex(of: parts[1].prefix(3).lowercased()) {
            month = m + 1
            day = Int(parts[0])
        }
        year = Int(parts[2])
        guard let month, let day, var year, parts[2].count == 2 || parts[2].count == 4 else { throw expected }
        if year < 100 { year += 2000 }
        let iso = String(format: "%04d-%02d-%02d", year, month, day)
        do { return try Timestamp.parse(iso, timeZone: timeZone) } catch { throw expected }
    }
}

/// eBay's date forms, for tests and other readers.
public enum EbayOrderReportDates {
    public static func parse(_ text: String, _ zone: TimeZone) throws(ValueError) -> Timestamp { try EbayOrderReport.date(text, timeZone: zone) }
}
