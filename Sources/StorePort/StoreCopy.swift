/// `unifeed db copy`: a whole store moved from one implementation to another (SQLite to PostgreSQL and
/// back), table by table, in the tables' common columns. Derived data is made again by the destination:
/// on-hand levels by its ledger trigger (the counted-at-zero levels copied after), SQLite's products
/// search from the titles. Dashboard sign-in sessions are not copied (they are short-lived; users sign in
/// again).
public enum StoreCopy {
    /// One value of a copied row.
    public enum Value: Sendable, Equatable {
        case null
        case int(Int64)
        case text(String)
        case bytes([UInt8])
    }

    /// How a column is stored (what a reader decodes it as).
    public enum Kind: Sendable { case int, text, bytes }

    public struct Table: Sendable {
        public let name: String
        public let columns: [(name: String, kind: Kind)]
        /// The order rows are read in (and written: ledger ids keep their order).
        public let orderBy: String
        public var columnList: String { columns.map(\.name).joined(separator: ", ") }
    }

    private static func t(_ name: String, _ orderBy: String, _ columns: [(String, Kind)]) -> Table {
        Table(name: name, columns: columns.map { (name: $0.0, kind: $0.1) }, orderBy: orderBy)
    }

    /// Every copied table, parents before children.
    public static let tables: [Table] = [
        t(
            "locations", "code",
            [
                ("code", .text), ("kind", .text), ("name", .text), ("address", .text), ("city", .text), ("postal_code", .text),
                ("country", .text), ("pickup_method", .text), ("pickup_sla", .text),
            ]),
        t(
            "products", "product_id",
            [
                ("product_id", .text), ("title", .text), ("description", .text), ("brand", .text), ("google_product_category", .text),
                ("product_type", .text), ("link", .text), ("condition", .text), ("gender", .text), ("age_group", .text),
                ("material", .text), ("pattern", .text), ("images", .text),
            ]),
        t(
            "variants", "sku",
            [
                ("sku", .text), ("product_id", .text), ("status", .text), ("currency", .text), ("amount_minor", .int),
                ("sale_amount_minor", .int), ("sale_start", .int), ("sale_end", .int), ("gtin", .text), ("mpn", .text),
                ("color", .text), ("size", .text), ("size_system", .text), ("size_type", .text), ("link", .text), ("images", .text),
                ("weight", .text), ("availability_date", .int), ("custom", .text), ("content_hash", .int), ("stock_policy", .text),
            ]),
        t("channel_overrides", "sku, channel, field", [("sku", .text), ("channel", .text), ("field", .text), ("value", .text)]),
        t(
            "promotions", "promotion_id",
            [
                ("promotion_id", .text), ("title", .text), ("discount_type", .text), ("percent_off", .int), ("amount_minor", .int),
                ("currency", .text), ("coupon_code", .text), ("applies_to", .text), ("targets", .text), ("start_at", .int),
                ("end_at", .int), ("redemption", .text), ("price_effect", .text), ("minimum_minor", .int), ("status", .text),
                ("promotion_url", .text), ("fine_print", .text), ("display_start_at", .int), ("display_end_at", .int),
            ]),
        t(
            "stock_movements", "id",
            [("id", .int), ("at", .text), ("sku", .text), ("location", .text), ("delta", .int), ("kind", .text), ("ref", .text)]),
        // After the ledger: its trigger made every level with a movement; these add the counted-at-zero ones.
        t("stock_levels", "sku, location", [("sku", .text), ("location", .text), ("on_hand", .int)]),
        t(
            "order_lines", "channel, order_id, line_id",
            [
                ("channel", .text), ("order_id", .text), ("line_id", .text), ("sku", .text), ("quantity", .int), ("status", .text),
                ("marketplace_fulfilled", .int), ("desired", .int), ("applied", .int), ("location", .text), ("placed_at", .text),
                ("first_seen", .text), ("updated_at", .text), ("source", .text),
            ]),
        t(
            "publish_log", "id",
            [
                ("id", .int), ("channel", .text), ("out_dir", .text), ("at", .text), ("items", .int), ("published", .int),
                ("added", .int), ("removed", .int), ("changed", .int),
            ]),
        t(
            "import_runs", "id",
            [
                ("id", .int), ("at", .text), ("kind", .text), ("file", .text), ("format", .text), ("rows", .int), ("new", .int),
                ("updated", .int), ("unchanged", .int), ("rejected", .int), ("warnings", .int),
            ]),
        t("api_tokens", "name", [("name", .text), ("hash", .bytes), ("scopes", .text), ("created_at", .text), ("revoked_at", .text)]),
        t("api_movements", "id", [("id", .text), ("fingerprint", .text), ("delta", .int), ("on_hand", .int), ("at", .text)]),
    ]
}

/// A store that can be read whole and filled whole (`unifeed db copy`).
public protocol StoreCopying {
    /// Reads every table of `StoreCopy.tables` in one snapshot, in order; `body` gets each table and a
    /// function that hands over its rows one at a time (`nil` at the end).
    func exportTables(_ body: (StoreCopy.Table, () throws -> [StoreCopy.Value]?) throws -> Void) throws

    /// Fills an empty store in one transaction (a failure or a kill leaves it empty): `body` appends rows
    /// table by table in `StoreCopy.tables` order. Refuses a store that holds a catalog, stock, orders
    /// or tokens already.
    func importTables(_ body: (_ append: (StoreCopy.Table, [StoreCopy.Value]) throws -> Void) throws -> Void) throws

    /// The number of rows of each copied table (what a copy compares).
    func tableCounts() throws -> [String: Int]
}
