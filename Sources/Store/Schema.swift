import GRDB

/// The versioned schema. Migrations are frozen SQL strings, never app types: once released, a
/// migration is never edited, only followed by a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-catalog-core") { db in
            try db.execute(sql: """
                CREATE TABLE products (
                  product_id TEXT NOT NULL PRIMARY KEY,
                  title TEXT, description TEXT, brand TEXT,
                  google_product_category TEXT, product_type TEXT, link TEXT,
                  condition TEXT, gender TEXT, age_group TEXT, material TEXT, pattern TEXT
                ) WITHOUT ROWID;

                CREATE TABLE variants (
                  sku TEXT NOT NULL PRIMARY KEY,
                  product_id TEXT NOT NULL REFERENCES products(product_id),
                  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
                  color TEXT, size TEXT, size_system TEXT, size_type TEXT,
                  link TEXT, weight TEXT, availability_date INTEGER,
                  content_hash INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX variants_by_product ON variants(product_id);

                -- One price per variant, in minor units of its currency, with the sale and its window
                -- (seconds since the epoch, UTC).
                CREATE TABLE prices (
                  sku TEXT NOT NULL PRIMARY KEY REFERENCES variants(sku) ON DELETE CASCADE,
                  currency TEXT NOT NULL,
                  amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
                  sale_amount_minor INTEGER CHECK (sale_amount_minor >= 0),
                  sale_start INTEGER, sale_end INTEGER
                ) WITHOUT ROWID;

                -- Product identifiers: scheme 'gtin' (normalized digits) or 'mpn'.
                CREATE TABLE identifiers (
                  sku TEXT NOT NULL REFERENCES variants(sku) ON DELETE CASCADE,
                  scheme TEXT NOT NULL CHECK (scheme IN ('gtin', 'mpn')),
                  value TEXT NOT NULL,
                  PRIMARY KEY (sku, scheme)
                ) WITHOUT ROWID;

                CREATE TABLE product_images (
                  product_id TEXT NOT NULL REFERENCES products(product_id) ON DELETE CASCADE,
                  position INTEGER NOT NULL, url TEXT NOT NULL,
                  PRIMARY KEY (product_id, position)
                ) WITHOUT ROWID;

                CREATE TABLE variant_images (
                  sku TEXT NOT NULL REFERENCES variants(sku) ON DELETE CASCADE,
                  position INTEGER NOT NULL, url TEXT NOT NULL,
                  PRIMARY KEY (sku, position)
                ) WITHOUT ROWID;

                CREATE TABLE channel_overrides (
                  sku TEXT NOT NULL REFERENCES variants(sku) ON DELETE CASCADE,
                  channel TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
                  PRIMARY KEY (sku, channel, field)
                ) WITHOUT ROWID;

                CREATE TABLE custom_attributes (
                  sku TEXT NOT NULL REFERENCES variants(sku) ON DELETE CASCADE,
                  name TEXT NOT NULL, value TEXT NOT NULL,
                  PRIMARY KEY (sku, name)
                ) WITHOUT ROWID;

                CREATE TABLE locations (
                  code TEXT NOT NULL PRIMARY KEY,
                  kind TEXT NOT NULL CHECK (kind IN ('online', 'store')),
                  name TEXT NOT NULL, address TEXT, city TEXT, postal_code TEXT, country TEXT,
                  pickup_method TEXT, pickup_sla TEXT
                ) WITHOUT ROWID;
                INSERT INTO locations(code, kind, name) VALUES ('online', 'online', 'Online warehouse');

                -- The stock ledger: append-only. On hand is the sum of deltas per (sku, location).
                CREATE TABLE stock_movements (
                  id INTEGER PRIMARY KEY, -- rowids only grow: rows are never deleted
                  at TEXT NOT NULL,
                  sku TEXT NOT NULL REFERENCES variants(sku),
                  location TEXT NOT NULL REFERENCES locations(code),
                  delta INTEGER NOT NULL CHECK (delta <> 0),
                  kind TEXT NOT NULL,
                  ref TEXT NOT NULL
                );
                CREATE INDEX stock_movements_by_sku ON stock_movements(sku, location);
                CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements
                  BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;
                CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
                  BEGIN SELECT RAISE(ABORT, 'the stock ledger is append-only'); END;

                -- On hand per (sku, location): a running total kept by a trigger in the same
                -- transaction as the movement, so it always equals the ledger's sum.
                CREATE TABLE stock_levels (
                  sku TEXT NOT NULL, location TEXT NOT NULL, on_hand INTEGER NOT NULL,
                  PRIMARY KEY (sku, location)
                ) WITHOUT ROWID;
                CREATE TRIGGER stock_movements_level AFTER INSERT ON stock_movements
                  BEGIN
                    INSERT INTO stock_levels(sku, location, on_hand) VALUES (NEW.sku, NEW.location, NEW.delta)
                      ON CONFLICT(sku, location) DO UPDATE SET on_hand = on_hand + excluded.on_hand;
                  END;
                """)
        }
        migrator.registerMigration("v2-publish-log") { db in
            try db.execute(sql: """
                -- One row per channel per publish into an output folder: the gate's baseline.
                CREATE TABLE publish_log (
                  id INTEGER PRIMARY KEY,
                  channel TEXT NOT NULL,
                  out_dir TEXT NOT NULL,
                  at TEXT NOT NULL,
                  items INTEGER NOT NULL,
                  published INTEGER NOT NULL CHECK (published IN (0, 1))
                );
                CREATE INDEX publish_log_by_channel ON publish_log(channel, out_dir, id);
                """)
        }
        migrator.registerMigration("v3-order-lines") { db in
            try db.execute(sql: """
                -- Marketplace order lines, each recorded once by (channel, order_id, line_id). `desired` is
                -- what the line should hold off stock now (0 when cancelled or fulfilled by the marketplace),
                -- `applied` what the ledger has taken for it so far: every import posts desired − applied.
                CREATE TABLE order_lines (
                  channel TEXT NOT NULL,
                  order_id TEXT NOT NULL,
                  line_id TEXT NOT NULL,
                  sku TEXT NOT NULL,
                  quantity INTEGER NOT NULL CHECK (quantity >= 0),
                  status TEXT NOT NULL,
                  marketplace_fulfilled INTEGER NOT NULL CHECK (marketplace_fulfilled IN (0, 1)),
                  desired INTEGER NOT NULL CHECK (desired >= 0),
                  applied INTEGER NOT NULL DEFAULT 0,
                  location TEXT NOT NULL,
                  placed_at TEXT,
                  first_seen TEXT NOT NULL,
                  updated_at TEXT NOT NULL,
                  source TEXT NOT NULL,
                  PRIMARY KEY (channel, order_id, line_id)
                ) WITHOUT ROWID;
                -- Lines whose stock is not settled yet (unknown SKUs, waiting for the catalog).
                CREATE INDEX order_lines_unsettled ON order_lines(sku) WHERE applied <> desired;
                """)
        }
        return migrator
    }
}
