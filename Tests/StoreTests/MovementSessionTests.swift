import Catalog
import Foundation
import Import
import StorePort
import StoreTestSupport
import Testing

/// A request's movements as the store compares keys: byte for byte. Swift's `String` equality takes a
/// composed `É` and `E` + a combining accent for one; neither SQLite nor PostgreSQL (keys in the "C" collation) does, and neither may the rules.
@Suite struct MovementSessionTests {
    @Test(arguments: StoreKind.tested) func twoSpellingsOfOneLetterAreTwoSKUs(_ store: StoreKind) throws {
        let h = try PortHarness(store)
        let composed = "CAF\u{C9}-1", decomposed = "CAFE\u{301}-1"
        #expect(composed == decomposed, "Swift takes them for one string")
        let path = h.directory.appendingPathComponent("cafe.csv").path
        try Data(
            "product_id,sku,title,price,currency,link,image_link,quantity\nCAFE,\(composed),Café mug,12.00,USD,https://shop.example/c,https://shop.example/c.jpg,5\n"
                .utf8
        ).write(to: URL(fileURLWithPath: path))
        #expect(try h.importFile(path).new == 1)

        let sale = MovementRequest(id: "till:1", sku: composed, location: "online", kind: .sale, quantity: 1)
        let count = MovementRequest(id: "till:2", sku: decomposed, location: "online", kind: .count, quantity: 4)
        let outcome = try h.store.postingMovements(at: Date()) { session in
            let result = try session.apply([sale, count], at: "2026-11-25T12:00:00Z")
            return (result, commit: false)
        }
        guard case .failure(.invalid(let problems)) = outcome else {
            Issue.record("expected the decomposed SKU to be unknown, got \(outcome)")
            return
        }
        #expect(problems.map(\.field) == ["movements[1].sku"])

        // Two ids spelled the two ways are two movements.
        let first = MovementRequest(id: "pos-\u{C9}", sku: composed, location: "online", kind: .sale, quantity: 1)
        let second = MovementRequest(id: "pos-E\u{301}", sku: composed, location: "online", kind: .sale, quantity: 1)
        let applied = try h.store.postingMovements(at: Date()) { session in
            (try session.apply([first, second], at: "2026-11-25T12:00:00Z"), commit: true)
        }
        guard case .success(let results) = applied else {
            Issue.record("expected both to apply, got \(applied)")
            return
        }
        #expect(results.map(\.replayed) == [false, false] && results.map(\.onHand) == [4, 3])
    }
}

/// A request as large as the API takes, on distinct SKUs of a catalog big enough that its statement
/// journal outgrows SQLite's in-memory threshold and goes to a temporary file: it commits whole.
/// (With SQLITE_CONFIG_STMTJRNL_SPILL raised to 1 MiB, SQLite 3.40 failed such a statement with
/// SQLITE_FULL, which the server answered 500: docs/PERFORMANCE.md, "Statement journals".)
@Suite struct LargeMovementBatchTests {
    @Test(arguments: StoreKind.tested) func tenThousandMovementsOnDistinctSKUsCommitWhole(_ store: StoreKind) throws {
        let h = try PortHarness(store)
        let path = h.directory.appendingPathComponent("big.csv").path
        var csv = "product_id,sku,title,price,currency,link,image_link,quantity\n"
        for i in 0..<30_000 { csv += "P\(i),SKU-\(i),Item \(i),9.99,USD,https://shop.example/\(i),https://shop.example/\(i).jpg,5\n" }
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try h.importFile(path).new == 30_000)
        let movements = (0..<10_000).map { i in
            MovementRequest(id: "till:\(i)", sku: "SKU-\(i * 3)", location: "online", kind: .sale, quantity: 1)
        }
        let outcome = try h.store.postingMovements(at: Date()) { session in
            (try session.apply(movements, at: "2026-11-25T12:00:00Z"), commit: true)
        }
        guard case .success(let results) = outcome else {
            Issue.record("expected the batch to commit, got \(outcome)")
            return
        }
        #expect(results.count == 10_000 && results.allSatisfy { $0.onHand == 4 && !$0.replayed })
        let posted = try h.database.int("SELECT count(*) FROM api_movements")
        #expect(posted == 10_000)
    }
}
