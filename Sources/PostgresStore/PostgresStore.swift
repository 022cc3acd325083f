public import Foundation
import NIOCore
import PostgresNIO
public import StorePort

/// The canonical product repository in a PostgreSQL database (DESIGN.md §12): the same port, tables and
/// answers as `SQLiteStore`, for several machines writing one database.
///
/// Each port call takes a connection from the store's pool for its transaction: writers run in `READ
/// COMMITTED` behind one transaction-level advisory lock (a second writer waits for the first, as on
/// SQLite, whatever machine it runs on; API movements share it among themselves, each locking its own
/// ids and keys), readers in one `REPEATABLE READ, READ ONLY` snapshot. The
/// ledger's idempotency (order lines, API movement ids) rests on primary keys, so a retried write is
/// refused by the database itself.
///
/// Connections: PostgresNIO's `PostgresConnection`, used from the port's plain threads (each call
/// blocks its thread, like SQLite's). PostgresNIO's own pool (`PostgresClient`) lends connections only
/// to `async` closures, and the port's bodies are synchronous; the store keeps its few idle connections
/// itself (`ConnectionPool`).
public final class PostgresStore: CatalogStore, @unchecked Sendable {
    public let url: DatabaseURL
    let pool: ConnectionPool
    public var location: String { url.description }

    /// The advisory lock every write transaction takes (imports, order imports, publish logs, tokens,
    /// sessions, API movements): one writer at a time, as SQLite's.
    static let writerLock: Int64 = 0x756E_6966_6565_6402

    /// Connects to `url` and migrates the database unless `readOnly`; a read-only command refuses a
    /// database that has no unifeed tables yet or needs migrating.
    public init(url: DatabaseURL, readOnly: Bool = false) throws {
        self.url = url
        pool = ConnectionPool(url: url)
        let connection = try pool.take()
        defer { pool.give(connection) }
        if readOnly {
            try PGSchema.check(connection)
        } else {
            try PGSchema.migrate(connection)
        }
    }

    /// Runs `body` in one write transaction behind the writers' lock; commits when it says so.
    ///
    /// `shared`: API movements hold the lock shared, so several post at once (each locks the ids and the
    /// SKU-location keys it touches, `PGMovements`), and PostgreSQL flushes their commits to its log
    /// together; every other writer (an import, an order import) holds it alone, as on SQLite.
    func write<T>(shared: Bool = false, _ body: (PGConnection) throws -> (T, commit: Bool)) throws -> T {
        try pool.with { c in
            try c.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
            do {
                try c.execute("SELECT pg_advisory_xact_lock\(shared ? "_shared" : "")(\(Self.writerLock))")
                let (value, commit) = try body(c)
                // Whatever was sent without waiting answers first: a COMMIT after a failed statement
                // would end the transaction as a ROLLBACK without an error.
                try c.settle()
                try c.execute(commit ? "COMMIT" : "ROLLBACK")
                return value
            } catch {
                try? c.settle()
                _ = try? c.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` in one read-only snapshot.
    func read<T>(_ body: (PGConnection) throws -> T) throws -> T {
        try pool.with { c in
            try c.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            do {
                // Cursors keep their default plan for a fast start, so a publish's rows stream in index
                // order from the first fetch (the connection has JIT off: `PGConnection`).
                let value = try body(c)
                try c.execute("COMMIT")
                return value
            } catch {
                _ = try? c.execute("ROLLBACK")
                throw error
            }
        }
    }

    // MARK: The port

    public func importing<T>(now: Date, _ body: (any ImportSession) throws -> (T, commit: Bool)) throws -> T {
        try write { c in
            let writer = try PGCatalogWriter(c, now: now)
            let result = try body(writer)
            try writer.flush()
            return result
        }
    }

    public func recordingOrders<T>(restockRefunds: Bool, now: Date, _ body: (any OrderBookSession) throws -> (T, commit: Bool)) throws -> T {
        try write { c in
            let book = PGOrderBook(c, restockRefunds: restockRefunds, now: now)
            let result = try body(book)
            try book.flush()
            return result
        }
    }

    public func loggingPublish<T>(_ body: (any PublishLogSession) throws -> T) throws -> T {
        try write { c in (try body(PGPublishLog(c)), commit: true) }
    }

    public func reading<T>(_ body: (any CatalogSnapshot) throws -> T) throws -> T {
        try read { c in try body(PGSnapshot(c)) }
    }

    public func managingTokens<T>(_ body: (any TokenSession) throws -> T) throws -> T {
        try write { c in (try body(PGTokens(c)), commit: true) }
    }

    public func postingMovements<T>(at now: Date, _ body: (any MovementSession) throws -> (T, commit: Bool)) throws -> T {
        try write(shared: true) { c in try body(PGMovements(c)) }
    }

    public func liveTokens() throws -> [(token: APIToken, hash: [UInt8])] {
        try pool.with { c in try PGTokens.live(c) }
    }

    public func managingSessions<T>(_ body: (any SessionTable) throws -> T) throws -> T {
        try write { c in (try body(PGSessions(c)), commit: true) }
    }

    public func session(hash: [UInt8], now: Int) throws -> (session: DashboardSession, token: APIToken)? {
        try pool.with { c in try PGSessions.find(c, hash: hash, now: now) }
    }

    public func ping() throws {
        try pool.with { c in _ = try c.query("SELECT 1") }
    }
}

/// The store's idle connections: taken for one transaction, given back after it (a connection whose
/// transaction could not be ended is closed instead). New ones are made on demand.
final class ConnectionPool: @unchecked Sendable {
    let url: DatabaseURL
    private let lock = NSLock()
    private var idle: [PGConnection] = []
    /// Idle connections kept; more may be open while in use.
    let keep = 8

    init(url: DatabaseURL) { self.url = url }

    func take() throws -> PGConnection {
        lock.lock()
        let connection = idle.popLast()
        lock.unlock()
        return try connection ?? PGConnection(url: url)
    }

    func give(_ connection: PGConnection) {
        guard !connection.connection.isClosed else { return }
        lock.lock()
        defer { lock.unlock() }
        if idle.count < keep { idle.append(connection) }
    }

    /// Runs `body` with a connection; one that failed is not reused (its state is unknown).
    func with<T>(_ body: (PGConnection) throws -> T) throws -> T {
        let connection = try take()
        do {
            let value = try body(connection)
            give(connection)
            return value
        } catch {
            if (try? connection.query("SELECT 1")) != nil { give(connection) }
            throw error
        }
    }
}

/// Bind values for one statement, typed (`PostgresBindings` takes each through a generic).
enum PGValue {
    case text(String?)
    case int(Int64?)
    case bytes([UInt8]?)
    case texts([String])
    case ints([Int64])

    static func int(_ value: Int?) -> PGValue { .int(value.map(Int64.init)) }
}

func binds(_ values: PGValue...) -> PostgresBindings {
    var b = PostgresBindings(capacity: values.count)
    for value in values {
        switch value {
        case .text(let s?): b.append(s)
        case .int(let n?): b.append(n)
        case .bytes(let bytes?): b.append(ByteBuffer(bytes: bytes))
        case .texts(let list): b.append(list)
        case .ints(let list): b.append(list)
        case .text(nil), .int(nil), .bytes(nil): b.appendNull()
        }
    }
    return b
}
