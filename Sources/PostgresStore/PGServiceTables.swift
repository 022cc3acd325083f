import Catalog
import Foundation
import NIOCore
import PostgresNIO
import StorePort

/// API tokens on PostgreSQL: a name, the token's SHA-256 and its scopes; the token itself is never stored.
final class PGTokens: TokenSession {
    let c: PGConnection
    init(_ c: PGConnection) { self.c = c }

    func create(name: String, hash: [UInt8], scopes: Set<Scope>, at: String) throws -> Bool {
        try c.execute(
            "INSERT INTO api_tokens(name, hash, scopes, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            binds(.text(name), .bytes(hash), .text(scopes.map(\.rawValue).sorted().joined(separator: ",")), .text(at))) == 1
    }

    func list() throws -> [APIToken] {
        try c.query("SELECT name, scopes, created_at, revoked_at FROM api_tokens ORDER BY name").map { try Self.token($0.makeRandomAccess()) }
    }

    func revoke(name: String, at: String) throws -> Bool {
        try c.execute("UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL", binds(.text(at), .text(name))) == 1
    }

    static func token(_ r: PostgresRandomAccessRow) throws -> APIToken {
        let scopes = Set((try r.text(1) ?? "").split(separator: ",").compactMap { Scope(rawValue: String($0)) })
        return APIToken(name: try r.text(0) ?? "", scopes: scopes, createdAt: try r.text(2) ?? "", revokedAt: try r.text(3))
    }

    static func live(_ c: PGConnection) throws -> [(token: APIToken, hash: [UInt8])] {
        try c.query("SELECT name, scopes, created_at, revoked_at, hash FROM api_tokens WHERE revoked_at IS NULL ORDER BY name").map { row in
            let r = row.makeRandomAccess()
            return (try token(r), Array(try r[4].decode(ByteBuffer.self).readableBytesView))
        }
    }
}

/// Movements posted through the API on PostgreSQL: appended to the ledger with kind and `api:ID`, each id
/// recorded in `api_movements`, whose primary key refuses a second record of one id from any process.
final class PGMovements: MovementSession {
    let c: PGConnection
    init(_ c: PGConnection) { self.c = c }

    func recorded(ids: [String]) throws -> [(id: String, movement: RecordedMovement)] {
        try c.query("SELECT id, fingerprint, delta, on_hand FROM api_movements WHERE id = ANY($1)", binds(.texts(ids))).map { row in
            let (id, fingerprint, delta, onHand) = try row.decode((String, String, Int64, Int64).self)
            return (id, RecordedMovement(fingerprint: fingerprint, delta: Int(delta), onHand: Int(onHand)))
        }
    }

    func unknownSKUs(_ skus: [String]) throws -> [String] { try Self.unknownSKUs(c, skus) }
    func unknownLocations(_ codes: [String]) throws -> [String] { try Self.unknownLocations(c, codes) }

    static func unknownSKUs(_ c: PGConnection, _ skus: [String]) throws -> [String] {
        try c.query(
            "SELECT k FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n) WHERE NOT EXISTS (SELECT 1 FROM variants WHERE sku = u.k) ORDER BY n",
            binds(.texts(skus))
        ).map { try $0.decode(String.self) }
    }

    static func unknownLocations(_ c: PGConnection, _ codes: [String]) throws -> [String] {
        try c.query(
            "SELECT k FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n) WHERE NOT EXISTS (SELECT 1 FROM locations WHERE code = u.k) ORDER BY n",
            binds(.texts(codes))
        ).map { try $0.decode(String.self) }
    }

    func onHand(_ keys: [SKULocation]) throws -> [(sku: String, location: String, onHand: Int)] {
        try c.query(
            """
            SELECT s.sku, s.location, s.on_hand FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(sku, location, n)
              JOIN stock_levels s ON s.sku = k.sku AND s.location = k.location ORDER BY k.n
            """, binds(.texts(keys.map(\.sku)), .texts(keys.map(\.location)))
        ).map { row in
            let (sku, location, onHand) = try row.decode((String, String, Int64).self)
            return (sku, location, Int(onHand))
        }
    }

    func post(_ movements: [PostedMovement]) throws {
        guard !movements.isEmpty else { return }
        var ledger = CopyText()
        var counted: [(String, String)] = []
        var records = CopyText()
        for m in movements {
            if m.delta != 0 {
                ledger.text(m.at); ledger.text(m.request.sku); ledger.text(m.request.location); ledger.int(m.delta)
                ledger.text(m.request.kind.rawValue); ledger.text("api:" + m.request.id)
                ledger.endRow()
            } else {
                counted.append((m.request.sku, m.request.location))
            }
            records.text(m.request.id); records.text(m.request.fingerprint); records.int(m.delta); records.int(m.onHand); records.text(m.at)
            records.endRow()
        }
        try c.copy(into: "stock_movements", columns: ["at", "sku", "location", "delta", "kind", "ref"], data: ledger.buffer)
        if !counted.isEmpty {
            try c.execute(
                "INSERT INTO stock_levels(sku, location, on_hand) SELECT s, l, 0 FROM unnest($1::text[], $2::text[]) AS k(s, l) ON CONFLICT DO NOTHING",
                binds(.texts(counted.map(\.0)), .texts(counted.map(\.1))))
        }
        try c.copy(into: "api_movements", columns: ["id", "fingerprint", "delta", "on_hand", "at"], data: records.buffer)
    }
}

/// Dashboard sign-in sessions on PostgreSQL.
final class PGSessions: SessionTable {
    let c: PGConnection
    init(_ c: PGConnection) { self.c = c }

    func create(hash: [UInt8], _ session: DashboardSession) throws {
        try c.execute(
            "INSERT INTO dashboard_sessions(hash, token_name, csrf, expires_at) VALUES ($1, $2, $3, $4)",
            binds(.bytes(hash), .text(session.tokenName), .text(session.csrf), .int(session.expiresAt)))
    }

    func find(hash: [UInt8], now: Int) throws -> (session: DashboardSession, token: APIToken)? {
        try Self.find(c, hash: hash, now: now)
    }

    static func find(_ c: PGConnection, hash: [UInt8], now: Int) throws -> (session: DashboardSession, token: APIToken)? {
        guard
            let row = try c.query(
                """
                SELECT t.name, t.scopes, t.created_at, t.revoked_at, s.csrf, s.expires_at
                FROM dashboard_sessions s JOIN api_tokens t ON t.name = s.token_name
                WHERE s.hash = $1 AND s.expires_at > $2 AND t.revoked_at IS NULL
                """, binds(.bytes(hash), .int(now))
            ).first
        else { return nil }
        let r = row.makeRandomAccess()
        return (DashboardSession(tokenName: try r.text(0) ?? "", csrf: try r.text(4) ?? "", expiresAt: Int(try r.int(5) ?? 0)), try PGTokens.token(r))
    }

    func delete(hash: [UInt8]) throws {
        try c.execute("DELETE FROM dashboard_sessions WHERE hash = $1", binds(.bytes(hash)))
    }

    func purge(now: Int) throws -> Int {
        try c.execute("DELETE FROM dashboard_sessions WHERE expires_at <= $1", binds(.int(now)))
    }
}
