internal import GRDB

/// Rows for one table, written with multi-row `INSERT … VALUES (…), (…)` statements.
///
/// Each SQLite statement step has a fixed cost (about 2 µs here) whatever its size, and a new variant
/// writes up to five tables; writing 64 variants' rows per statement instead of one row each is what brings
/// an import of new SKUs near the speed of a bare `.import` (docs/PERFORMANCE.md, "Multi-row inserts").
final class BulkInsert {
    enum Value {
        case text(String?)
        case int(Int64?)
    }

    let target: String
    let width: Int
    let rowsPerStatement: Int
    private var values: [Value] = []
    private var statements: [Int: Statement] = [:]

    /// - Parameters:
    ///   - target: `table(col1, col2, …)`.
    /// - rowsPerStatement: a power of two.
    init(_ target: String, width: Int, rowsPerStatement: Int = 64) {
        self.target = target
        self.width = width
        self.rowsPerStatement = rowsPerStatement
        values.reserveCapacity(width * rowsPerStatement)
    }

    var isEmpty: Bool { values.isEmpty }
    /// Rows buffered.
    var count: Int { values.count / width }

    func append(_ row: Value...) {
        precondition(row.count == width)
        values.append(contentsOf: row)
    }

    /// One value of the row being added; `endRow()` checks that the row is whole.
    func appendValue(_ value: Value) { values.append(value) }

    func endRow() { precondition(values.count % width == 0, "a row of \(target) without all its \(width) values") }

    /// Writes every buffered row, in statements of 64, 32, 16 … 1 rows: at most seven prepared
    /// statements per table, however the rows fall (one per possible count grew memory with the file).
    func flush(_ db: Database) throws {
        var start = 0
        while start < values.count {
            let left = (values.count - start) / width
            var rows = rowsPerStatement
            while rows > left { rows /= 2 }
            let statement = try self.statement(db, rows: rows)
            statement.resetForBinding()
            for i in 0..<(rows * width) {
                switch values[start + i] {
                case .text(let s): statement.bind(Int32(i + 1), s)
                case .int(let n): statement.bind(Int32(i + 1), n)
                }
            }
            try statement.run(db)
            start += rows * width
        }
        values.removeAll(keepingCapacity: true)
    }

    private func statement(_ db: Database, rows: Int) throws -> Statement {
        if let statement = statements[rows] { return statement }
        let row = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        let statement = try db.makeStatement(sql: "INSERT INTO \(target) VALUES " + Array(repeating: row, count: rows).joined(separator: ", "))
        statements[rows] = statement
        return statement
    }
}
