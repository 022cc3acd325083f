import Foundation
import PostgresNIO
import StorePort

/// The PostgreSQL schema: the SQLite store's tables and rules in PostgreSQL's types, versioned like the
/// SQLite migrations (append new ones, never edit one that shipped), applied on first use under an
/// advisory lock so that two processes starting together do not both run them.
///
/// Keys and every column the feeds sort by use the "C" collation: rows come back in byte order, as
/// SQLite's, so both stores publish byte-identical files.
enum PGSchema {
    /// (identifier, SQL) in order.
    static let migrations: [(String, String)] = [
        (
            "v1-catalog",
            """
            CREATE TABLE products (
              product_id text COLLATE "C" NOT NULL PRIMARY KEY,
              title text, description text, brand text,
              google_product_category text, product_type text, link text,
              condition text, gender text, age_group text, material text, pattern text,
              images text -- image URLs in order, one per line
            );
            CREATE TABLE variants (
              sku text COLLATE "C" NOT NULL PRIMARY KEY,
              product_id text COLLATE "C" NOT NULL REFERENCES products(product_id),
              status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
              currency text NOT NULL,
              amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
              sale_amount_minor bigint CHECK (sale_amount_minor >= 0),
              sale_start bigint, sale_end bigint, -- seconds since 1970, UTC
              gtin text, mpn text,
              color text, size text, size_system text, size_type text,
              link text, images text, weight text, availability_date bigint,
              custom text, -- a JSON object of strings, keys sorted
              content_hash bigint NOT NULL,
              stock_policy text NOT NULL DEFAULT 'tracked'
                CHECK (stock_policy IN ('tracked', 'backorder', 'in_stock', 'out_of_stock', 'untracked_backorder'))
            );
            CREATE INDEX variants_by_product ON variants(product_id, sku);
            CREATE INDEX variants_by_gtin ON variants(gtin) WHERE gtin IS NOT NULL;
            CREATE TABLE channel_overrides (
              sku text COLLATE "C" NOT NULL REFERENCES variants(sku) ON DELETE CASCADE,
              channel text COLLATE "C" NOT NULL, field text COLLATE "C" NOT NULL, value text NOT NULL,
              PRIMARY KEY (sku, channel, field)
            );
            CREATE TABLE locations (
              code text COLLATE "C" NOT NULL PRIMARY KEY,
              kind text NOT NULL CHECK (kind IN ('online', 'store')),
              name text NOT NULL, address text, city text, postal_code text, country text,
              pickup_method text, pickup_sla text
            );
            INSERT INTO locations(code, kind, name) VALUES ('online', 'online', 'Online warehouse');

            -- The stock ledger: append-only; on hand per key kept by a statement trigger (one upsert per
            -- key a statement touched, in key order, so concurrent writers lock levels in one order).
            CREATE TABLE stock_movements (
              id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              at text NOT NULL,
              sku text COLLATE "C" NOT NULL REFERENCES variants(sku),
              location text COLLATE "C" NOT NULL REFERENCES locations(code),
              delta bigint NOT NULL CHECK (delta <> 0),
              kind text NOT NULL,
              ref text NOT NULL
            );
            CREATE INDEX stock_movements_by_sku ON stock_movements(sku, location);
            CREATE TABLE stock_levels (
              sku text COLLATE "C" NOT NULL, location text COLLATE "C" NOT NULL, on_hand bigint NOT NULL,
              PRIMARY KEY (sku, location)
            );
            CREATE FUNCTION unifeed_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN RAISE EXCEPTION 'the stock ledger is append-only'; END $$;
            CREATE TRIGGER stock_movements_no_change BEFORE UPDATE OR DELETE ON stock_movements
              FOR EACH ROW EXECUTE FUNCTION unifeed_ledger_append_only();
            CREATE TRIGGER stock_movements_no_truncate BEFORE TRUNCATE ON stock_movements
              FOR EACH STATEMENT EXECUTE FUNCTION unifeed_ledger_append_only();
            CREATE FUNCTION unifeed_stock_levels() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN
                INSERT INTO stock_levels(sku, location, on_hand)
                  SELECT sku, location, sum(delta) FROM new_movements GROUP BY sku, location ORDER BY sku, location
                  ON CONFLICT (sku, location) DO UPDATE SET on_hand = stock_levels.on_hand + excluded.on_hand;
                RETURN NULL;
              END $$;
            CREATE TRIGGER stock_movements_level AFTER INSERT ON stock_movements
              REFERENCING NEW TABLE AS new_movements FOR EACH STATEMENT EXECUTE FUNCTION unifeed_stock_levels();

            CREATE TABLE publish_log (
              id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              channel text COLLATE "C" NOT NULL, out_dir text NOT NULL, at text NOT NULL,
              items bigint NOT NULL, published smallint NOT NULL CHECK (published IN (0, 1)),
              added bigint, removed bigint, changed bigint
            );
            CREATE INDEX publish_log_by_channel ON publish_log(channel, out_dir, id);
            CREATE TABLE order_lines (
              channel text COLLATE "C" NOT NULL,
              order_id text COLLATE "C" NOT NULL,
              line_id text COLLATE "C" NOT NULL,
              sku text COLLATE "C" NOT NULL,
              quantity bigint NOT NULL CHECK (quantity >= 0),
              status text NOT NULL,
              marketplace_fulfilled smallint NOT NULL CHECK (marketplace_fulfilled IN (0, 1)),
              desired bigint NOT NULL CHECK (desired >= 0),
              applied bigint NOT NULL DEFAULT 0,
              location text COLLATE "C" NOT NULL,
              placed_at text, first_seen text NOT NULL, updated_at text NOT NULL, source text NOT NULL,
              PRIMARY KEY (channel, order_id, line_id)
            );
            CREATE INDEX order_lines_unsettled ON order_lines(sku) WHERE applied <> desired;
            CREATE TABLE promotions (
              promotion_id text COLLATE "C" NOT NULL PRIMARY KEY,
              title text NOT NULL,
              discount_type text NOT NULL CHECK (discount_type IN ('percent_off', 'money_off', 'free_shipping')),
              percent_off bigint, amount_minor bigint, currency text, coupon_code text,
              applies_to text NOT NULL CHECK (applies_to IN ('all', 'sku', 'product_id', 'product_type', 'brand')),
              targets text NOT NULL, -- separated by chr(31)
              start_at bigint NOT NULL, end_at bigint NOT NULL,
              redemption text NOT NULL CHECK (redemption IN ('online', 'in_store', 'both')),
              price_effect text NOT NULL CHECK (price_effect IN ('sale', 'none')),
              minimum_minor bigint,
              status text NOT NULL CHECK (status IN ('active', 'archived')),
              promotion_url text, fine_print text, display_start_at bigint, display_end_at bigint
            );
            CREATE TABLE import_runs (
              id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              at text NOT NULL, kind text NOT NULL, file text NOT NULL, format text NOT NULL,
              rows bigint NOT NULL, new bigint NOT NULL, updated bigint NOT NULL, unchanged bigint NOT NULL,
              rejected bigint NOT NULL, warnings bigint NOT NULL
            );
            CREATE TABLE api_tokens (
              name text COLLATE "C" NOT NULL PRIMARY KEY,
              hash bytea NOT NULL UNIQUE,
              scopes text NOT NULL,
              created_at text NOT NULL,
              revoked_at text
            );
            CREATE TABLE api_movements (
              id text COLLATE "C" NOT NULL PRIMARY KEY,
              fingerprint text NOT NULL,
              delta bigint NOT NULL,
              on_hand bigint NOT NULL,
              at text NOT NULL
            );
            CREATE TABLE dashboard_sessions (
              hash bytea NOT NULL PRIMARY KEY,
              token_name text COLLATE "C" NOT NULL REFERENCES api_tokens(name),
              csrf text NOT NULL,
              expires_at bigint NOT NULL
            );
            """
        )
    ]

    /// The statements of a migration's text, one by one (the extended protocol runs one at a time): split at
    /// each `;` that ends a line, outside dollar-quoted bodies and comments.
    static func statements(_ sql: String) -> [String] {
        var result: [String] = []
        var current = ""
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let code = line.range(of: "--").map { line[..<$0.lowerBound] } ?? line[...]
            if code.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            current += line + "\n"
            if !inBody, code.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                result.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { result.append(rest) }
        return result
    }

    /// A fixed key for the advisory locks of migrations.
    static let migrationLock: Int64 = 0x756E_6966_6565_6401

    /// For a read-only command: the database must hold every migration this version knows, and none newer.
    static func check(_ connection: PGConnection) throws {
        let exists = try connection.query("SELECT to_regclass('unifeed_migrations') IS NOT NULL")[0].decode(Bool.self)
        let applied = exists ? Set(try connection.query("SELECT identifier FROM unifeed_migrations").map { try $0.decode(String.self) }) : []
        if !applied.subtracting(migrations.map(\.0)).isEmpty {
            throw StoreError(
                "\(connection.url): error: the database was migrated by a newer version of unifeed; use that version (this one would not keep it right)")
        }
        if applied.isEmpty {
            throw StoreError(
                "\(connection.url): error: no unifeed tables in this database yet (a command that writes, such as `unifeed import catalog`, makes them); check --db or $UNIFEED_DB")
        }
        if applied.count < migrations.count {
            throw StoreError(
                "\(connection.url): error: the database was made by another version of unifeed and needs migrating; run a command that writes (such as `unifeed import catalog`) first")
        }
    }

    /// Applies the migrations this database lacks, each in a transaction of its own, under a
    /// session-level advisory lock; refuses a database that a newer unifeed migrated.
    static func migrate(_ connection: PGConnection) throws {
        try connection.execute("SELECT pg_advisory_lock(\(migrationLock))")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(migrationLock))") }
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS unifeed_migrations (identifier text COLLATE \"C\" NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        let applied = Set(try connection.query("SELECT identifier FROM unifeed_migrations").map { try $0.decode(String.self) })
        let known = Set(migrations.map(\.0))
        if !applied.subtracting(known).isEmpty {
            throw StoreError(
                "\(connection.url): error: the database was migrated by a newer version of unifeed; use that version (this one would not keep it right)")
        }
        for (identifier, sql) in migrations where !applied.contains(identifier) {
            try connection.execute("BEGIN")
            do {
                for statement in statements(sql) { try connection.execute(statement) }
                var binds = PostgresBindings()
                binds.append(identifier)
                try connection.execute("INSERT INTO unifeed_migrations(identifier) VALUES ($1)", binds)
                try connection.execute("COMMIT")
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }
}
