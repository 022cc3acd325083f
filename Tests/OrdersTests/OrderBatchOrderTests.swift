import Catalog
import Testing

@testable import Orders

/// Order lines are recorded a batch at a time in SKU order (the store's byte order), file order kept
/// within a SKU, and a line reported twice keeps its reports in file order even when they name
/// different SKUs.
@Suite struct OrderBatchOrderTests {
    static func line(_ order: String, _ sku: String, _ sourceLine: Int) -> OrderLine {
        OrderLine(channel: "amazon", orderID: order, lineID: "1", sku: sku, quantity: 1, status: "Shipped", sourceLine: sourceLine)
    }

    @Test func linesGoInSKUOrderAndALineReportedTwiceKeepsItsFileOrder() {
        let batch = [
            Self.line("o1", "B", 2),
            Self.line("o2", "A", 3),
            Self.line("o1", "B", 4),  // o1 again: its status changed
            Self.line("o3", "É", 5),  // 0xC3 0x89: after "Z" as bytes
            Self.line("o4", "Z", 6),
            Self.line("o1", "0", 7),  // o1 a third time, naming another SKU: stays after its first reports
            Self.line("o5", "B", 8),
        ]
        #expect(OrderImporter.bySKU(batch) == [1, 0, 2, 5, 6, 4, 3])
        #expect(OrderImporter.bySKU([]) == [])
    }
}
