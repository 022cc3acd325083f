import Catalog
import Foundation
import Import
import StorePort
import Testing

@testable import Store

/// A request's movements as the store compares keys: byte for byte. Swift's `String` equality takes a
/// composed `É` and `E` + a combining accent for one; SQLite does not, and neither may the rules.
@Suite struct MovementSessionTests {
    @Test func twoSpellingsOfOneLetterAreTwoSKUs() throws {
        let h = try StoreHarness()
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
