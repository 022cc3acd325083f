/// One line of a marketplace order as a report shows it at one moment (DESIGN.md §7).
///
/// A line is identified by (channel, order id, line id); reports seen later may change its status or
/// cancel part of it. How much of our stock it should hold is `desired`: the quantity still wanted,
/// nothing for lines the marketplace fulfils from its own stock (Amazon FBA, Walmart WFS).
public struct OrderLine: Hashable, Sendable {
    public var channel: String
    public var orderID: String
    public var lineID: String
    public var sku: String
    /// Units ordered.
    public var quantity: Int
    /// Units cancelled (a cancelled line cancels all of them).
    public var cancelledQuantity: Int
    /// Units refunded (restocked only when `[orders] restock_refunds` says so).
    public var refundedQuantity: Int
    /// The marketplace's status, as it spells it (`Shipped`, `Cancelled`, `Acknowledged`).
    public var status: String
    /// Fulfilled by the marketplace from its own warehouse: never draws on our stock.
    public var marketplaceFulfilled: Bool
    public var placedAt: Timestamp?
    /// The physical line of the report where the line is (for messages).
    public var sourceLine: Int

    public init(
        channel: String, orderID: String, lineID: String, sku: String, quantity: Int, cancelledQuantity: Int = 0,
        refundedQuantity: Int = 0, status: String, marketplaceFulfilled: Bool = false, placedAt: Timestamp? = nil, sourceLine: Int
    ) {
        self.channel = channel
        self.orderID = orderID
        self.lineID = lineID
        self.sku = sku
        self.quantity = quantity
        self.cancelledQuantity = cancelledQuantity
        self.refundedQuantity = refundedQuantity
        self.status = status
        self.marketplaceFulfilled = marketplaceFulfilled
        self.placedAt = placedAt
        self.sourceLine = sourceLine
    }

    /// Whether the whole line is cancelled.
    public var isCancelled: Bool { status.lowercased().hasPrefix("cancel") || (quantity > 0 && cancelledQuantity >= quantity) }

    /// Units this line should hold off our stock now: `quantity − cancelled` (and `− refunded` when refunds
    /// restock), never below zero; zero when cancelled or fulfilled by the marketplace.
    public func desired(restockRefunds: Bool) -> Int {
        if marketplaceFulfilled || isCancelled { return 0 }
        var units = quantity - cancelledQuantity
        if restockRefunds { units -= refundedQuantity }
        return max(0, units)
    }
}

/// The marketplaces whose order reports Unifeed reads.
public enum OrderChannel: String, CaseIterable, Sendable {
    case amazon, ebay, walmart
}
