import Catalog
public import StorePort

/// Orders (`/orders`): the order lines, those whose SKU the catalog lacks, and those whose location is
/// oversold now.
public struct OrdersPage {
    public var lines: [(line: RecordedOrderLine, onHand: Int?)]
    public var counts: (lines: Int, unmatched: Int)
    public var unmatchedOnly: Bool
    public var next: String?

    public init(lines: [(line: RecordedOrderLine, onHand: Int?)], counts: (lines: Int, unmatched: Int), unmatchedOnly: Bool, next: String?) {
        self.lines = lines
        self.counts = counts
        self.unmatchedOnly = unmatchedOnly
        self.next = next
    }

    public var values: [String: Any] {
        var values: [String: Any] = [
            "lines": Figures.count(counts.lines), "unmatched": Figures.count(counts.unmatched), "unmatchedOnly": unmatchedOnly,
            "rows": lines.map { entry -> [String: Any] in
                let l = entry.line
                return [
                    "channel": l.channel, "orderID": l.orderID, "lineID": l.lineID, "sku": l.sku, "skuPath": Figures.pathSegment(l.sku),
                    "quantity": String(l.quantity), "status": l.status, "marketplaceFulfilled": l.marketplaceFulfilled, "location": l.location,
                    "applied": String(l.applied), "matched": l.matched, "unmatched": !l.matched,
                    "onHand": entry.onHand.map(String.init) ?? "", "oversold": (entry.onHand ?? 0) < 0,
                ]
            },
        ]
        if let next { values["next"] = next }
        return values
    }
}
