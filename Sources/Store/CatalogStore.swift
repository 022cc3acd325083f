import CSQLiteTuning
public import Catalog
public import Foundation
internal import GRDB
public import StorePort

#if canImport(Glibc)
    public import Glibc
#endif

/// The canonical product repository in one SQLite database (WAL mode), migrated when opened: the
/// embedded implementation of the store port.
///
/// Writers run inside one immediate transaction; readers see one consistent snapshot.
public struct SQLiteStore: CatalogStore {
    let writer: DatabasePool
    /// Set for a long-running server (`backgroundCheckpoints`).
    let checkpointer: BackgroundCheckpointer?
    /// Set for a long-running server: moves API movements into the ledger in batches.
    let recentFolder: RecentMovementFolder?
    public let path: String
    public var location: String { path }

    /// SQLite's process-wide settings, made once before the first connection.
    private static let tuned: Int32 = unifeed_sqlite_tune()

    /// Opens the database at `path`, migrating it when needed; a missing file is created when `create`
    /// (commands that write: imports, order imports, the demo), else it is an error (a mistyped `--db`
    /// would otherwise answer every question with an empty catalog).
    ///
    /// `readOnly`: the commands that only read open the database read-only, so a database they may not
    /// write (a read-only file or folder, a replica) still answers them.
    ///
    /// `durable`: every commit is synced to the disk before it returns (`synchronous = FULL`), so a
    /// committed write survives a power cut, not only a killed process (the default, `NORMAL` in WAL
    /// mode, survives a killed process; a power cut may lose the last commits, never the database).
    ///
    /// `backgroundCheckpoints` (a server): the write-ahead log is copied into the database file by a
    /// thread of its own, not by whichever commit happens to cross SQLite's threshold, so no request
    /// waits for a checkpoint (at 16 KB pages one costs tens of milliseconds).
    public init(path: String, create: Bool = true, readOnly: Bool = false, durable: Bool = false, backgroundCheckpoints: Bool = false) throws {
        _ = SQLiteStore.tuned
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw StoreError(
                "\(path): error: no database here (a command that writes, such as `unifeed import catalog`, creates one); check --db or $UNIFEED_DB")
        }
        self.path = path
        var config = Configuration()
        config.readonly = readOnly
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            // 16 KB pages for a new database (an existing one keeps its size): a quarter of the WAL frames
            // of 4 KB pages (docs/PERFORMANCE.md, "Page size").
            try db.execute(
                sql: readOnly
                    ? "PRAGMA cache_size = -16384"
                    : "PRAGMA page_size = 16384; PRAGMA synchronous = \(durable ? "FULL" : "NORMAL"); PRAGMA cache_size = -16384"
                        + (backgroundCheckpoints ? "; PRAGMA wal_autocheckpoint = 0" : ""))
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError("\(path): error: the folder \(directory) does not exist")
        }
        do {
            do {
                writer = try DatabasePool(path: path, configuration: config)
            } catch let error as DatabaseError where readOnly && error.resultCode == .SQLITE_READONLY {
                // A WAL database cannot be opened even read-only when its shared-memory file is missing
                // and cannot be made (a folder this user may not write). With no such file there is no
                // writer at work, so the file is read as it is (`immutable`: no locks, no WAL).
                var uri = URLComponents()
                uri.scheme = "file"
                uri.path = URL(fileURLWithPath: path).standardizedFileURL.path
                uri.queryItems = [URLQueryItem(name: "immutable", value: "1")]
                writer = try DatabasePool(path: uri.string ?? path, configuration: config)
            }
            // A database a newer unifeed migrated may hold what this one does not know to keep right
            // (the ledger's recent part, say): refuse it rather than write around it.
            let (superseded, migrated) = try writer.read { db in
                (try Schema.migrator.hasBeenSuperseded(db), try Schema.migrator.hasCompletedMigrations(db))
            }
            if superseded {
                throw StoreError(
                    "\(path): error: the database was migrated by a newer version of unifeed; use that version (this one would not keep it right)")
            }
            if !migrated {
                if readOnly {
                    throw StoreError(
                        "\(path): error: the database was made by another version of unifeed and needs migrating; run a command that writes (such as `unifeed import catalog`) with write access first")
                }
                // GRDB reads which migrations ran before it takes SQLite's write lock, so two processes
                // opening a fresh database at once would both run them. A lock on the folder (flock on a
                // directory: no extra file, and no clash with SQLite's own fcntl locks on the database)
                // makes the second wait, then find them done.
                let folder = open(directory, O_RDONLY | O_CLOEXEC)
                if folder >= 0 { flock(folder, LOCK_EX) }
                defer { if folder >= 0 { close(folder) } }
                try Schema.migrator.migrate(writer)
            }
            let pool = writer
            let checkpoints =
                backgroundCheckpoints && !readOnly
                ? try BackgroundCheckpointer(path: path) { try pool.writeWithoutTransaction { _ = try $0.checkpoint(.passive) } } : nil
            checkpointer = checkpoints
            recentFolder =
                backgroundCheckpoints && !readOnly
                ? RecentMovementFolder(
                    waiting: { try pool.read { try RecentMovements.waiting($0) } },
                    fold: { limit in
                        try pool.writeWithoutTransaction { db in
                            // A whole batch (a flood, about once a second) skips the ledger's foreign-key
                            // lookups: its SKUs and locations were checked when posted, and neither is ever
                            // deleted. Chunks keep them (a pragma change makes every cached statement of
                            // the connection prepare again, which chunks every 10 ms would pay each time).
                            if limit == nil { try db.execute(sql: "PRAGMA foreign_keys = OFF") }
                            defer {
                                if limit == nil {
                                    try? db.execute(sql: "PRAGMA foreign_keys = ON")
                                    // Never let a later write on this connection go unchecked.
                                    guard (try? Bool.fetchOne(db, sql: "PRAGMA foreign_keys")) == true else {
                                        fatalError("unifeed: foreign keys could not be turned back on after a fold of stock movements")
                                    }
                                }
                            }
                            try db.inTransaction(.immediate) {
                                _ = try RecentMovements.fold(db, limit: limit)
                                return .commit
                            }
                        }
                        checkpoints?.wrote()
                    }
                ) : nil
        } catch let error as DatabaseError where !readOnly && error.resultCode == .SQLITE_READONLY {
            let cause = access(path, W_OK) != 0 ? "the file is read-only for this user" : "its folder \(directory) is read-only for this user"
            throw StoreError(
                "\(path): error: cannot write the database: \(cause) (commands that only read, such as `products list`, still work)")
        } catch let error as DatabaseError {
            throw StoreError("\(path): error: cannot open the database: \(error.message ?? "\(error.resultCode)")")
        }
    }

    /// Runs `body` in one immediate write transaction; it commits only when `body` returns `.commit`.
    ///
    /// The recent API movements are moved into the ledger first (`RecentMovements`), so a writer
    /// finds stock_levels whole and appends after them; only the API's own writes skip it (`fold: false`).
    func write<T>(fold: Bool = true, _ body: (Database) throws -> (T, commit: Bool)) throws -> T {
        var result: T?
        try writer.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                if fold { _ = try RecentMovements.fold(db) }
                let (value, commit) = try body(db)
                result = value
                return commit ? .commit : .rollback
            }
        }
        checkpointer?.wrote()
        return result!
    }

    /// Runs `body` in one read transaction (one snapshot of the catalog).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.read(body)
    }

    // MARK: The port

    public func importing<T>(now: Date, _ body: (any ImportSession) throws -> (T, commit: Bool)) throws -> T {
        try write { db in
            let writer = try CatalogWriter(db: db, now: now)
            let result = try body(writer)
            try writer.flush()
            return result
        }
    }

    public func recordingOrders<T>(restockRefunds: Bool, now: Date, _ body: (any OrderBookSession) throws -> (T, commit: Bool)) throws -> T {
        try write { db in
            let book = OrderBook(db: db, restockRefunds: restockRefunds, now: now)
            let result = try body(book)
            try book.flush()
            return result
        }
    }

    public func loggingPublish<T>(_ body: (any PublishLogSession) throws -> T) throws -> T {
        try write { db in (try body(PublishLog(db: db)), commit: true) }
    }

    public func reading<T>(_ body: (any CatalogSnapshot) throws -> T) throws -> T {
        try read { db in try body(SQLiteSnapshot(db: db)) }
    }

    public func managingTokens<T>(_ body: (any TokenSession) throws -> T) throws -> T {
        try write { db in (try body(TokenTable(db: db)), commit: true) }
    }

    public func postingMovements<T>(at now: Date, _ body: (any MovementSession) throws -> (T, commit: Bool)) throws -> T {
        let result = try write(fold: false) { db in try body(MovementWriter(db: db)) }
        recentFolder?.posted()
        return result
    }

    public func liveTokens() throws -> [(token: APIToken, hash: [UInt8])] {
        // One statement is its own snapshot: no transaction to begin and end around it.
        try writer.unsafeRead { db in try TokenTable.live(db) }
    }

    public func managingSessions<T>(_ body: (any SessionTable) throws -> T) throws -> T {
        try write { db in (try body(SessionRows(db: db)), commit: true) }
    }

    public func session(hash: [UInt8], now: Int) throws -> (session: DashboardSession, token: APIToken)? {
        try writer.unsafeRead { db in try SessionRows.find(db, hash: hash, now: now) }
    }

    public func ping() throws {
        _ = try writer.unsafeRead { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM sqlite_schema")) }
    }
}
