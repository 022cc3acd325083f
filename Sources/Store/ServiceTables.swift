import Catalog
import Foundation
internal import GRDB
import StorePort

/// API tokens in `api_tokens`: a name, the token's SHA-256 and its scopes; the token itself is never
/// stored.
final class TokenTable: TokenSession {
    let db: Database
    init(db: Database) { self.db = db }

    func create(name: String, hash: [UInt8], scopes: Set<Scope>, at: String) throws -> Bool {
        try db.execute(
            sql: "INSERT OR IGNORE INTO api_tokens(name, hash, scopes, created_at) VALUES (?, ?, ?, ?)",
            arguments: [name, Data(hash), scopes.map(\.rawValue).sorted().joined(separator: ","), at])
        return db.changesCount == 1
    }

    func list() throws -> [APIToken] {
        try Row.fetchAll(db, sql: "SELECT name, scopes, created_at, revoked_at FROM api_tokens ORDER BY name").map(Self.token)
    }

    func revoke(name: String, at: String) throws -> Bool {
        try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [at, name])
        return db.changesCount == 1
    }

    static func token(_ row: Row) -> APIToken {
        let scopes = Set((row[1] as String).split(separator: ",").compactMap { Scope(rawValue: String($0)) })
        return APIToken(name: row[0], scopes: scopes, createdAt: row[2], revokedAt: row[3])
    }

    /// The live tokens with their hashes.
    static func live(_ db: Database) throws -> [(token: APIToken, hash: [UInt8])] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT name, scopes, created_at, revoked_at, hash FROM api_tokens WHERE revoked_at IS NULL ORDER BY name")
        ).map { (token($0), [UInt8]($0[4] as Data)) }
    }
}

/// Movements posted through the API: each appended to the ledger's recent part (`RecentMovements`)
/// with kind and `api:ID`, its id recorded in `api_movements` (the primary key refuses a second record
/// of one id, whatever process writes it).
///
/// Lookups by sets of keys take one JSON array read by `json_each` (one cached statement whatever the
/// batch's size); on hand and the rows are bound one by one onto cached statements, which measured
/// faster than building and re-parsing a JSON text per statement (docs/PERFORMANCE.md, "Recent
/// movements").
final class MovementWriter: MovementSession {
    let db: Database
    init(db: Database) { self.db = db }

    func recorded(ids: [String]) throws -> [(id: String, movement: RecordedMovement)] {
        var found: [(id: String, movement: RecordedMovement)] = []
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT a.id, a.fingerprint, a.delta, a.on_hand FROM json_each(?) j JOIN api_movements a ON a.id = j.value"),
            arguments: [Self.json(ids.map(JSONValue.string))])
        while let row = try rows.next() { found.append((row[0], RecordedMovement(fingerprint: row[1], delta: row[2], onHand: row[3]))) }
        return found
    }

    func unknownSKUs(_ skus: [String]) throws -> [String] { try Self.unknownSKUs(db, skus) }
    func unknownLocations(_ codes: [String]) throws -> [String] { try Self.unknownLocations(db, codes) }

    static func unknownSKUs(_ db: Database, _ skus: [String]) throws -> [String] {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT j.value FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM variants WHERE sku = j.value)"),
            arguments: [json(skus.map(JSONValue.string))])
    }

    static func unknownLocations(_ db: Database, _ codes: [String]) throws -> [String] {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT j.value FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM locations WHERE code = j.value)"),
            arguments: [json(codes.map(JSONValue.string))])
    }

    func onHand(_ keys: [SKULocation]) throws -> [(sku: String, location: String, onHand: Int)] {
        // stock_levels plus the recent movements' sum (RecentMovements), one bound lookup per key.
        let select = try db.cachedStatement(
            sql: """
                SELECT (SELECT on_hand FROM stock_levels WHERE sku = ?1 AND location = ?2),
                       (SELECT delta FROM stock_recent_levels WHERE sku = ?1 AND location = ?2)
                """)
        var levels: [(sku: String, location: String, onHand: Int)] = []
        levels.reserveCapacity(keys.count)
        for key in keys {
            select.resetForBinding()
            select.bind(1, key.sku)
            select.bind(2, key.location)
            if let (level, recent) = try select.twoInt64(db), level != nil || recent != nil {
                levels.append((key.sku, key.location, Int((level ?? 0) + (recent ?? 0))))
            }
        }
        return levels
    }

    func post(_ movements: [PostedMovement]) throws {
        guard !movements.isEmpty else { return }
        // Each row bound straight onto a cached statement (Statement+Binding): a batch spends its time in
        // SQLite, not in building and re-parsing a JSON text of its rows.
        var id = try RecentMovements.nextID(db)
        // Into the ledger's recent part (RecentMovements), numbered on from the ledger's last id in the
        // request's order.
        let movement = try db.cachedStatement(
            sql: "INSERT INTO stock_movements_recent(id, at, sku, location, delta, kind, ref) VALUES (?, ?, ?, ?, ?, ?, 'api:' || ?)")
        // A count that matches: the SKU is now counted here, even at 0 (rare: written straight to
        // stock_levels, which a recent movement of the key only adds to).
        let counted = try db.cachedStatement(sql: "INSERT OR IGNORE INTO stock_levels(sku, location, on_hand) VALUES (?, ?, 0)")
        let record = try db.cachedStatement(sql: "INSERT INTO api_movements(id, fingerprint, delta, on_hand, at) VALUES (?, ?, ?, ?, ?)")
        for m in movements {
            if m.delta != 0 {
                movement.resetForBinding()
                movement.bind(1, id)
                movement.bind(2, m.at)
                movement.bind(3, m.request.sku)
                movement.bind(4, m.request.location)
                movement.bind(5, m.delta)
                movement.bind(6, m.request.kind.rawValue)
                movement.bind(7, m.request.id)
                try movement.run(db)
                id += 1
            } else {
                counted.resetForBinding()
                counted.bind(1, m.request.sku)
                counted.bind(2, m.request.location)
                try counted.run(db)
            }
            record.resetForBinding()
            record.bind(1, m.request.id)
            record.bind(2, m.request.fingerprint)
            record.bind(3, m.delta)
            record.bind(4, m.onHand)
            record.bind(5, m.at)
            try record.run(db)
        }
    }

    static func json(_ values: [JSONValue]) -> String { JSONValue.array(values).serialized() }
}
