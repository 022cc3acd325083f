internal import GRDB

/// The versioned schema. Migrations are frozen SQL strings, never app types: once released, a
/// migration is never edited, only followed by a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-catalog-core") { db in
            try db.execute(
                sql: """
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
            try db.execute(
                sql: """
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
            try db.execute(
                sql: """
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
        migrator.registerMigration("v4-variant-row") { db in
            // A variant's price and sale window, GTIN, MPN, images and custom attributes move into its own row, and a
            // product's images into the product's row (as the ordered URLs, one per line: a URL never
            // holds a line break). Measured at 1M variants: the import wrote seven rows per variant into
            // five B-trees for these (1 price, 2 identifiers, 3 images…), and sqlite3 alone took 18.6 s to
            // write that schema against 10.4 s for this one; the feeds looked each of them up again per
            // row, the images through a sort, the custom attributes through an aggregate (a third of the
            // feed query). `prices`, `identifiers`, `variant_images`, `product_images` and
            // `custom_attributes` stay as read-only views of the same names, row for row as before.
            try db.execute(
                sql: """
                    CREATE TABLE variants_v4 (
                      sku TEXT NOT NULL PRIMARY KEY,
                      product_id TEXT NOT NULL REFERENCES products(product_id),
                      status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
                      -- Price in minor units of its currency, with the sale and its window (seconds since
                      -- the epoch, UTC).
                      currency TEXT NOT NULL,
                      amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
                      sale_amount_minor INTEGER CHECK (sale_amount_minor >= 0),
                      sale_start INTEGER, sale_end INTEGER,
                      gtin TEXT, -- normalized digits
                      mpn TEXT,
                      color TEXT, size TEXT, size_system TEXT, size_type TEXT,
                      link TEXT,
                      images TEXT, -- the variant's own image URLs in order, one per line
                      weight TEXT, availability_date INTEGER,
                      custom TEXT, -- custom attributes as a JSON object of strings, keys sorted
                      content_hash INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    INSERT INTO variants_v4
                      SELECT v.sku, v.product_id, v.status, pr.currency, pr.amount_minor, pr.sale_amount_minor,
                        pr.sale_start, pr.sale_end,
                        (SELECT value FROM identifiers WHERE sku = v.sku AND scheme = 'gtin'),
                        (SELECT value FROM identifiers WHERE sku = v.sku AND scheme = 'mpn'),
                        v.color, v.size, v.size_system, v.size_type, v.link,
                        (SELECT group_concat(url, char(10)) FROM (SELECT url FROM variant_images WHERE sku = v.sku ORDER BY position)),
                        v.weight, v.availability_date,
                        (SELECT json_group_object(name, value) FROM (SELECT name, value FROM custom_attributes WHERE sku = v.sku ORDER BY name)
                         HAVING count(*) > 0),
                        v.content_hash
                      FROM variants v LEFT JOIN prices pr ON pr.sku = v.sku;
                    DROP TABLE prices;
                    DROP TABLE custom_attributes;
                    DROP TABLE identifiers;
                    DROP TABLE variant_images;
                    DROP TABLE variants;
                    ALTER TABLE variants_v4 RENAME TO variants;
                    CREATE INDEX variants_by_product ON variants(product_id);

                    ALTER TABLE products ADD COLUMN images TEXT; -- the product's image URLs in order, one per line
                    UPDATE products SET images =
                      (SELECT group_concat(url, char(10)) FROM (SELECT url FROM product_images i WHERE i.product_id = products.product_id ORDER BY position));
                    DROP TABLE product_images;

                    -- The former tables, as views for reports and ad-hoc SQL.
                    CREATE VIEW prices(sku, currency, amount_minor, sale_amount_minor, sale_start, sale_end) AS
                      SELECT sku, currency, amount_minor, sale_amount_minor, sale_start, sale_end FROM variants;
                    CREATE VIEW identifiers(sku, scheme, value) AS
                      SELECT sku, 'gtin', gtin FROM variants WHERE gtin IS NOT NULL
                      UNION ALL SELECT sku, 'mpn', mpn FROM variants WHERE mpn IS NOT NULL;
                    CREATE VIEW variant_images(sku, position, url) AS
                      WITH RECURSIVE split(sku, position, url, rest) AS (
                        SELECT sku, 0, NULL, images || char(10) FROM variants WHERE images IS NOT NULL
                        UNION ALL
                        SELECT sku, position + 1, substr(rest, 1, instr(rest, char(10)) - 1), substr(rest, instr(rest, char(10)) + 1)
                        FROM split WHERE rest <> '')
                      SELECT sku, position, url FROM split WHERE position > 0;
                    CREATE VIEW product_images(product_id, position, url) AS
                      WITH RECURSIVE split(product_id, position, url, rest) AS (
                        SELECT product_id, 0, NULL, images || char(10) FROM products WHERE images IS NOT NULL
                        UNION ALL
                        SELECT product_id, position + 1, substr(rest, 1, instr(rest, char(10)) - 1), substr(rest, instr(rest, char(10)) + 1)
                        FROM split WHERE rest <> '')
                      SELECT product_id, position, url FROM split WHERE position > 0;
                    CREATE VIEW custom_attributes(sku, name, value) AS
                      SELECT v.sku, j.key, j.value FROM variants v, json_each(v.custom) j WHERE v.custom IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v5-stock-policy") { db in
            try db.execute(
                sql: """
                    -- How online availability follows stock: counted ('tracked', 'backorder') or a status
                    -- given instead of a count ('in_stock', 'out_of_stock', 'untracked_backorder').
                    ALTER TABLE variants ADD COLUMN stock_policy TEXT NOT NULL DEFAULT 'tracked'
                      CHECK (stock_policy IN ('tracked', 'backorder', 'in_stock', 'out_of_stock', 'untracked_backorder'));
                    """)
        }
        migrator.registerMigration("v6-service") { db in
            try db.execute(
                sql: """
                    -- API tokens for `unifeed serve`: the SHA-256 of each token, never the token.
                    CREATE TABLE api_tokens (
                      name TEXT NOT NULL PRIMARY KEY,
                      hash BLOB NOT NULL UNIQUE,
                      scopes TEXT NOT NULL, -- comma-separated, sorted
                      created_at TEXT NOT NULL,
                      revoked_at TEXT
                    ) WITHOUT ROWID;
                    -- Stock movements posted through the API, by the client's idempotency key: the key is
                    -- the primary key, so no process can record one twice; the movement is in the ledger
                    -- with ref 'api:' || id.
                    CREATE TABLE api_movements (
                      id TEXT NOT NULL PRIMARY KEY,
                      fingerprint TEXT NOT NULL,
                      delta INTEGER NOT NULL,
                      on_hand INTEGER NOT NULL,
                      at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v7-promotions") { db in
            try db.execute(
                sql: """
                    -- Promotions (DESIGN.md §10), upserted by id; an archived one has ended.
                    CREATE TABLE promotions (
                      promotion_id TEXT NOT NULL PRIMARY KEY,
                      title TEXT NOT NULL,
                      discount_type TEXT NOT NULL CHECK (discount_type IN ('percent_off', 'money_off', 'free_shipping')),
                      percent_off INTEGER,          -- percent_off: 5 to 99
                      amount_minor INTEGER,         -- money_off: in minor units of currency
                      currency TEXT,                -- of amount_minor and minimum_minor
                      coupon_code TEXT,
                      applies_to TEXT NOT NULL CHECK (applies_to IN ('all', 'sku', 'product_id', 'product_type', 'brand')),
                      targets TEXT NOT NULL,        -- separated by char(31)
                      start_at INTEGER NOT NULL,    -- seconds since 1970, inclusive
                      end_at INTEGER NOT NULL,      -- exclusive
                      redemption TEXT NOT NULL CHECK (redemption IN ('online', 'in_store', 'both')),
                      price_effect TEXT NOT NULL CHECK (price_effect IN ('sale', 'none')),
                      minimum_minor INTEGER,
                      status TEXT NOT NULL CHECK (status IN ('active', 'archived'))
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v8-promotion-page") { db in
            try db.execute(
                sql: """
                    -- What Google's promotions feed shows beside the offer: its page, its fine print, and when
                    -- it is displayed if not for the whole window.
                    ALTER TABLE promotions ADD COLUMN promotion_url TEXT;
                    ALTER TABLE promotions ADD COLUMN fine_print TEXT;
                    ALTER TABLE promotions ADD COLUMN display_start_at INTEGER;
                    ALTER TABLE promotions ADD COLUMN display_end_at INTEGER;
                    """)
        }
        migrator.registerMigration("v9-dashboard") { db in
            try db.execute(
                sql: """
                    -- Committed imports, for the dashboard's runs page.
                    CREATE TABLE import_runs (
                      id INTEGER PRIMARY KEY,
                      at TEXT NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL, format TEXT NOT NULL,
                      rows INTEGER NOT NULL, new INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL,
                      rejected INTEGER NOT NULL, warnings INTEGER NOT NULL
                    );
                    -- Per channel publish: items added, removed and changed against the previous publish into
                    -- the same folder (NULL: not measured).
                    ALTER TABLE publish_log ADD COLUMN added INTEGER;
                    ALTER TABLE publish_log ADD COLUMN removed INTEGER;
                    ALTER TABLE publish_log ADD COLUMN changed INTEGER;
                    -- Dashboard sign-ins: the SHA-256 of the session cookie, never the cookie.
                    CREATE TABLE dashboard_sessions (
                      hash BLOB NOT NULL PRIMARY KEY,
                      token_name TEXT NOT NULL REFERENCES api_tokens(name),
                      csrf TEXT NOT NULL,
                      expires_at INTEGER NOT NULL -- seconds since 1970
                    ) WITHOUT ROWID;
                    -- The products search: title words (FTS5, diacritics folded), one row per product whose
                    -- rowid is the 64-bit FNV-1a hash of its id (products has no rowid), kept by the import.
                    CREATE VIRTUAL TABLE product_search USING fts5(
                      title, product_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2', detail = column
                    );
                    -- GTIN lookups.
                    CREATE INDEX variants_by_gtin ON variants(gtin) WHERE gtin IS NOT NULL;
                    """)
            // The products a database already holds, indexed once.
            let insert = try db.makeStatement(sql: "INSERT INTO product_search(rowid, title, product_id) VALUES (?, ?, ?)")
            let rows = try Row.fetchCursor(db, sql: "SELECT product_id, title FROM products WHERE title IS NOT NULL")
            while let row = try rows.next() {
                let id: String = row[0]
                try insert.execute(arguments: [ProductSearchKey.rowid(id), row[1] as String, id])
            }
        }
        migrator.registerMigration("v10-recent-movements") { db in
            try db.execute(
                sql: """
                    -- The ledger's newest part: movements posted through the API land here, each with the
                    -- ledger id it keeps, and are moved into stock_movements in batches (every write
                    -- transaction but the API's moves them first, so ledger ids keep the order of arrival).
                    -- A batch updates each page of stock_levels and of the ledger's index once, where one
                    -- movement at a time wrote a random page of each (docs/PERFORMANCE.md, "Recent
                    -- movements"). The ledger is both tables; on hand is stock_on_hand.
                    -- No foreign keys here: the API checks SKU and location in the transaction that posts
                    -- (neither is ever deleted), and the fold's insert checks them again. No index either:
                    -- only `stock show` reads it by SKU, and it is small.
                    CREATE TABLE stock_movements_recent (
                      id INTEGER PRIMARY KEY,
                      at TEXT NOT NULL,
                      sku TEXT NOT NULL,
                      location TEXT NOT NULL,
                      delta INTEGER NOT NULL CHECK (delta <> 0),
                      kind TEXT NOT NULL,
                      ref TEXT NOT NULL
                    );
                    -- Their sum and number per (sku, location), kept by a trigger: as many rows as keys moved
                    -- since the last fold (a till's hot SKUs: a few pages), so a request writes few pages.
                    CREATE TABLE stock_recent_levels (
                      sku TEXT NOT NULL, location TEXT NOT NULL, delta INTEGER NOT NULL, movements INTEGER NOT NULL,
                      PRIMARY KEY (sku, location)
                    ) WITHOUT ROWID;
                    CREATE TRIGGER stock_movements_recent_level AFTER INSERT ON stock_movements_recent
                      BEGIN
                        INSERT INTO stock_recent_levels(sku, location, delta, movements) VALUES (NEW.sku, NEW.location, NEW.delta, 1)
                          ON CONFLICT(sku, location) DO UPDATE SET delta = delta + excluded.delta, movements = movements + 1;
                      END;
                    -- On hand per (sku, location): stock_levels plus the recent movements not yet in it.
                    CREATE VIEW stock_on_hand AS
                      SELECT sku, location, on_hand + COALESCE((SELECT delta FROM stock_recent_levels r WHERE r.sku = s.sku AND r.location = s.location), 0) AS on_hand
                        FROM stock_levels s
                      UNION ALL
                      SELECT sku, location, delta FROM stock_recent_levels r
                        WHERE NOT EXISTS (SELECT 1 FROM stock_levels s WHERE s.sku = r.sku AND s.location = r.location);
                    """)
        }
        return migrator
    }
}
