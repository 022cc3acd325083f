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

/// Movements posted through the API: each appended to the ledger with kind and `api:ID`, its id
/// recorded in `api_movements` (the primary key refuses a second record of one id, whatever process
/// writes it).
///
/// A request's values travel as one JSON array read by `json_each`: one cached statement per step
/// whatever the batch's size, and SQLite's own loop over the rows.
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

    func unknownSKUs(_ skus: [String]) throws -> [String] {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT j.value FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM variants WHERE sku = j.value)"),
            arguments: [Self.json(skus.map(JSONValue.string))])
    }

    func unknownLocations(_ codes: [String]) throws -> [String] {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT j.value FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM locations WHERE code = j.value)"),
            arguments: [Self.json(codes.map(JSONValue.string))])
    }

    func onHand(_ keys: [SKULocation]) throws -> [(sku: String, location: String, onHand: Int)] {
        var levels: [(sku: String, location: String, onHand: Int)] = []
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT s.sku, s.location, s.on_hand FROM json_each(?) j
                    JOIN stock_levels s ON s.sku = json_extract(j.value, '$[0]') AND s.location = json_extract(j.value, '$[1]')
                    """),
            arguments: [Self.json(keys.map { .array([.string($0.sku), .string($0.location)]) })])
        while let row = try rows.next() { levels.append((row[0], row[1], row[2])) }
        return levels
    }

    func post(_ movements: [PostedMovement]) throws {
        guard !movements.isEmpty else { return }
        // [sku, location, delta, kind, id, at, fingerprint, on_hand], in the request's order.
        let rows = Self.json(
            movements.map {
                .array([
                    .string($0.request.sku), .string($0.request.location), .int($0.delta), .string($0.request.kind.rawValue), .string($0.request.id),
                    .string($0.at), .string($0.request.fingerprint), .int($0.onHand),
                ])
            })
        try db.cachedStatement(
            sql: """
                INSERT INTO stock_movements(at, sku, location, delta, kind, ref)
                SELECT json_extract(j.value, '$[5]'), json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'), 'api:' || (json_extract(j.value, '$[4]'))
                FROM json_each(?) j WHERE json_extract(j.value, '$[2]') <> 0 ORDER BY j.key
                """
        ).execute(arguments: [rows])
        // A count that matches: the SKU is now counted here, even at 0.
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO stock_levels(sku, location, on_hand)
                SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), 0 FROM json_each(?) j WHERE json_extract(j.value, '$[2]') = 0
                """
        ).execute(arguments: [rows])
        try db.cachedStatement(
            sql: """
                INSERT INTO api_movements(id, fingerprint, delta, on_hand, at)
                SELECT json_extract(j.value, '$[4]'), json_extract(j.value, '$[6]'), json_extract(j.value, '$[2]'), json_extract(j.value, '$[7]'), json_extract(j.value, '$[5]') FROM json_each(?) j ORDER BY j.key
                """
        ).execute(arguments: [rows])
    }

    static func json(_ values: [JSONValue]) -> String { JSONValue.array(values).serialized() }
}
