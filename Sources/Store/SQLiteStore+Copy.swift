import Catalog
import Foundation
internal import GRDB
public import StorePort

/// `unifeed db copy` on SQLite: every table read in one snapshot (the ledger with its recent part), and
/// an empty database filled in one transaction, the products search built from the titles.
extension SQLiteStore: StoreCopying {
    public func exportTables(_ body: (StoreCopy.Table, () throws -> [StoreCopy.Value]?) throws -> Void) throws {
        try read { db in
            for table in StoreCopy.tables {
                // The ledger and on hand with their recent part (`RecentMovements`).
                let from =
                    switch table.name {
                    case "stock_movements": "(SELECT * FROM stock_movements UNION ALL SELECT * FROM stock_movements_recent)"
                    case "stock_levels": "stock_on_hand"
                    default: table.name
                    }
                let sql = "SELECT \(table.columnList) FROM \(from) ORDER BY \(table.orderBy)"
                let cursor = try Row.fetchCursor(db, sql: sql)
                try body(table) { try cursor.next().map { StoreCopy.Value.row($0, count: table.columns.count) } }
            }
        }
    }

    public func importTables(_ body: ((StoreCopy.Table, [StoreCopy.Value]) throws -> Void) throws -> Void) throws {
        try write { db in
            try Self.refuseUnlessEmpty(db, location: path)
            try db.execute(sql: "DELETE FROM locations WHERE code = 'online'")  // the source's row comes instead
            var statements: [String: Statement] = [:]
            let searchInsert = try db.makeStatement(sql: "INSERT INTO product_search(rowid, title, product_id) VALUES (?, ?, ?)")
            try body { table, values in
                let statement: Statement
                if let cached = statements[table.name] {
                    statement = cached
                } else {
                    // Levels with movements were made by the ledger's trigger; the copy adds the others.
                    let verb = table.name == "stock_levels" ? "INSERT OR IGNORE" : "INSERT"
                    statement = try db.makeStatement(
                        sql: "\(verb) INTO \(table.name)(\(table.columnList)) VALUES (\(Array(repeating: "?", count: table.columns.count).joined(separator: ", ")))")
                    statements[table.name] = statement
                }
                try statement.execute(arguments: StoreCopy.Value.arguments(values))
                if table.name == "products", case .text(let id) = values[0], case .text(let title) = values[1] {
                    try searchInsert.execute(arguments: [ProductSearchKey.rowid(id), title, id])
                }
            }
            return ((), commit: true)
        }
    }

    public func tableCounts() throws -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for table in StoreCopy.tables {
                counts[table.name] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.name)") ?? 0
            }
            counts["stock_movements", default: 0] += try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_movements_recent") ?? 0
            counts["stock_levels"] = try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_on_hand") ?? 0
            return counts
        }
    }

    /// A copy goes into an empty store only (no command destroys data).
    static func refuseUnlessEmpty(_ db: Database, location: String) throws {
        let held =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT (SELECT count(*) FROM products) + (SELECT count(*) FROM variants) + (SELECT count(*) FROM stock_movements)
                      + (SELECT count(*) FROM stock_movements_recent) + (SELECT count(*) FROM order_lines) + (SELECT count(*) FROM promotions)
                      + (SELECT count(*) FROM api_tokens) + (SELECT count(*) FROM publish_log) + (SELECT count(*) FROM import_runs)
                      + (SELECT count(*) FROM locations WHERE code <> 'online')
                    """) ?? 0
        if held > 0 {
            throw StoreError("\(location): error: the destination is not empty; `db copy` fills a new, empty store only (nothing was written)")
        }
    }
}

extension StoreCopy.Value {
    /// The first `count` values of a row, as the stores exchange them.
    static func row(_ row: Row, count: Int) -> [StoreCopy.Value] {
        (0..<count).map { i in
            switch (row[i] as DatabaseValue).storage {
            case .null: .null
            case .int64(let n): .int(n)
            case .double(let d): .int(Int64(d))
            case .string(let s): .text(s)
            case .blob(let data): .bytes([UInt8](data))
            }
        }
    }

    /// Values bound as a statement's arguments, in order.
    static func arguments(_ values: [StoreCopy.Value]) -> StatementArguments {
        StatementArguments(
            values.map { value -> (any DatabaseValueConvertible)? in
                switch value {
                case .null: nil
                case .int(let n): n
                case .text(let s): s
                case .bytes(let b): Data(b)
                }
            })
    }
}
