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
/// Which SKUs and locations exist. Neither is ever deleted, so an answer read before a write still
/// holds inside it: the server checks a request's keys on a reader, off the single writer's time.
public protocol MovementKeyCheck {
    /// Those of `skus` the catalog does not have, as given. Values are compared byte for byte, as the
    /// store does (Swift's `String` equality would take two spellings of `É` for one SKU).
    func unknownSKUs(_ skus: [String]) throws -> [String]
    /// Those of `codes` that are not locations (`online` or a store), as given.
    func unknownLocations(_ codes: [String]) throws -> [String]
}

extension MovementKeyCheck {
    /// One problem per movement field naming an unknown SKU or location (`movements[2].sku`), for the
    /// movements at `indices` (all when `nil`).
    public func keyProblems(_ movements: [MovementRequest], indices: [Int]? = nil) throws -> [(field: String, message: String)] {
        let checked = indices ?? Array(movements.indices)
        // Keys are bytes, as the store compares them (see `unknownSKUs`).
        func distinct(_ values: [String]) -> [String] {
            var seen = Set<Bytes>()
            return values.filter { seen.insert(Bytes($0)).inserted }
        }
        let unknownSKUs = Set(try unknownSKUs(distinct(checked.map { movements[$0].sku })).map(Bytes.init))
        let unknownLocations = Set(try unknownLocations(distinct(checked.map { movements[$0].location })).map(Bytes.init))
        var problems: [(field: String, message: String)] = []
        for i in checked {
            let m = movements[i]
            if unknownSKUs.contains(Bytes(m.sku)) { problems.append(("movements[\(i)].sku", "unknown SKU '\(m.sku)'")) }
            if unknownLocations.contains(Bytes(m.location)) {
                problems.append(("movements[\(i)].location", "unknown location '\(m.location)': expected online or a store code"))
            }
        }
        return problems
    }
}

public protocol MovementSession: AnyObject, MovementKeyCheck {
    /// The movements first recorded under those of `ids` that have one.
    func recorded(ids: [String]) throws -> [(id: String, movement: RecordedMovement)]
    /// On hand of those `keys` that have a record (absent: no record there, which counts as 0).
    func onHand(_ keys: [SKULocation]) throws -> [(sku: String, location: String, onHand: Int)]
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

/// A SKU at a location by their bytes, as the store compares them (`String` equality would make two
/// spellings of `É` one key).
private struct Key: Hashable {
    let sku: Bytes, location: Bytes
    init(_ sku: String, _ location: String) { (self.sku, self.location) = (Bytes(sku), Bytes(location)) }
}

/// A string's UTF-8 bytes as a key: compared byte for byte, hashed in one call (an array of bytes
/// would be hashed one byte at a time, which showed in the batched movements' profile).
private struct Bytes: Hashable {
    let utf8: [UInt8]
    init(_ string: String) { utf8 = Array(string.utf8) }
    func hash(into hasher: inout Hasher) { utf8.withUnsafeBytes { hasher.combine(bytes: $0) } }
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
    ///
    /// `keysChecked`: the caller found every SKU and location known (`keyProblems` on a reader), so
    /// they are not looked up again here.
    public func apply(_ movements: [MovementRequest], at now: String, keysChecked: Bool = false) throws -> Result<[MovementResult], MovementRejection> {
        // Ids too are keys by their bytes, as the store's primary key compares them; each movement's
        // first record, if any, by index.
        let ids = movements.map { Bytes($0.id) }
        var recordedByID: [Bytes: RecordedMovement] = [:]
        for (id, record) in try recorded(ids: movements.map(\.id)) { recordedByID[Bytes(id)] = record }
        let previous = ids.map { recordedByID[$0] }
        var seen: [Bytes: Int] = [:]
        for (i, m) in movements.enumerated() {
            if let recorded = previous[i], recorded.fingerprint != m.fingerprint { return .failure(.conflict(id: m.id, index: i)) }
            if let first = seen[ids[i]] {
                if movements[first].fingerprint != m.fingerprint { return .failure(.conflict(id: m.id, index: i)) }
            } else {
                seen[ids[i]] = i
            }
        }
        let freshIndices = movements.indices.filter { previous[$0] == nil }
        let fresh = freshIndices.map { movements[$0] }
        if !keysChecked {
            let problems = try keyProblems(movements, indices: freshIndices)
            guard problems.isEmpty else { return .failure(.invalid(problems)) }
        }

        // On hand before, then each movement in order on top of it (what the ledger's trigger does to
        // `stock_levels` as the rows go in).
        var asked = Set<Key>()
        let keys = fresh.filter { asked.insert(Key($0.sku, $0.location)).inserted }.map { SKULocation(sku: $0.sku, location: $0.location) }
        var levels: [Key: Int] = [:]
        for level in try onHand(keys) { levels[Key(level.sku, level.location)] = level.onHand }
        var results: [MovementResult] = []
        var posted: [Bytes: MovementResult] = [:]
        var writes: [PostedMovement] = []
        results.reserveCapacity(movements.count)
        writes.reserveCapacity(fresh.count)
        for (i, m) in movements.enumerated() {
            if let recorded = previous[i] {
                results.append(MovementResult(id: m.id, sku: m.sku, location: m.location, delta: recorded.delta, onHand: recorded.onHand, replayed: true))
                continue
            }
            if let earlier = posted[ids[i]] {  // the same movement twice in one request counts once
                var again = earlier
                again.replayed = true
                results.append(again)
                continue
            }
            let key = Key(m.sku, m.location)
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
            posted[ids[i]] = result
            results.append(result)
        }
        try post(writes)
        return .success(results)
    }
}
