public import Catalog
public import Config
public import Formats
public import Foundation
public import Pipeline
public import StorePort

/// Walmart `GET /v3/orders` JSON (specs/marketplaces.md §4.4): `list.elements.order[]`, each with
/// `orderLines.orderLine[]`. Quirks honoured: timestamps in epoch milliseconds (ISO 8601 text is taken
/// too), quantities as strings, `null` for absent objects.
///
/// The line's status is its latest `orderLineStatus`; units with status `Cancelled` are cancelled and
/// units with `Refund` refunded. An order whose `shipNode.type` is `WFSFulfilled` is fulfilled by Walmart
/// and never draws on our stock. Problems name the line and the JSON path.
public struct WalmartOrderReport: OrderReportReader {
    public let channel = OrderChannel.walmart
    /// A response page larger than this is refused (Walmart pages hold at most 200 orders).
    public static let maxBytes = 256 << 20
    var lines: [OrderLine] = []
    var problems: [InputError] = []
    var index = 0

    public init(path: String, file: String) throws {
        guard FileAccess.problem(reading: path) == nil, let handle = FileHandle(forReadingAtPath: path) else {
            throw FileAccess.unreadable(path, shownAs: file, what: "the order report")
        }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: WalmartOrderReport.maxBytes + 1) ?? Data()
        guard data.count <= WalmartOrderReport.maxBytes else {
            throw InputError("the file is larger than \(WalmartOrderReport.maxBytes >> 20) MiB; split the orders into pages", at: InputLocation(file: file, line: 1))
        }
        try self.init(bytes: [UInt8](data), file: file)
    }

    public init(bytes: [UInt8], file: String) throws {
        let root = try JSONReader.parse(bytes, file: file)
        try read(root, file: file)
    }

    public mutating func next(problems: inout [InputError]) throws -> OrderLine? {
        if index == 0 { problems += self.problems }
        guard index < lines.count else { return nil }
        index += 1
        return lines[index - 1]
    }

    private mutating func read(_ root: JSONNode, file: String) throws {
        func problem(_ node: JSONNode, _ path: String, _ message: String, found: String? = nil) -> InputError {
            InputError(message, at: InputLocation(file: file, line: node.line, column: node.column), column: path, found: found)
        }
        let list = root["list"] ?? root
        guard let orders = list["elements"]?["order"]?.array else {
            throw problem(
                root, "list.elements.order", "expected Walmart /v3/orders JSON with a list.elements.order array",
                found: root["list"] == nil ? "no list" : "no elements.order")
        }
        for (o, order) in orders.enumerated() {
            let at = "order[\(o)]"
            guard let orderID = text(order["purchaseOrderId"]) else {
                problems.append(problem(order, "\(at).purchaseOrderId", "expected the purchase order id", found: order["purchaseOrderId"]?.kind ?? "nothing"))
                continue
            }
            var placedAt: Timestamp?
            if let date = order["orderDate"], !date.isNull {
                if let t = timestamp(date) {
                    placedAt = t
                } else {
                    problems.append(problem(date, "\(at).orderDate", "expected epoch milliseconds or an ISO 8601 date", found: date.kind))
                }
            }
            let wfs = order["shipNode"]?["type"]?.string?.lowercased().hasPrefix("wfs") ?? false
            guard let orderLines = order["orderLines"]?["orderLine"]?.array else {
                problems.append(problem(order, "\(at).orderLines.orderLine", "expected the order's lines"))
                continue
            }
            for (l, line) in orderLines.enumerated() {
                let path = "\(at).orderLine[\(l)]"
                let lineNumber = text(line["lineNumber"])
                if lineNumber == nil { problems.append(problem(line, "\(path).lineNumber", "expected the line number", found: line["lineNumber"]?.kind ?? "nothing")) }
                let sku = line["item"]?["sku"]?.string
                if sku == nil { problems.append(problem(line, "\(path).item.sku", "expected the item's SKU", found: line["item"]?["sku"]?.kind ?? "nothing")) }
                let amountNode = line["orderLineQuantity"]?["amount"]
                let quantity = units(amountNode)
                if quantity == nil {
                    problems.append(
                        problem(
                            amountNode ?? line, "\(path).orderLineQuantity.amount", "expected a whole number of units (0 or more)",
                            found: amountNode?.kind ?? "nothing"))
                }
                var status = "Created"
                var cancelled = 0, refunded = 0
                for (s, entry) in (line["orderLineStatuses"]?["orderLineStatus"]?.array ?? []).enumerated() {
                    guard let name = entry["status"]?.string else {
                        problems.append(problem(entry, "\(path).orderLineStatus[\(s)].status", "expected a status"))
                        continue
                    }
                    status = name
                    let amount = entry["statusQuantity"]?["amount"]
                    let n = amount.flatMap(units) ?? 0
                    if amount != nil && amount.flatMap(units) == nil {
                        problems.append(problem(amount!, "\(path).orderLineStatus[\(s)].statusQuantity.amount", "expected a whole number of units", found: amount!.kind))
                    }
                    if name.lowercased().hasPrefix("cancel") { cancelled += n }
                    if name.lowercased().hasPrefix("refund") { refunded += n }
                }
                guard let lineNumber, let sku, let quantity else { continue }
                lines.append(
                    OrderLine(
                        channel: channel.rawValue, orderID: orderID, lineID: lineNumber, sku: sku, quantity: quantity,
                        cancelledQuantity: min(cancelled, quantity), refundedQuantity: min(refunded, quantity), status: status,
                        marketplaceFulfilled: wfs, placedAt: placedAt, sourceLine: line.line))
            }
        }
    }

    private func text(_ node: JSONNode?) -> String? {
        guard let node else { return nil }
        if let s = node.string, !s.isEmpty { return s }
        return node.numberText
    }

    private func units(_ node: JSONNode?) -> Int? {
        guard let node, let t = node.string ?? node.numberText else { return nil }
        return try? OrderReport.quantity(t)
    }

    private func timestamp(_ node: JSONNode) -> Timestamp? {
        if let n = node.numberText, let ms = Int64(n) { return Timestamp(secondsSinceEpoch: ms / 1000) }
        if let s = node.string { return try? Timestamp.parse(s, timeZone: TimeZone(identifier: "UTC")!) }
        return nil
    }
}
