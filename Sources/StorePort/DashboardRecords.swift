public import Catalog

// What the dashboard (DESIGN.md §11) reads and keeps beside the catalog: the history of imports and
// publishes, sign-in sessions, and the lookups of its pages.

/// One committed import, as the runs page lists it.
public struct ImportRun: Sendable, Hashable {
    public var at: String
    /// `catalog`, `stores`, `inventory` or `promotions`.
    public var kind: String
    public var file: String
    public var format: String
    public var rows, new, updated, unchanged, rejected, warnings: Int

    public init(at: String, kind: String, file: String, format: String, rows: Int, new: Int, updated: Int, unchanged: Int, rejected: Int, warnings: Int) {
        self.at = at
        self.kind = kind
        self.file = file
        self.format = format
        self.rows = rows
        self.new = new
        self.updated = updated
        self.unchanged = unchanged
        self.rejected = rejected
        self.warnings = warnings
    }
}

/// One channel of one publish (or hold-back), with what changed against the channel's previous publish
/// into the same folder (`nil`: not measured, such as the first publish or a held-back run).
public struct PublishRun: Sendable, Hashable {
    public var channel: String
    public var outDir: String
    public var at: String
    public var items: Int
    public var published: Bool
    public var added, removed, changed: Int?

    public init(channel: String, outDir: String, at: String, items: Int, published: Bool, added: Int? = nil, removed: Int? = nil, changed: Int? = nil) {
        self.channel = channel
        self.outDir = outDir
        self.at = at
        self.items = items
        self.published = published
        self.added = added
        self.removed = removed
        self.changed = changed
    }
}

/// Items a publish added, removed and changed against the channel's previous publish.
public struct PublishDifference: Sendable, Hashable {
    public var added = 0, removed = 0, changed = 0
    public init(added: Int = 0, removed: Int = 0, changed: Int = 0) {
        self.added = added
        self.removed = removed
        self.changed = changed
    }
}

/// A signed-in browser: the token it signed in with, its CSRF token, and when it expires.
public struct DashboardSession: Sendable, Hashable {
    public var tokenName: String
    public var csrf: String
    /// Seconds since 1970.
    public var expiresAt: Int

    public init(tokenName: String, csrf: String, expiresAt: Int) {
        self.tokenName = tokenName
        self.csrf = csrf
        self.expiresAt = expiresAt
    }
}

/// The sessions, in one write transaction. The store keeps only the SHA-256 of a session's cookie.
public protocol SessionTable: AnyObject {
    func create(hash: [UInt8], _ session: DashboardSession) throws
    /// The live session of that cookie hash (not expired at `now`), with its token, if the token is live.
    func find(hash: [UInt8], now: Int) throws -> (session: DashboardSession, token: APIToken)?
    func delete(hash: [UInt8]) throws
    /// Removes sessions expired at `now`; returns how many.
    @discardableResult
    func purge(now: Int) throws -> Int
}

/// What the products search looks for: a SKU (exact or by prefix), a GTIN, or words of the title.
public struct ProductQuery: Sendable, Hashable {
    public var text: String
    public init(_ text: String) { self.text = text }

    /// The title words, lowercased, letters and digits only (each matched as a word prefix).
    public var words: [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { !$0.isEmpty }.prefix(8).map { $0 }
    }

    /// The digits when the whole text is 8 to 14 digits (a GTIN).
    public var gtinDigits: String? {
        let t = text.trimmingASCIIWhitespace()
        return (8...14).contains(t.utf8.count) && t.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } ? t : nil
    }
}

/// One search result: a SKU with what its row shows.
public struct SearchHit: Sendable, Hashable {
    public var sku: String
    public var productID: String
    public var title: String?
    public var gtin: String?
    public var price: Money
    public var status: VariantStatus

    public init(sku: String, productID: String, title: String?, gtin: String?, price: Money, status: VariantStatus) {
        self.sku = sku
        self.productID = productID
        self.title = title
        self.gtin = gtin
        self.price = price
        self.status = status
    }
}

/// A ledger movement with its SKU (the stock page's latest movements).
public struct LedgerEntry: Sendable, Hashable {
    public var sku: String
    public var movement: StockMovement
    public init(sku: String, movement: StockMovement) {
        self.sku = sku
        self.movement = movement
    }
}

/// On hand at one location in total.
public struct LocationStock: Sendable, Hashable {
    public var code: String
    public var name: String
    public var skus: Int
    public var units: Int
    public var oversold: Int

    public init(code: String, name: String, skus: Int, units: Int, oversold: Int) {
        self.code = code
        self.name = name
        self.skus = skus
        self.units = units
        self.oversold = oversold
    }
}

/// The dashboard's reads, inside one snapshot. Lists are paginated by key (`after`: the last key of the
/// page before), never by offset, so a page costs the same at any depth.
public protocol DashboardReads {
    /// SKUs matching `query` (SKU prefix, GTIN, or every title word as a prefix) after the key `after`,
    /// and the key of the next page (`nil`: this is the last).
    func search(_ query: ProductQuery, after: String?, limit: Int) throws -> (hits: [SearchHit], next: String?)
    /// The latest imports, newest first.
    func importRuns(limit: Int) throws -> [ImportRun]
    /// The latest channel publishes, newest first (`channel`: that channel only).
    func publishRuns(channel: String?, limit: Int) throws -> [PublishRun]
    /// Totals per location (online first, then stores by code).
    func locationStock() throws -> [LocationStock]
    /// SKUs below zero somewhere, by SKU then location, after `after` (a SKU).
    func oversold(after: String?, limit: Int) throws -> [(sku: String, location: String, onHand: Int)]
    /// The latest ledger movements, newest first, before the movement id `before` (`location`: there only).
    func latestMovements(location: String?, before: Int64?, limit: Int) throws -> [LedgerEntry]
    /// Order lines by channel, order and line after `after` (`unmatchedOnly`: SKUs the catalog lacks), each
    /// with on hand at its location now (`nil`: no record there).
    func orderLines(after: OrderLineKey?, unmatchedOnly: Bool, limit: Int) throws -> [(line: RecordedOrderLine, onHand: Int?)]
    /// The number of order lines, and of those whose SKU is unknown.
    func orderLineCounts() throws -> (lines: Int, unmatched: Int)
}

/// An order line's key, for key-based pages.
public struct OrderLineKey: Sendable, Hashable {
    public var channel, orderID, lineID: String
    public init(channel: String, orderID: String, lineID: String) {
        self.channel = channel
        self.orderID = orderID
        self.lineID = lineID
    }
}
