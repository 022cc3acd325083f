import Catalog
import Foundation
import PostgresNIO
import StorePort

/// The order book on PostgreSQL (DESIGN.md §7), with the SQLite store's rules: each line kept once under
/// its primary key (channel, order id, line id), `desired − applied` posted to the ledger. Runs behind
/// the writers' advisory lock, so a second importer on any machine waits and then finds every line
/// applied; the primary key would refuse a second record of a line in any case.
///
/// A batch's stored lines and SKUs are read at once (`prepare`); new lines and movements go by COPY and
/// changed lines as statements, sent without waiting (the next read, or the commit, waits for them).
final class PGOrderBook: OrderBookSession {
    let c: PGConnection
    let at: String
    let restockRefunds: Bool
    private var movements = CopyText()
    private var newLines = CopyText()
    private var knownLocations: Set<String> = []
    /// The batch's lines as stored (absent: not stored), kept current as lines are recorded.
    private var stored: [String: StoredOrderLine?] = [:]
    /// Lines waiting in `newLines`, and the batch's SKUs that the catalog has (of `askedSKUs`).
    private var waitingLines: Set<String> = []
    private var askedSKUs: Set<String> = []
    private var knownSKUs: Set<String> = []

    init(_ c: PGConnection, restockRefunds: Bool, now: Date) {
        self.c = c
        self.restockRefunds = restockRefunds
        at = Timestamp(now).iso8601UTC
    }

    private static func key(_ line: OrderLine) -> String { line.channel + "\u{1F}" + line.orderID + "\u{1F}" + line.lineID }

    private static let storedColumns = "o.quantity, o.status, o.desired, o.applied, o.location, o.sku, o.marketplace_fulfilled"

    private static func storedLine(_ r: PostgresRandomAccessRow, from i: Int) throws -> StoredOrderLine {
        StoredOrderLine(
            quantity: Int(try r.int(i) ?? 0), status: try r.text(i + 1) ?? "", desired: Int(try r.int(i + 2) ?? 0),
            applied: Int(try r.int(i + 3) ?? 0), location: try r.text(i + 4) ?? "", sku: try r.text(i + 5) ?? "",
            marketplaceFulfilled: try r[i + 6].decode(Int16.self) == 1)
    }

    func prepare(_ lines: [OrderLine]) throws {
        guard !lines.isEmpty else { return }
        try send()
        stored = [:]
        var channels: [String] = []
        var orders: [String] = []
        var lineIDs: [String] = []
        for line in lines where stored.updateValue(nil, forKey: Self.key(line)) == nil {
            channels.append(line.channel)
            orders.append(line.orderID)
            lineIDs.append(line.lineID)
        }
        let skus = Array(Set(lines.map(\.sku)))
        let storedAnswer = try c.send(
            """
            SELECT k.channel, k.order_id, k.line_id, \(Self.storedColumns)
            FROM unnest($1::text[], $2::text[], $3::text[]) AS k(channel, order_id, line_id)
              JOIN order_lines o ON o.channel = k.channel AND o.order_id = k.order_id AND o.line_id = k.line_id
            """, binds(.texts(channels), .texts(orders), .texts(lineIDs)))
        let skusAnswer = try c.send("SELECT sku FROM variants WHERE sku = ANY($1)", binds(.texts(skus)))
        for row in try c.wait(storedAnswer) {
            let r = row.makeRandomAccess()
            let key = (try r.text(0) ?? "") + "\u{1F}" + (try r.text(1) ?? "") + "\u{1F}" + (try r.text(2) ?? "")
            stored[key] = try Self.storedLine(r, from: 3)
        }
        askedSKUs = Set(skus)
        knownSKUs = Set(try c.wait(skusAnswer).map { try $0.decode(String.self) })
    }

    private func storedLine(_ line: OrderLine, key: String) throws -> StoredOrderLine? {
        if let index = stored.index(forKey: key) { return stored.values[index] }
        // Not read ahead (a caller that did not prepare): one lookup.
        try send()
        return try c.query(
            "SELECT \(Self.storedColumns) FROM order_lines o WHERE o.channel = $1 AND o.order_id = $2 AND o.line_id = $3",
            binds(.text(line.channel), .text(line.orderID), .text(line.lineID))
        ).first.map { try Self.storedLine($0.makeRandomAccess(), from: 0) }
    }

    func record(_ line: OrderLine, location: String, source: String) throws -> OrderLineOutcome {
        let key = Self.key(line)
        let existing = try storedLine(line, key: key)
        let s = try OrderLineSettlement(line, stored: existing, location: location, restockRefunds: restockRefunds) { sku in
            if askedSKUs.contains(sku) { return knownSKUs.contains(sku) }
            return try !c.query("SELECT 1 FROM variants WHERE sku = $1", binds(.text(sku))).isEmpty
        }
        if s.delta != 0 { try post(sku: s.sku, location: s.location, delta: s.delta, line: line) }
        let now = StoredOrderLine(
            quantity: s.quantity, status: line.status, desired: s.desired, applied: s.applied, location: s.location, sku: s.sku,
            marketplaceFulfilled: line.marketplaceFulfilled)
        if existing != nil {
            guard !s.unchanged else { return OrderLineOutcome(change: .unchanged, matched: s.matched, delta: 0) }
            // A line reported twice in one batch: its first report is written before this update.
            if waitingLines.contains(key) { try send() }
            try c.sendStatement(
                """
                UPDATE order_lines SET quantity = $4, status = $5, marketplace_fulfilled = $6, desired = $7, applied = $8, updated_at = $9,
                  source = $10
                WHERE channel = $1 AND order_id = $2 AND line_id = $3
                """,
                binds(
                    .text(line.channel), .text(line.orderID), .text(line.lineID), .int(s.quantity), .text(line.status),
                    .int(line.marketplaceFulfilled ? 1 : 0), .int(s.desired), .int(s.applied), .text(at), .text(source)))
            stored[key] = now
            return OrderLineOutcome(change: .updated, matched: s.matched, delta: s.delta)
        }
        newLines.text(line.channel); newLines.text(line.orderID); newLines.text(line.lineID); newLines.text(s.sku)
        newLines.int(s.quantity); newLines.text(line.status); newLines.int(line.marketplaceFulfilled ? 1 : 0); newLines.int(s.desired)
        newLines.int(s.applied); newLines.text(s.location); newLines.text(line.placedAt?.iso8601UTC); newLines.text(at); newLines.text(at)
        newLines.text(source)
        newLines.endRow()
        waitingLines.insert(key)
        stored[key] = now
        if newLines.rows >= 4096 { try send() }
        return OrderLineOutcome(change: .new, matched: s.matched, delta: s.delta)
    }

    @discardableResult
    func settleWaitingLines() throws -> Int {
        try flush()
        let rows = try c.query(
            """
            SELECT o.channel, o.order_id, o.line_id, o.sku, o.location, o.desired, o.applied FROM order_lines o
            WHERE o.applied <> o.desired AND EXISTS (SELECT 1 FROM variants v WHERE v.sku = o.sku)
            ORDER BY o.channel, o.order_id, o.line_id
            """)
        for row in rows {
            let r = row.makeRandomAccess()
            let line = OrderLine(
                channel: try r.text(0) ?? "", orderID: try r.text(1) ?? "", lineID: try r.text(2) ?? "", sku: try r.text(3) ?? "", quantity: 0,
                status: "", sourceLine: 0)
            let desired = Int(try r.int(5) ?? 0)
            let applied = Int(try r.int(6) ?? 0)
            try post(sku: line.sku, location: try r.text(4) ?? "", delta: applied - desired, line: line)
            try c.execute(
                "UPDATE order_lines SET applied = desired, updated_at = $4 WHERE channel = $1 AND order_id = $2 AND line_id = $3",
                binds(.text(line.channel), .text(line.orderID), .text(line.lineID), .text(at)))
        }
        return rows.count
    }

    private func post(sku: String, location: String, delta: Int, line: OrderLine) throws {
        if !knownLocations.contains(location) {
            guard try !c.query("SELECT 1 FROM locations WHERE code = $1", binds(.text(location))).isEmpty else {
                throw StoreError(
                    "error: the stock location \(InputError.displayValue(location)) for \(line.channel) orders is not a known location; import it with `unifeed import stores` or set [channels.\(line.channel)] stock_location"
                )
            }
            knownLocations.insert(location)
        }
        movements.text(at); movements.text(sku); movements.text(location); movements.int(delta)
        movements.text(delta < 0 ? "order" : "order-return"); movements.text("\(line.channel):\(line.orderID):\(line.lineID)")
        movements.endRow()
        if movements.rows >= 4096 { try send() }
    }

    /// Sends the waiting new lines and movements without waiting for them.
    private func send() throws {
        if !newLines.isEmpty {
            try c.sendCopy(
                into: "order_lines",
                columns: [
                    "channel", "order_id", "line_id", "sku", "quantity", "status", "marketplace_fulfilled", "desired", "applied", "location",
                    "placed_at", "first_seen", "updated_at", "source",
                ], data: newLines.buffer)
            newLines.reset()
            waitingLines = []
        }
        if !movements.isEmpty {
            try c.sendCopy(into: "stock_movements", columns: ["at", "sku", "location", "delta", "kind", "ref"], data: movements.buffer)
            movements.reset()
        }
    }

    /// Writes everything waiting and waits until the database has it.
    func flush() throws {
        try send()
        try c.settle()
    }

    func oversold(_ keys: Set<SKULocation>) throws -> [(sku: String, location: String, onHand: Int)] {
        try flush()
        let sorted = keys.sorted { ($0.sku, $0.location) < ($1.sku, $1.location) }
        var levels: [String: Int] = [:]
        for row in try c.query(
            """
            SELECT k.sku || chr(31) || k.location, s.on_hand FROM unnest($1::text[], $2::text[]) AS k(sku, location)
              JOIN stock_levels s ON s.sku = k.sku AND s.location = k.location WHERE s.on_hand < 0
            """, binds(.texts(sorted.map(\.sku)), .texts(sorted.map(\.location))))
        {
            let (key, onHand) = try row.decode((String, Int64).self)
            levels[key] = Int(onHand)
        }
        return sorted.compactMap { key in levels[key.sku + "\u{1F}" + key.location].map { (key.sku, key.location, $0) } }
    }
}

/// The publish gate's baseline on PostgreSQL.
final class PGPublishLog: PublishLogSession {
    let c: PGConnection
    init(_ c: PGConnection) { self.c = c }

    func lastPublished(channel: String, outDir: String) throws -> Int? {
        try c.query(
            "SELECT items FROM publish_log WHERE channel = $1 AND out_dir = $2 AND published = 1 ORDER BY id DESC LIMIT 1",
            binds(.text(channel), .text(outDir))
        ).first.map { Int(try $0.decode(Int64.self)) }
    }

    func record(channel: String, outDir: String, at: String, items: Int, published: Bool, difference: PublishDifference?) throws {
        try c.execute(
            "INSERT INTO publish_log(channel, out_dir, at, items, published, added, removed, changed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            binds(
                .text(channel), .text(outDir), .text(at), .int(items), .int(published ? 1 : 0), .int(difference?.added),
                .int(difference?.removed), .int(difference?.changed)))
    }
}
