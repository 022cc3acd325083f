public import Catalog
public import Config
public import Formats
public import Foundation
public import StorePort

/// Amazon flat-file order reports (tab separated, one row per order item), read by header name
/// (specs/marketplaces.md §2.3):
///
/// - the all-orders report (`GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL` and its generations:
///   with or without `url`, `cpf`, `number-of-items`, the archived variant without ship-city…): no line
///   id, so a line is `ORDER#SKU#n`, the n-th row of that SKU in that order;
/// - the MFN order report (`_GET_FLAT_FILE_ORDERS_DATA_` and its unshipped successor): `order-id` and
///   `order-item-id`; continuation rows with a blank `order-id` belong to the order above.
///
/// `fulfillment-channel` `Amazon` is FBA (never draws on our stock). Status is `item-status`, else
/// `order-status`, else `Unshipped` (the MFN report lists orders to ship; `Shipped` once
/// `quantity-shipped` reaches the quantity). Fields are not quoted in these files: `"` is a character.
public struct AmazonOrderReport: OrderReportReader {
    public let channel = OrderChannel.amazon
    let reader: CSVReader
    let header: Header
    let timeZone: TimeZone
    let orderID, itemID, sku, quantity, itemStatus, orderStatus, fulfillment, purchaseDate, quantityShipped: Int?
    var previousOrderID: String?
    var previousPlacedAt: Timestamp?
    /// Rows per (order, SKU) so far, for the synthesised line ids of the all-orders report.
    var occurrences: [String: Int] = [:]

    public init(path: String, file: String, encoding: TextEncoding, timeZone: TimeZone) throws {
        try self.init(source: try FileByteSource(path: path), file: file, encoding: encoding, timeZone: timeZone)
    }

    public init(source: any ByteSource, file: String, encoding: TextEncoding, timeZone: TimeZone) throws {
        reader = try CSVReader(source: source, file: file, delimiter: UInt8(ascii: "\t"), encoding: encoding, quoting: false)
        guard try reader.next() else { throw InputError("the file is empty: expected an Amazon order report header", at: InputLocation(file: file, line: 1)) }
        header = Header(reader.fields, file: file)
        guard header.column(anyOf: ["amazon-order-id", "order-id"]) != nil else {
            throw InputError(
                "missing required column for an Amazon order report", at: InputLocation(file: file, line: 1),
                column: "amazon-order-id", found: reader.fields.joined(separator: " "))
        }
        try header.require(["sku"], format: "Amazon order report")
        guard header.column(anyOf: ["quantity", "quantity-purchased"]) != nil else {
            throw InputError(
                "missing required column for an Amazon order report", at: InputLocation(file: file, line: 1),
                column: "quantity", found: reader.fields.joined(separator: " "))
        }
        self.timeZone = timeZone
        orderID = header.column(anyOf: ["amazon-order-id", "order-id"])
        itemID = header.column("order-item-id")
        sku = header.column("sku")
        quantity = header.column(anyOf: ["quantity", "quantity-purchased"])
        itemStatus = header.column("item-status")
        orderStatus = header.column("order-status")
        fulfillment = header.column("fulfillment-channel")
        purchaseDate = header.column("purchase-date")
        quantityShipped = header.column("quantity-shipped")
    }

    public mutating func next(problems: inout [InputError]) throws -> OrderLine? {
        while try reader.next() {
            if reader.fields.allSatisfy({ $0.trimmingASCIIWhitespace().isEmpty }) { continue }
            var row = RowReader(header: header, row: SourceRow(line: reader.line, fields: reader.fields))
            let order = row.text(orderID) ?? previousOrderID
            if order == nil { row.fail(orderID, "expected an order id (a continuation row needs an order above it)") }
            previousOrderID = order
            let sku = row.text(sku)
            if sku == nil { row.fail(self.sku, "expected the SKU of the order item") }
            let units = row.text(quantity) == nil ? nil : row.parse(quantity, OrderReport.quantity)
            if row.text(quantity) == nil { row.fail(quantity, "expected a whole number of units (0 or more)", found: "") }
            let continuation = row.text(orderID) == nil
            let placedAt =
                row.parse(purchaseDate) { text throws(ValueError) in try Timestamp.parse(text, timeZone: timeZone) }
                ?? (continuation ? previousPlacedAt : nil)
            previousPlacedAt = placedAt
            let shipped = row.parse(quantityShipped, OrderReport.quantity)
            guard row.errors.isEmpty, let order, let sku, let units else {
                problems += row.errors
                continue
            }
            let lineID: String
            if let item = row.text(itemID) {
                lineID = item
            } else {
                let key = order + "\u{1F}" + sku
                let n = (occurrences[key] ?? 0) + 1
                occurrences[key] = n
                lineID = "\(order)#\(sku)#\(n)"
            }
            var status = row.text(itemStatus) ?? row.text(orderStatus) ?? "Unshipped"
            if row.text(itemStatus) == nil && row.text(orderStatus) == nil, let shipped, shipped >= units, units > 0 { status = "Shipped" }
            if row.text(orderStatus)?.lowercased() == "cancelled" { status = "Cancelled" }
            return OrderLine(
                channel: channel.rawValue, orderID: order, lineID: lineID, sku: sku, quantity: units, status: status,
                marketplaceFulfilled: row.text(fulfillment)?.lowercased() == "amazon", placedAt: placedAt, sourceLine: reader.line)
        }
        return nil
    }
}
