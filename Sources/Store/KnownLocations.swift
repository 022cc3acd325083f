internal import GRDB

/// Location codes found in `locations`, kept for the rest of a write transaction: an import or an
/// order import adds no location while it checks them. Bounded, though a retailer has hundreds of
/// stores, not millions.
struct KnownLocations {
    private var found: Set<String> = []

    /// Whether `code` is a location (`online` or a store), looked up once per code.
    mutating func contain(_ code: String, using statements: StatementCache) throws -> Bool {
        if found.contains(code) { return true }
        let select = try statements.prepared("SELECT 1 FROM locations WHERE code = ?")
        select.resetForBinding()
        select.bind(1, code)
        guard try select.firstInt64(statements.db) != nil else { return false }
        if found.count < 10_000 { found.insert(code) }
        return true
    }
}
