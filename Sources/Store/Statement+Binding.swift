internal import GRDB
import GRDBSQLite

/// Direct sqlite3 binding for the import's hot statements.
///
/// GRDB's `StatementArguments` boxes every value (an array of `DatabaseValue`); at a million rows with a
/// dozen statements each that boxing was a third of the import's time (docs/PERFORMANCE.md). These
/// helpers bind Swift values straight onto the GRDB-prepared statement and step it; errors still come
/// back as GRDB `DatabaseError`s.
extension Statement {
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Resets the statement so it can be bound and stepped again.
    @inline(__always) func resetForBinding() { sqlite3_reset(sqliteStatement) }

    @inline(__always) func bind(_ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(sqliteStatement, index)
            return
        }
        var copy = value
        copy.withUTF8 { buffer in
            if let base = buffer.baseAddress {
                _ = sqlite3_bind_text(
                    sqliteStatement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                    Int32(buffer.count), Statement.transient)
            } else {
                var nul: CChar = 0
                _ = withUnsafePointer(to: &nul) { sqlite3_bind_text(sqliteStatement, index, $0, 0, Statement.transient) }
            }
        }
    }

    @inline(__always) func bind(_ index: Int32, _ value: Int64?) {
        guard let value else {
            sqlite3_bind_null(sqliteStatement, index)
            return
        }
        sqlite3_bind_int64(sqliteStatement, index, value)
    }

    @inline(__always) func bind(_ index: Int32, _ value: Int) { sqlite3_bind_int64(sqliteStatement, index, Int64(value)) }

    /// Steps a statement that returns no row.
    func run(_ db: Database) throws {
        let code = sqlite3_step(sqliteStatement)
        sqlite3_reset(sqliteStatement)
        guard code == SQLITE_DONE else { throw error(db, code) }
    }

    /// Steps a query and returns the first column of the first row as an integer, if any.
    func firstInt64(_ db: Database) throws -> Int64? {
        let code = sqlite3_step(sqliteStatement)
        defer { sqlite3_reset(sqliteStatement) }
        if code == SQLITE_ROW {
            return sqlite3_column_type(sqliteStatement, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(sqliteStatement, 0)
        }
        guard code == SQLITE_DONE else { throw error(db, code) }
        return nil
    }

    /// Steps a query and returns the first two columns of its first row as integers (`nil`: NULL), or
    /// `nil` when it has no row.
    func twoInt64(_ db: Database) throws -> (Int64?, Int64?)? {
        let code = sqlite3_step(sqliteStatement)
        defer { sqlite3_reset(sqliteStatement) }
        if code == SQLITE_ROW {
            func column(_ i: Int32) -> Int64? {
                sqlite3_column_type(sqliteStatement, i) == SQLITE_NULL ? nil : sqlite3_column_int64(sqliteStatement, i)
            }
            return (column(0), column(1))
        }
        guard code == SQLITE_DONE else { throw error(db, code) }
        return nil
    }

    private func error(_ db: Database, _ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
    }
}

extension Database {
    /// Rows changed by the last statement (sqlite3_changes), without GRDB's bookkeeping.
    var lastChanges: Int { Int(sqlite3_changes(sqliteConnection)) }
}

/// Statements prepared once per transaction, found by the address of their literal (no SQL hashing).
final class StatementCache {
    let db: Database
    private var statements: [UnsafeRawPointer: Statement] = [:]

    init(_ db: Database) { self.db = db }

    func prepared(_ sql: StaticString) throws -> Statement {
        let key = UnsafeRawPointer(sql.utf8Start)
        if let statement = statements[key] { return statement }
        let statement = try db.makeStatement(sql: sql.description)
        statements[key] = statement
        return statement
    }
}

extension Statement {
    /// Steps a query once: `true` with a row to read through `int64(_:)` and `text(_:)`, `false` when done.
    /// The caller resets the statement (`resetForBinding`) before the next use.
    func stepRow(_ db: Database) throws -> Bool {
        let code = sqlite3_step(sqliteStatement)
        if code == SQLITE_ROW { return true }
        sqlite3_reset(sqliteStatement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
        return false
    }

    @inline(__always) func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(sqliteStatement, column) }

    @inline(__always) func isNull(_ column: Int32) -> Bool { sqlite3_column_type(sqliteStatement, column) == SQLITE_NULL }

    @inline(__always) func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(sqliteStatement, column) else { return "" }
        return String(cString: p)
    }
}
