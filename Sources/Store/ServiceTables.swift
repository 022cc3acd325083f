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
final class MovementWriter: MovementSession {
    let db: Database
    init(db: Database) { self.db = db }

    func recorded(id: String) throws -> RecordedMovement? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT fingerprint, delta, on_hand FROM api_movements WHERE id = ?"), arguments: [id]).map {
            RecordedMovement(fingerprint: $0[0], delta: $0[1], onHand: $0[2])
        }
    }

    func variantExists(_ sku: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM variants WHERE sku = ?)"), arguments: [sku]) ?? false
    }

    func locationExists(_ code: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM locations WHERE code = ?)"), arguments: [code]) ?? false
    }

    func onHand(sku: String, location: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT on_hand FROM stock_levels WHERE sku = ? AND location = ?"), arguments: [sku, location]) ?? 0
    }

    func post(_ movement: MovementRequest, delta: Int, at: String) throws -> Int {
        if delta != 0 {
            try db.cachedStatement(sql: "INSERT INTO stock_movements(at, sku, location, delta, kind, ref) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [at, movement.sku, movement.location, delta, movement.kind.rawValue, "api:\(movement.id)"])
        } else {
            // A count that matches: the SKU is now counted here, even at 0.
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO stock_levels(sku, location, on_hand) VALUES (?, ?, 0)")
                .execute(arguments: [movement.sku, movement.location])
        }
        let onHand = try onHand(sku: movement.sku, location: movement.location)
        try db.cachedStatement(sql: "INSERT INTO api_movements(id, fingerprint, delta, on_hand, at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [movement.id, movement.fingerprint, delta, onHand, at])
        return onHand
    }
}
