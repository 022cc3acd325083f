public import Catalog
public import Foundation

// What `unifeed serve` keeps in the store beside the catalog: API tokens, and the stock movements
// posted by tills with their idempotency keys (DESIGN.md §9).

/// What a token may do. `admin` holds every scope.
public enum Scope: String, CaseIterable, Sendable, Hashable {
    case feedsRead = "feeds:read"
    case stockRead = "stock:read"
    case stockWrite = "stock:write"
    case ordersWrite = "orders:write"
    case admin

    /// Parses `feeds:read,stock:write`; the error lists the scopes.
    public static func parseList(_ text: String) throws(ValueError) -> Set<Scope> {
        var scopes: Set<Scope> = []
        for part in text.split(separator: ",") {
            let name = part.trimmingASCIIWhitespace()
            guard let scope = Scope(rawValue: name) else {
                throw ValueError("unknown scope '\(name)', expected one or more of: \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scopes.insert(scope)
        }
        guard !scopes.isEmpty else { throw ValueError("expected at least one scope") }
        return scopes
    }
}

/// An API token as the store keeps it: its name, scopes and dates, never the token itself (only its
/// SHA-256, which the store matches).
public struct APIToken: Sendable, Hashable {
    public var name: String
    public var scopes: Set<Scope>
    public var createdAt: String
    public var revokedAt: String?

    public init(name: String, scopes: Set<Scope>, createdAt: String, revokedAt: String? = nil) {
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// The token may do what `scope` allows (`admin` allows everything).
    public func allows(_ scope: Scope) -> Bool { scopes.contains(.admin) || scopes.contains(scope) }

    /// Scopes as written: sorted, comma-separated.
    public var scopeList: String { scopes.map(\.rawValue).sorted().joined(separator: ",") }
}

/// Token names: letters, digits, `-`, `_` and `.`, 1–64.
public enum TokenName {
    public static func validate(_ text: String) throws(ValueError) -> String {
        let s = text.trimmingASCIIWhitespace()
        guard !s.isEmpty, s.utf8.count <= 64,
            s.utf8.allSatisfy({
                ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 || $0 == 46
            })
        else { throw ValueError("expected a token name of letters, digits, '-', '_' or '.' (at most 64)") }
        return s
    }
}

/// The token records, in one write transaction.
public protocol TokenSession: AnyObject {
    /// Adds a token; `false` when the name is taken (by a live or a revoked token).
    func create(name: String, hash: [UInt8], scopes: Set<Scope>, at: String) throws -> Bool
    /// Every token, live and revoked, by name.
    func list() throws -> [APIToken]
    /// Revokes the live token `name`; `false` when there is none.
    func revoke(name: String, at: String) throws -> Bool
}

/// What a till posts: one stock movement (DESIGN.md §9).
public struct MovementRequest: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Takes `quantity` off.
        case sale
        /// Puts `quantity` back.
        case `return`
        /// Sets on hand to `quantity` (the ledger records the difference).
        case count
        /// Adds `quantity`, which may be negative.
        case adjustment
    }

    /// The client's idempotency key.
    public var id: String
    public var sku: String
    public var location: String
    public var kind: Kind
    public var quantity: Int
    /// When it happened, as the client says (ISO 8601); `nil`: when it arrives.
    public var at: String?

    public init(id: String, sku: String, location: String, kind: Kind, quantity: Int, at: String? = nil) {
        self.id = id
        self.sku = sku
        self.location = location
        self.kind = kind
        self.quantity = quantity
        self.at = at
    }

    /// The content a replay must repeat: everything but the id, in one line.
    public var fingerprint: String { [sku, location, kind.rawValue, String(quantity), at ?? ""].joined(separator: "\u{1F}") }
}

/// What one movement did: the difference posted and on hand after it.
public struct MovementResult: Sendable, Hashable {
    public var id: String
    public var sku: String
    public var location: String
    public var delta: Int
    public var onHand: Int
    /// The same id and content came before: nothing moved now; the first answer is repeated.
    public var replayed: Bool

    public init(id: String, sku: String, location: String, delta: Int, onHand: Int, replayed: Bool) {
        self.id = id
        self.sku = sku
        self.location = location
        self.delta = delta
        self.onHand = onHand
        self.replayed = replayed
    }
}

/// A movement as first recorded under its id.
public struct RecordedMovement: Sendable, Hashable {
    public var fingerprint: String
    public var delta: Int
    public var onHand: Int

    public init(fingerprint: String, delta: Int, onHand: Int) {
        self.fingerprint = fingerprint
        self.delta = delta
        self.onHand = onHand
    }
}

/// The writes of one request's movements, inside one transaction. Each call takes the whole request's
/// values at once, so a batch of 500 movements costs a handful of statements, not thousands.
public protocol MovementSession: AnyObject {
    /// The movements first recorded under these ids, by id.
    func recorded(ids: [String]) throws -> [String: RecordedMovement]
    /// Those of `skus` the catalog does not have.
    func unknownSKUs(_ skus: Set<String>) throws -> Set<String>
    /// Those of `codes` that are not locations (`online` or a store).
    func unknownLocations(_ codes: Set<String>) throws -> Set<String>
    /// On hand per SKU and location (absent: the SKU has no record there, which counts as 0).
    func onHand(_ keys: Set<SKULocation>) throws -> [SKULocation: Int]
    /// Appends each movement's delta to the ledger (kind, `api:ID` ref, `at`) in order, unless it is 0
    /// (a count that matches: the SKU is then recorded at that location, even at 0), and records each
    /// id with its fingerprint, delta and on hand after.
    func post(_ movements: [PostedMovement]) throws
}

/// One movement as `MovementSession.post` writes it.
public struct PostedMovement: Sendable {
    public var request: MovementRequest
    public var delta: Int
    public var onHand: Int
    public var at: String
}

/// Why a request's movements were not applied.
public enum MovementRejection: Error, Sendable {
    /// Bad movements: one message per problem, naming the index and field (`movements[2].sku`).
    case invalid([(field: String, message: String)])
    /// An id reused with other content.
    case conflict(id: String, index: Int)
}

extension MovementSession {
    /// Applies every movement of a request or none: unknown SKUs and locations, and ids reused with
    /// other content (409), are found before anything is posted. A movement whose id came before with
    /// the same content moves nothing and answers as the first time.
    public func apply(_ movements: [MovementRequest], at now: String) throws -> Result<[MovementResult], MovementRejection> {
        let previous = try recorded(ids: movements.map(\.id))
        var seen: [String: Int] = [:]
        for (i, m) in movements.enumerated() {
            if let recorded = previous[m.id], recorded.fingerprint != m.fingerprint { return .failure(.conflict(id: m.id, index: i)) }
            if let first = seen[m.id] {
                if movements[first].fingerprint != m.fingerprint { return .failure(.conflict(id: m.id, index: i)) }
            } else {
                seen[m.id] = i
            }
        }
        let fresh = movements.filter { previous[$0.id] == nil }
        let unknownSKUs = try unknownSKUs(Set(fresh.map(\.sku)))
        let unknownLocations = try unknownLocations(Set(fresh.map(\.location)))
        var problems: [(field: String, message: String)] = []
        for (i, m) in movements.enumerated() where previous[m.id] == nil {
            if unknownSKUs.contains(m.sku) { problems.append(("movements[\(i)].sku", "unknown SKU '\(m.sku)'")) }
            if unknownLocations.contains(m.location) {
                problems.append(("movements[\(i)].location", "unknown location '\(m.location)': expected online or a store code"))
            }
        }
        guard problems.isEmpty else { return .failure(.invalid(problems)) }

        // On hand before, then each movement in order on top of it (what the ledger's trigger does to
        // `stock_levels` as the rows go in).
        var levels = try onHand(Set(fresh.map { SKULocation(sku: $0.sku, location: $0.location) }))
        var results: [MovementResult] = []
        var posted: [String: MovementResult] = [:]
        var writes: [PostedMovement] = []
        results.reserveCapacity(movements.count)
        writes.reserveCapacity(fresh.count)
        for m in movements {
            if let recorded = previous[m.id] {
                results.append(MovementResult(id: m.id, sku: m.sku, location: m.location, delta: recorded.delta, onHand: recorded.onHand, replayed: true))
                continue
            }
            if let earlier = posted[m.id] {  // the same movement twice in one request counts once
                var again = earlier
                again.replayed = true
                results.append(again)
                continue
            }
            let key = SKULocation(sku: m.sku, location: m.location)
            let before = levels[key] ?? 0
            let delta: Int
            switch m.kind {
            case .sale: delta = -m.quantity
            case .return, .adjustment: delta = m.quantity
            case .count: delta = m.quantity - before
            }
            levels[key] = before + delta
            writes.append(PostedMovement(request: m, delta: delta, onHand: before + delta, at: m.at ?? now))
            let result = MovementResult(id: m.id, sku: m.sku, location: m.location, delta: delta, onHand: before + delta, replayed: false)
            posted[m.id] = result
            results.append(result)
        }
        try post(writes)
        return .success(results)
    }
}
