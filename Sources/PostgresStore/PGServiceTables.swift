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

    /// Locks `keys` for this transaction, in one order (sorted by bytes) so two requests never wait on
    /// each other in a circle. Posts hold the writers' lock shared: these make the ones touching the same
    /// ids or the same SKU at a location take turns, as SQLite's single writer does for all.
    private func lock(_ keys: [String]) throws {
        guard !keys.isEmpty else { return }
        try c.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(k, 1970)) FROM (SELECT DISTINCT k FROM unnest($1::text[]) AS u(k) ORDER BY k) s",
            binds(.texts(keys)))
    }

    func recorded(ids: [String]) throws -> [(id: String, movement: RecordedMovement)] {
        try lock(ids.map { "id\u{1F}" + $0 })
        return try c.query("SELECT id, fingerprint, delta, on_hand FROM api_movements WHERE id = ANY($1)", binds(.texts(ids))).map { row in
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
        try lock(keys.map { "key\u{1F}" + $0.sku + "\u{1F}" + $0.location })
        return try c.query(
            """
            SELECT s.sku, s.location, s.on_hand FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(sku, location, n)
              JOIN stock_levels s ON s.sku = k.sku AND s.location = k.location ORDER BY k.n
            """, binds(.texts(keys.map(\.sku)), .texts(keys.map(\.location)))
        ).map { row in
            let (sku, location, onHand) = try row.decode((String, String, Int64).self)
            return (sku, location, Int(onHand))
        }
    }

    /// One statement for the whole request (a till's single sale is one round trip, not a COPY's
    /// handshake per table): the ledger rows in the request's order, the counted-at-zero levels and the
    /// id records.
    func post(_ movements: [PostedMovement]) throws {
        guard !movements.isEmpty else { return }
        // Held already when `onHand` read them (the usual order); taken again at no cost otherwise.
        try lock(movements.map { "key\u{1F}" + $0.request.sku + "\u{1F}" + $0.request.location })
        try c.execute(
            """
            WITH posted AS (
              SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[])
                WITH ORDINALITY AS p(at, sku, location, delta, kind, id, fingerprint, on_hand, n)
            ), ledger AS (
              INSERT INTO stock_movements(at, sku, location, delta, kind, ref)
              SELECT at, sku, location, delta, kind, 'api:' || id FROM posted WHERE delta <> 0 ORDER BY n
            ), counted AS (
              INSERT INTO stock_levels(sku, location, on_hand)
              SELECT DISTINCT sku, location, 0 FROM posted WHERE delta = 0 ON CONFLICT DO NOTHING
            )
            INSERT INTO api_movements(id, fingerprint, delta, on_hand, at) SELECT id, fingerprint, delta, on_hand, at FROM posted ORDER BY n
            """,
            binds(
                .texts(movements.map(\.at)), .texts(movements.map(\.request.sku)), .texts(movements.map(\.request.location)),
                .ints(movements.map { Int64($0.delta) }), .texts(movements.map(\.request.kind.rawValue)), .texts(movements.map(\.request.id)),
                .texts(movements.map(\.request.fingerprint)), .ints(movements.map { Int64($0.onHand) })))
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
