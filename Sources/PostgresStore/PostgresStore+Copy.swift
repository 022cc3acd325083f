import Foundation
import NIOCore
import PostgresNIO
public import StorePort

/// `unifeed db copy` on PostgreSQL: every table read through cursors in one snapshot, and an empty
/// database filled by COPY in one transaction (the identity counters moved past the copied ids).
extension PostgresStore: StoreCopying {
    public func exportTables(_ body: (StoreCopy.Table, () throws -> [StoreCopy.Value]?) throws -> Void) throws {
        try read { c in
            for table in StoreCopy.tables {
                let cursor = try PGCursor(
                    c, sql: "SELECT \(table.columnList) FROM \(table.name) ORDER BY \(table.orderBy)", binds: PostgresBindings()
                ) { try StoreCopy.Value.row($0, table) }
                try body(table) { try cursor.next() }
            }
        }
    }

    public func importTables(_ body: ((StoreCopy.Table, [StoreCopy.Value]) throws -> Void) throws -> Void) throws {
        try write { c in
            let held = try c.query(
                """
                SELECT (SELECT count(*) FROM products) + (SELECT count(*) FROM variants) + (SELECT count(*) FROM stock_movements)
                  + (SELECT count(*) FROM order_lines) + (SELECT count(*) FROM promotions) + (SELECT count(*) FROM api_tokens)
                  + (SELECT count(*) FROM publish_log) + (SELECT count(*) FROM import_runs)
                  + (SELECT count(*) FROM locations WHERE code <> 'online')
                """)[0].decode(Int64.self)
            if held > 0 {
                throw StoreError("\(location): error: the destination is not empty; `db copy` fills a new, empty store only (nothing was written)")
            }
            try c.execute("DELETE FROM locations WHERE code = 'online'")  // the source's row comes instead
            var current: StoreCopy.Table?
            var rows = CopyText()
            func write(_ table: StoreCopy.Table) throws {
                guard !rows.isEmpty else { return }
                if table.name == "stock_levels" {
                    // Levels with movements were made by the ledger's trigger; the copy adds the others.
                    try c.execute("CREATE TEMP TABLE IF NOT EXISTS copy_levels (LIKE stock_levels) ON COMMIT DROP")
                    try c.copy(into: "copy_levels", columns: table.columns.map(\.name), data: rows.buffer)
                    try c.execute("INSERT INTO stock_levels SELECT * FROM copy_levels ORDER BY sku, location ON CONFLICT DO NOTHING")
                    try c.execute("DELETE FROM copy_levels")
                } else {
                    try c.copy(into: table.name, columns: table.columns.map(\.name), data: rows.buffer)
                }
                rows.reset()
            }
            try body { table, values in
                if let previous = current, previous.name != table.name { try write(previous) }
                current = table
                for value in values {
                    switch value {
                    case .null: rows.text(nil)
                    case .int(let n): rows.int(n)
                    case .text(let s): rows.text(s)
                    case .bytes(let b): rows.bytes(b)
                    }
                }
                rows.endRow()
                if rows.rows >= 4096 { try write(table) }
            }
            if let current { try write(current) }
            for table in ["stock_movements", "publish_log", "import_runs"] {
                try c.execute("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), COALESCE((SELECT max(id) FROM \(table)), 0) + 1, false)")
            }
            return ((), commit: true)
        }
    }

    public func tableCounts() throws -> [String: Int] {
        try read { c in
            var counts: [String: Int] = [:]
            for table in StoreCopy.tables {
                counts[table.name] = Int(try c.query("SELECT count(*) FROM \(table.name)")[0].decode(Int64.self))
            }
            return counts
        }
    }
}

extension StoreCopy.Value {
    /// A row's values, decoded as `table`'s columns are kept.
    static func row(_ row: PostgresRow, _ table: StoreCopy.Table) throws -> [StoreCopy.Value] {
        let r = row.makeRandomAccess()
        return try table.columns.indices.map { i in
            switch table.columns[i].kind {
            case .int: return try r.int(i).map(StoreCopy.Value.int) ?? .null
            case .text: return try r.text(i).map(StoreCopy.Value.text) ?? .null
            case .bytes: return try r[i].decode(ByteBuffer?.self).map { .bytes(Array($0.readableBytesView)) } ?? .null
            }
        }
    }

    /// Values bound as a statement's parameters, in order.
    static func binds(_ values: [StoreCopy.Value]) -> PostgresBindings {
        var b = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: b.appendNull()
            case .int(let n): b.append(n)
            case .text(let s): b.append(s)
            case .bytes(let bytes): b.append(ByteBuffer(bytes: bytes))
            }
        }
        return b
    }
}
