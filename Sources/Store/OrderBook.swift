import Catalog
import Foundation
internal import GRDB
import StorePort

/// Records marketplace order lines and moves stock for them through the ledger (DESIGN.md §7).
///
/// Each line is kept once under (channel, order id, line id) with the units it should hold off stock
/// (`desired`) and the units the ledger has taken for it (`applied`). Every import posts
/// `desired − applied` and stores the new `applied`, so the same or an overlapping report changes
/// nothing, a status change moves nothing, a cancellation returns what was taken, and a line whose SKU
/// is unknown waits (`applied` stays 0) until the SKU exists. Runs inside the caller's immediate
/// transaction; a second importer waits for it and then finds every line already applied.
final class OrderBook: OrderBookSession {
    typealias Outcome = OrderLineOutcome

    let db: Database
    let at: String
    let restockRefunds: Bool
    private lazy var statements = StatementCache(db)

    init(db: Database, restockRefunds: Bool, now: Date = Date()) {
        self.db = db
        self.restockRefunds = restockRefunds
        at = Timestamp(now).iso8601UTC
    }

    /// Records `line` (stock from `location` when it is new) and settles its stock.
    func record(_ line: OrderLine, location: String, source: String) throws -> Outcome {
        let select = try statements.prepared(
            """
            SELECT quantity, status, desired, applied, location, sku, marketplace_fulfilled FROM order_lines
            WHERE channel = ? AND order_id = ? AND line_id = ?
            """)
        select.resetForBinding()
        select.bind(1, line.channel)
        select.bind(2, line.orderID)
        select.bind(3, line.lineID)
        var existing: StoredOrderLine?
        if try select.stepRow(db) {
            existing = StoredOrderLine(
                quantity: Int(select.int64(0)), status: select.text(1), desired: Int(select.int64(2)), applied: Int(select.int64(3)),
                location: select.text(4), sku: select.text(5), marketplaceFulfilled: select.int64(6) == 1)
            select.resetForBinding()
        }
        let s = try OrderLineSettlement(line, stored: existing, location: location, restockRefunds: restockRefunds, skuExists: skuExists)
        if s.delta != 0 { try post(sku: s.sku, location: s.location, delta: s.delta, line: line) }
        let change: Change
        if existing != nil {
            guard !s.unchanged else { return Outcome(change: .unchanged, matched: s.matched, delta: 0) }
            let update = try statements.prepared(
                """
                UPDATE order_lines SET quantity = ?, status = ?, marketplace_fulfilled = ?, desired = ?, applied = ?, updated_at = ?, source = ?
                WHERE channel = ? AND order_id = ? AND line_id = ?
                """)
            update.resetForBinding()
            update.bind(1, s.quantity)
            update.bind(2, line.status)
            update.bind(3, line.marketplaceFulfilled ? 1 : 0)
            update.bind(4, s.desired)
            update.bind(5, s.applied)
            update.bind(6, at)
            update.bind(7, source)
            update.bind(8, line.channel)
            update.bind(9, line.orderID)
            update.bind(10, line.lineID)
            try update.run(db)
            change = .updated
        } else {
            let insert = try statements.prepared(
                """
                INSERT INTO order_lines(channel, order_id, line_id, sku, quantity, status, marketplace_fulfilled, desired, applied,
                  location, placed_at, first_seen, updated_at, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            insert.resetForBinding()
            insert.bind(1, line.channel)
            insert.bind(2, line.orderID)
            insert.bind(3, line.lineID)
            insert.bind(4, s.sku)
            insert.bind(5, s.quantity)
            insert.bind(6, line.status)
            insert.bind(7, line.marketplaceFulfilled ? 1 : 0)
            insert.bind(8, s.desired)
            insert.bind(9, s.applied)
            insert.bind(10, s.location)
            insert.bind(11, line.placedAt?.iso8601UTC)
            insert.bind(12, at)
            insert.bind(13, at)
            insert.bind(14, source)
            try insert.run(db)
            change = .new
        }
        return Outcome(change: change, matched: s.matched, delta: s.delta)
    }

    /// Settles lines recorded before their SKU existed (the catalog has it now). Returns their count.
    @discardableResult
    func settleWaitingLines() throws -> Int {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT o.channel, o.order_id, o.line_id, o.sku, o.location, o.desired, o.applied FROM order_lines o
                WHERE o.applied <> o.desired AND EXISTS (SELECT 1 FROM variants v WHERE v.sku = o.sku)
                ORDER BY o.channel, o.order_id, o.line_id
                """)
        for row in rows {
            let line = OrderLine(channel: row[0], orderID: row[1], lineID: row[2], sku: row[3], quantity: 0, status: "", sourceLine: 0)
            let desired: Int = row[5], applied: Int = row[6]
            try post(sku: row[3], location: row[4], delta: applied - desired, line: line)
            try db.execute(
                sql: "UPDATE order_lines SET applied = desired, updated_at = ? WHERE channel = ? AND order_id = ? AND line_id = ?",
                arguments: [at, row[0], row[1], row[2]])
        }
        return rows.count
    }

    private func skuExists(_ sku: String) throws -> Bool {
        let exists = try statements.prepared("SELECT 1 FROM variants WHERE sku = ?")
        exists.resetForBinding()
        exists.bind(1, sku)
        return try exists.firstInt64(db) != nil
    }

    /// Movements waiting to be written: the ledger takes them `movementsPerStatement` per statement.
    ///
    /// A ledger insert fires the stock-level trigger, so SQLite keeps a statement journal for it: a
    /// copy of every page the statement changes, spilled to a temporary file beyond 64 KiB (4.6 GB
    /// written for 115,000 movements one per statement). Lines arrive in SKU order, so the movements of
    /// one statement of 256 share pages, and the journal copies each page once for all of them.
    private let movements = BulkInsert("stock_movements(at, sku, location, delta, kind, ref)", width: 6, rowsPerStatement: 256)
    /// A channel's stock location, or a line's recorded one: a few.
    private var knownLocations = KnownLocations()

    private func post(sku: String, location: String, delta: Int, line: OrderLine) throws {
        guard try knownLocations.contain(location, using: statements) else {
            throw StoreError(
                "error: the stock location \(InputError.displayValue(location)) for \(line.channel) orders is not a known location; import it with `unifeed import stores` or set [channels.\(line.channel)] stock_location"
            )
        }
        movements.append(
            .text(at), .text(sku), .text(location), .int(Int64(delta)), .text(delta < 0 ? "order" : "order-return"),
            .text("\(line.channel):\(line.orderID):\(line.lineID)"))
        if movements.count >= 4096 { try flush() }
    }

    /// Writes the waiting movements; before anything reads stock, and before the transaction commits.
    func flush() throws { try movements.flush(db) }

    /// On hand below zero for these SKUs at these locations (oversold), sorted.
    func oversold(_ keys: Set<SKULocation>) throws -> [(sku: String, location: String, onHand: Int)] {
        try flush()
        var out: [(String, String, Int)] = []
        let select = try statements.prepared("SELECT on_hand FROM stock_levels WHERE sku = ? AND location = ?")
        for key in keys.sorted(by: { ($0.sku, $0.location) < ($1.sku, $1.location) }) {
            select.resetForBinding()
            select.bind(1, key.sku)
            select.bind(2, key.location)
            if let n = try select.firstInt64(db), n < 0 { out.append((key.sku, key.location, Int(n))) }
        }
        return out
    }

    /// Every recorded line, sorted by channel, order and line.
    static func list(_ db: Database) throws -> [RecordedOrderLine] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT o.channel, o.order_id, o.line_id, o.sku, o.quantity, o.status, o.marketplace_fulfilled, o.desired, o.applied, o.location,
                  EXISTS (SELECT 1 FROM variants v WHERE v.sku = o.sku) AS matched
                FROM order_lines o ORDER BY o.channel, o.order_id, o.line_id
                """
        ).map { row in
            RecordedOrderLine(
                channel: row[0], orderID: row[1], lineID: row[2], sku: row[3], quantity: row[4], status: row[5],
                marketplaceFulfilled: row[6], desired: row[7], applied: row[8], location: row[9], matched: row[10])
        }
    }
}
