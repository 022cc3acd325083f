public import Catalog

/// One ledger movement.
public struct StockMovement: Sendable, Hashable {
    public var id: Int64
    public var at: String
    public var location: String
    public var delta: Int
    public var kind: String
    public var ref: String

    public init(id: Int64, at: String, location: String, delta: Int, kind: String, ref: String) {
        self.id = id
        self.at = at
        self.location = location
        self.delta = delta
        self.kind = kind
        self.ref = ref
    }
}

/// A SKU's stock: on hand per location and the movements that explain it.
public struct StockReport: Sendable {
    public var sku: String
    public var onHand: [(location: String, quantity: Int)]
    public var total: Int { onHand.reduce(0) { $0 + $1.quantity } }
    public var movements: [StockMovement]

    public init(sku: String, onHand: [(location: String, quantity: Int)], movements: [StockMovement]) {
        self.sku = sku
        self.onHand = onHand
        self.movements = movements
    }
}

/// A (SKU, location) pair whose stock an import touched.
public struct SKULocation: Hashable, Sendable {
    public var sku: String
    public var location: String
    public init(sku: String, location: String) {
        self.sku = sku
        self.location = location
    }
}

/// An order line as the database holds it.
public struct RecordedOrderLine: Sendable {
    public var channel, orderID, lineID, sku: String
    public var quantity: Int
    public var status: String
    public var marketplaceFulfilled: Bool
    public var desired, applied: Int
    public var location: String
    public var matched: Bool

    public init(
        channel: String, orderID: String, lineID: String, sku: String, quantity: Int, status: String,
        marketplaceFulfilled: Bool, desired: Int, applied: Int, location: String, matched: Bool
    ) {
        self.channel = channel
        self.orderID = orderID
        self.lineID = lineID
        self.sku = sku
        self.quantity = quantity
        self.status = status
        self.marketplaceFulfilled = marketplaceFulfilled
        self.desired = desired
        self.applied = applied
        self.location = location
        self.matched = matched
    }
}

/// What recording one order line did.
public struct OrderLineOutcome: Sendable {
    public var change: Change
    /// The SKU exists in the catalog.
    public var matched: Bool
    /// Units posted to the ledger now (negative: taken from stock).
    public var delta: Int

    public init(change: Change, matched: Bool, delta: Int) {
        self.change = change
        self.matched = matched
        self.delta = delta
    }
}

/// An order line's stored state, as an order book reads it before recording the line again.
public struct StoredOrderLine: Sendable {
    public var quantity: Int
    public var status: String
    public var desired: Int
    public var applied: Int
    public var location: String
    public var sku: String
    public var marketplaceFulfilled: Bool

    public init(quantity: Int, status: String, desired: Int, applied: Int, location: String, sku: String, marketplaceFulfilled: Bool) {
        self.quantity = quantity
        self.status = status
        self.desired = desired
        self.applied = applied
        self.location = location
        self.sku = sku
        self.marketplaceFulfilled = marketplaceFulfilled
    }
}

/// What recording a line changes (DESIGN.md §7), the same rule on every store: the line keeps its first
/// SKU and location, a cancellation reported with quantity 0 keeps the quantity ordered, and the ledger
/// takes `desired − applied` once the SKU exists.
public struct OrderLineSettlement: Sendable {
    public var quantity: Int
    public var sku: String
    public var location: String
    public var desired: Int
    /// Units the ledger holds for the line after this recording.
    public var applied: Int
    /// The ledger movement to post (0: none).
    public var delta: Int
    public var matched: Bool
    /// The stored line needs no update.
    public var unchanged: Bool

    /// - Parameters:
    ///   - location: the stock location for a new line.
    ///   - skuExists: whether the catalog has a SKU (asked for the line's SKU only).
    public init(
        _ line: OrderLine, stored: StoredOrderLine?, location: String, restockRefunds: Bool, skuExists: (String) throws -> Bool
    ) rethrows {
        // A cancelled line is often reported with quantity 0: keep the quantity that was ordered.
        quantity = line.quantity > 0 ? line.quantity : stored?.quantity ?? 0
        sku = stored?.sku ?? line.sku  // stock already moved for the first SKU named
        self.location = stored?.location ?? location
        var settled = line
        settled.quantity = quantity
        desired = settled.desired(restockRefunds: restockRefunds)
        matched = try skuExists(sku)
        applied = stored?.applied ?? 0
        delta = 0
        if matched && desired != applied {
            delta = applied - desired
            applied = desired
        }
        if let stored {
            unchanged =
                stored.quantity == quantity && stored.status == line.status && stored.desired == desired && stored.applied == applied
                && stored.marketplaceFulfilled == line.marketplaceFulfilled
        } else {
            unchanged = false
        }
    }
}
