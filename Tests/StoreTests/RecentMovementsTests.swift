import Catalog
import Foundation
import GRDB
import Import
import StorePort
import Testing

@testable import Store

/// The API's movements land in the ledger's recent part (`stock_movements_recent`) and are folded into
/// `stock_movements` in batches. Every answer about stock is the same before and after a fold, a
/// movement keeps its ledger id through it, and every other writer folds first.
@Suite struct RecentMovementsTests {
    /// Everything the port answers about stock, as text.
    static func stockAnswers(_ store: SQLiteStore) throws -> String {
        try store.reading { snapshot in
            var out = ""
            let stores = try snapshot.stores().map(\.code)
            for locations in [nil, ["online"], ["online"] + stores] as [[String]?] {
                let rows = try snapshot.feedRows(locations: locations)
                while let v = try rows.next() {
                    out += "feed \(locations ?? []) \(v.sku) \(v.quantity.map(String.init) ?? "-") \(v.stock.map { "\($0.location)=\($0.quantity)" })\n"
                    let report = try #require(try snapshot.stock(sku: v.sku.rawValue))
                    out += "show \(v.sku) \(report.onHand.map { "\($0.location)=\($0.quantity)" }) \(report.movements.map { "\($0.id):\($0.delta):\($0.ref)" })\n"
                    let one = try #require(try snapshot.variant(sku: v.sku.rawValue))
                    out += "variant \(one.sku) \(one.quantity.map(String.init) ?? "-") \(one.stock.map { "\($0.location)=\($0.quantity)" })\n"
                }
            }
            try snapshot.forEachStockLevel(location: nil, below: nil) { out += "level \($0) \($1) \($2)\n" }
            try snapshot.forEachStockLevel(location: "online", below: 1) { out += "low \($0) \($1) \($2)\n" }
            out += "counts \(try snapshot.counts())\n"
            out += "locations \(try snapshot.locationStock().map { "\($0.code) \($0.skus) \($0.units) \($0.oversold)" })\n"
            out += "oversold \(try snapshot.oversold(after: nil, limit: 100).map { "\($0.sku)@\($0.location)=\($0.onHand)" })\n"
            out += "latest \(try snapshot.latestMovements(location: nil, before: nil, limit: 1000).map { "\($0.movement.id) \($0.sku)" })\n"
            return out
        }
    }

    static func post(_ store: SQLiteStore, _ movements: [MovementRequest]) throws -> [MovementResult] {
        let outcome = try store.postingMovements(at: Date()) { session in
            (try session.apply(movements, at: "2026-11-25T12:00:00Z"), commit: true)
        }
        guard case .success(let results) = outcome else { throw StoreError("expected the movements to apply, got \(outcome)") }
        return results
    }

    static func tables(_ store: SQLiteStore) throws -> (ledger: Int, recent: Int, levels: String) {
        try store.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_movements")!,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM stock_movements_recent")!,
                try String.fetchAll(db, sql: "SELECT sku || '@' || location || '=' || on_hand FROM stock_levels ORDER BY sku, location").joined(separator: ",")
            )
        }
    }

    @Test func answersAreTheSameBeforeAndAfterAFold() throws {
        let h = try StoreHarness()
        let skus = try h.store.reading { s in try s.feedRows(locations: nil).collectSKUs() }
        let stores = try h.store.reading { try $0.stores().map(\.code) }
        let before = try Self.tables(h.store)
        // Sales, returns, a count, an adjustment; online and in a store; a SKU counted nowhere before;
        // one driven below zero (oversold).
        let movements =
            skus.enumerated().flatMap { i, sku -> [MovementRequest] in
                [
                    MovementRequest(id: "t-\(i)-a", sku: sku, location: "online", kind: i % 3 == 0 ? .sale : .return, quantity: 2),
                    MovementRequest(id: "t-\(i)-b", sku: sku, location: stores[i % stores.count], kind: i % 2 == 0 ? .count : .adjustment, quantity: i % 2 == 0 ? 7 : -3),
                ]
            } + [MovementRequest(id: "oversell", sku: skus[0], location: "online", kind: .sale, quantity: 500)]
        let results = try Self.post(h.store, movements)
        #expect(results.count == movements.count)

        // Only the recent part grew: the ledger table and the levels are as they were.
        let posted = try Self.tables(h.store)
        #expect(posted.ledger == before.ledger && posted.levels == before.levels)
        #expect(posted.recent == results.filter { $0.delta != 0 }.count && posted.recent > 0)
        #expect(try Self.recentSumsAgree(h.store))
        let answers = try Self.stockAnswers(h.store)
        #expect(answers.contains("\(skus[0])@online="), "the oversold SKU is listed")

        // The on hand each movement answered is what every reader shows now.
        let last = Dictionary(results.map { ("\($0.sku)@\($0.location)", $0.onHand) }, uniquingKeysWith: { $1 })
        for (key, onHand) in last { #expect(answers.contains("level \(key.replacingOccurrences(of: "@", with: " ")) \(onHand)\n"), "\(key)") }

        // A server folds a trickle in chunks of the oldest: any chunk leaves every answer as it was.
        var moved = 0
        for limit in [1, 7, 100] {
            moved += try h.store.write(fold: false) { db in (try RecentMovements.fold(db, limit: limit), commit: true) }
            #expect(try Self.stockAnswers(h.store) == answers, "a fold of \(limit) changes no answer, not even a movement's id")
            #expect(try Self.recentSumsAgree(h.store))
        }
        moved += try h.store.write(fold: false) { db in (try RecentMovements.fold(db), commit: true) }
        #expect(moved == posted.recent)
        let folded = try Self.tables(h.store)
        #expect(folded.recent == 0 && folded.ledger == before.ledger + moved)
        #expect(try Self.stockAnswers(h.store) == answers, "a fold changes no answer, not even a movement's id")
    }

    /// `stock_recent_levels` holds exactly the sum and number of the recent movements per key.
    static func recentSumsAgree(_ store: SQLiteStore) throws -> Bool {
        try store.read { db in
            let kept = try String.fetchAll(
                db, sql: "SELECT sku || '@' || location || '=' || delta || '/' || movements FROM stock_recent_levels ORDER BY sku, location")
            let summed = try String.fetchAll(
                db,
                sql: """
                    SELECT sku || '@' || location || '=' || sum(delta) || '/' || count(*) FROM stock_movements_recent
                    GROUP BY sku, location ORDER BY sku, location
                    """)
            return kept == summed
        }
    }

    @Test func otherWritersFoldFirstSoLedgerIDsFollowArrival() throws {
        let h = try StoreHarness()
        let sku = try h.store.reading { s in try s.feedRows(locations: nil).collectSKUs()[0] }
        _ = try Self.post(h.store, [MovementRequest(id: "early", sku: sku, location: "online", kind: .adjustment, quantity: 5)])
        #expect(try Self.tables(h.store).recent == 1)
        // Any other write transaction (here a count through the import path) folds first, then appends.
        let path = h.directory.appendingPathComponent("count.csv").path
        try Data("sku,location,quantity\n\(sku),online,1\n".utf8).write(to: URL(fileURLWithPath: path))
        try h.importFile(path, kind: .inventory)
        #expect(try Self.tables(h.store).recent == 0)
        _ = try Self.post(h.store, [MovementRequest(id: "late", sku: sku, location: "online", kind: .sale, quantity: 1)])
        let report = try #require(try h.store.reading { try $0.stock(sku: sku) })
        let ids = report.movements.map(\.id)
        #expect(ids == ids.sorted() && Set(ids).count == ids.count)
        #expect(report.movements.suffix(3).map(\.ref).first == "api:early")
        #expect(report.movements.last?.ref == "api:late")
        #expect(report.onHand.first { $0.location == "online" }?.quantity == 0, "counted to 1, then one sold")
        // A count computes its difference from the recent movements too.
        let counted = try Self.post(h.store, [MovementRequest(id: "recount", sku: sku, location: "online", kind: .count, quantity: 9)])
        #expect(counted.map(\.delta) == [9] && counted.map(\.onHand) == [9])
    }

    /// A backlog between a trickle and a flood (3,000 waiting, fewer than a batch) drains once posts pause.
    @Test func aServersStoreDrainsABacklogWhenPostsPause() throws {
        let h = try StoreHarness()
        let skus = try h.store.reading { s in try s.feedRows(locations: nil).collectSKUs() }
        let server = try SQLiteStore(path: h.store.path, backgroundCheckpoints: true)
        let movements = (0..<3_000).map { i in
            MovementRequest(id: "burst-\(i)", sku: skus[i % skus.count], location: "online", kind: .adjustment, quantity: 1)
        }
        _ = try Self.post(server, movements)
        let deadline = Date().addingTimeInterval(10)
        while try Self.tables(server).recent > 0 && Date() < deadline { usleep(50_000) }
        #expect(try Self.tables(server).recent == 0)
        #expect(try Self.recentSumsAgree(server))
    }

    @Test func aServersStoreFoldsATrickleOnItsOwn() throws {
        let h = try StoreHarness()
        let sku = try h.store.reading { s in try s.feedRows(locations: nil).collectSKUs()[0] }
        let server = try SQLiteStore(path: h.store.path, backgroundCheckpoints: true)
        _ = try Self.post(server, [MovementRequest(id: "pause", sku: sku, location: "online", kind: .sale, quantity: 1)])
        #expect(try Self.tables(server).recent == 1)
        // A trickle is folded in chunks every 10 ms by the store's own thread: bounded wait.
        let deadline = Date().addingTimeInterval(10)
        while try Self.tables(server).recent > 0 && Date() < deadline { usleep(100_000) }
        let after = try Self.tables(server)
        #expect(after.recent == 0)
        #expect(try server.reading { try $0.stock(sku: sku) }?.movements.last?.ref == "api:pause")
    }
}

extension VariantCursor {
    func collectSKUs() throws -> [String] {
        var skus: [String] = []
        while let v = try next() { skus.append(v.sku.rawValue) }
        return skus
    }
}
