import Foundation
internal import GRDB
import Synchronization

/// The ledger's newest part (`stock_movements_recent`, migration v10): where the API's movements land.
///
/// A movement written straight into `stock_movements` updates a random page of `stock_levels` and one
/// of the ledger's `(sku, location)` index: at 16 KB pages, two pages written to the write-ahead log
/// per movement, whatever the batch (500 movements on distinct SKUs of a 1M catalog logged about
/// 16 MB). Here a movement is an append to a table without an index, plus its sum per (sku,
/// location) in `stock_recent_levels`, which holds only the keys moved since the last fold (a few
/// pages for a till's hot SKUs). `fold` then moves a whole batch into the ledger in one transaction,
/// in (sku, location) order, so each page of the big tables is written once per batch, not once per
/// movement.
///
/// Each movement gets the ledger id it keeps (one more than the largest of either table), and every
/// other write transaction folds first (`SQLiteStore.write`), so ledger ids keep the order in which
/// movements arrived. On hand is `stock_levels` plus `stock_recent_levels` (the `stock_on_hand` view,
/// or both looked up by key).
enum RecentMovements {
    /// The next ledger id.
    static func nextID(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(
                sql: "SELECT max(coalesce((SELECT max(id) FROM stock_movements), 0), coalesce((SELECT max(id) FROM stock_movements_recent), 0)) + 1"
            )) ?? 1
    }

    /// Whether any movement waits to be folded.
    static func any(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM stock_movements_recent)")) ?? false
    }

    /// On hand of one (sku, location) as an SQL expression over the two given expressions: its level plus
    /// the recent movements' sum, NULL when neither table has a row for it (no stock record there).
    static func onHandSQL(sku: String, location: String) -> String {
        """
        (SELECT sum(n) FROM (SELECT on_hand AS n FROM stock_levels WHERE sku = \(sku) AND location = \(location)
          UNION ALL SELECT delta FROM stock_recent_levels WHERE sku = \(sku) AND location = \(location)))
        """
    }

    /// The table (or view) to read on hand per (sku, location) from: `stock_levels` alone when no
    /// movement waits, which every scan of all stock can then read without the view's extra lookup.
    static func levels(_ db: Database) throws -> String { try any(db) ? "stock_on_hand" : "stock_levels" }

    /// How many movements wait (ids are consecutive: the span of the table).
    static func waiting(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id) - min(id) + 1, 0) FROM stock_movements_recent")) ?? 0
    }

    /// Moves the oldest `limit` recent movements (all when `nil`) into `stock_movements` (its trigger
    /// updates `stock_levels`) and takes them off `stock_recent_levels`, inside the caller's write
    /// transaction. The oldest, so every id left recent still follows every id in the ledger table.
    /// Returns how many moved.
    static func fold(_ db: Database, limit: Int? = nil) throws -> Int {
        guard let oldest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT min(id) FROM stock_movements_recent")) else { return 0 }
        let upTo = limit.map { oldest + Int64($0) - 1 } ?? Int64.max
        try db.cachedStatement(
            sql: """
                INSERT INTO stock_movements(id, at, sku, location, delta, kind, ref)
                SELECT id, at, sku, location, delta, kind, ref FROM stock_movements_recent WHERE id <= ?1 ORDER BY sku, location, id
                """
        ).execute(arguments: [upTo])
        let moved = db.changesCount
        if limit == nil {
            try db.cachedStatement(sql: "DELETE FROM stock_movements_recent").execute()
            try db.cachedStatement(sql: "DELETE FROM stock_recent_levels").execute()
            return moved
        }
        try db.cachedStatement(
            sql: """
                UPDATE stock_recent_levels AS l SET delta = l.delta - c.delta, movements = l.movements - c.movements
                FROM (SELECT sku, location, sum(delta) AS delta, count(*) AS movements FROM stock_movements_recent WHERE id <= ?1 GROUP BY sku, location) c
                WHERE l.sku = c.sku AND l.location = c.location
                """
        ).execute(arguments: [upTo])
        try db.cachedStatement(
            sql: """
                DELETE FROM stock_recent_levels WHERE movements = 0
                  AND (sku, location) IN (SELECT sku, location FROM stock_movements_recent WHERE id <= ?1)
                """
        ).execute(arguments: [upTo])
        try db.cachedStatement(sql: "DELETE FROM stock_movements_recent WHERE id <= ?").execute(arguments: [upTo])
        return moved
    }
}

/// Folds the recent movements of a long-running server on a thread of its own, in one of two ways.
///
/// - A trickle (fewer than `backlog` waiting: single sales from tills), or any backlog once no
///   movement was posted for 50 ms: the oldest `chunk` at a time, every 10 ms, so no request waits
///   behind a long transaction (a chunk takes a few milliseconds) and a backlog drains in quiet moments.
/// - A flood (`backlog` or more waiting while posts keep coming: batches): chunks stop, and when
///   `batch` (100,000) wait they are folded in one transaction, which writes each page of the big
///   tables once for all of them; requests wait for it (up to about half a second at 16 KB pages),
///   the price of the throughput.
///
/// A fold is one write transaction: a server killed in the middle of one leaves the movements recent,
/// for the next writer to fold. A fold that fails is said once on stderr (until one succeeds again)
/// and tried again on the next round.
final class RecentMovementFolder: Sendable {
    static let chunk = 500
    static let backlog = 2_000
    static let batch = 100_000
    private let posts = Atomic<Int>(0)
    private let waiting: @Sendable () throws -> Int
    private let fold: @Sendable (_ limit: Int?) throws -> Void

    init(waiting: @escaping @Sendable () throws -> Int, fold: @escaping @Sendable (_ limit: Int?) throws -> Void) {
        self.waiting = waiting
        self.fold = fold
        let thread = Thread { [self] in run() }
        thread.name = "unifeed.fold"
        thread.start()
    }

    /// A movement request committed (or rolled back).
    func posted() { posts.add(1, ordering: .relaxed) }

    private func run() {
        var pending = true  // a server killed earlier may have left some
        var quiet = 0  // rounds of 10 ms without a post
        var failing = false
        while true {
            usleep(10_000)
            if posts.exchange(0, ordering: .relaxed) > 0 {
                pending = true
                quiet = 0
            } else {
                quiet += 1
            }
            guard pending, let count = try? waiting() else { continue }
            do {
                if count == 0 {
                    pending = false
                } else if count >= Self.batch {
                    try fold(nil)
                } else if count < Self.backlog || quiet >= 5 {
                    try fold(Self.chunk)
                }
                failing = false
            } catch {
                if !failing {
                    FileHandle.standardError.write(Data("unifeed: error: folding the recent stock movements into the ledger failed: \(error)\n".utf8))
                }
                failing = true
            }
        }
    }
}
