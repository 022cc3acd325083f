import Catalog
import Config
import Formats
import Foundation
import Import
import Orders
import StorePort
import Testing
import UnifeedTestSupport

/// Each marketplace's report, in every column variation we know, read into order lines.
@Suite struct OrderReportTests {
    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var channel: OrderChannel
        /// (order id, line id, sku, quantity, status) of every line, in file order.
        var lines: [String]
        var description: String { file }
    }

    static let cases: [Case] = [
        Case(
            file: "samples/orders/amazon-all-orders.tsv", channel: .amazon,
            lines: [
                "112-4830215-7731402 112-4830215-7731402#TEE-CLS-BLK-S#1 TEE-CLS-BLK-S 2 Shipped",
                "112-4830215-7731402 112-4830215-7731402#TEE-VNK-NVY-L#1 TEE-VNK-NVY-L 1 Shipped",
                "112-4830215-7731402 112-4830215-7731402#HOD-KID-RED-M#1 HOD-KID-RED-M 1 Shipped",
                "113-9047731-2285610 113-9047731-2285610#DRS-MAX-TER-2X#1 DRS-MAX-TER-2X 1 Shipped",
                "114-1736620-0459871 114-1736620-0459871#HP-KID-BLU#1 HP-KID-BLU 1 Unshipped",
                "111-6620458-3390217 111-6620458-3390217#MUG-STN-BLU#1 MUG-STN-BLU 0 Cancelled",
                "112-0583316-9914025 112-0583316-9914025#HP-ANC-BLK#1 HP-ANC-BLK 1 Shipped FBA",
                "114-5502981-6637014 114-5502981-6637014#AMZ-UNKNOWN-1#1 AMZ-UNKNOWN-1 1 Unshipped",
            ]),
        // SP-API generation: no url, cpf and number-of-items added, columns reordered; one SKU twice in one order.
        Case(
            file: "Tests/OrdersTests/Fixtures/amazon-all-orders-newer.tsv", channel: .amazon,
            lines: [
                "113-2290417-5561830 113-2290417-5561830#TEE-CLS-BLK-M#1 TEE-CLS-BLK-M 2 Shipped",
                "111-7043358-2016649 111-7043358-2016649#MUG-STN-BLU#1 MUG-STN-BLU 1 Unshipped",
                "113-2290417-5561830 113-2290417-5561830#TEE-CLS-BLK-M#2 TEE-CLS-BLK-M 1 Shipped",
            ]),
        // Legacy MFN report: order-item-id; a continuation row with a blank order-id.
        Case(
            file: "Tests/OrdersTests/Fixtures/amazon-mfn-orders.tsv", channel: .amazon,
            lines: [
                "111-4092716-3358402 05384910277514 HOD-ZIP-CHR-L 1 Unshipped",
                "111-4092716-3358402 05384910277622 SCK-CRW-MIX-L 2 Unshipped",
                "111-4092716-3358402 05384910277730 MUG-STN-SND 1 Unshipped",
            ]),
        // eBay's layout: bare-comma first line, padding row, summary row, footers.
        Case(
            file: "samples/orders/ebay-orders.csv", channel: .ebay,
            lines: [
                "14-13872-50216 2719043650018 DRS-MAX-TER-2X 1 Shipped",
                "27-13880-11492 2719043651104 TEE-CLS-BLK-S 1 Paid",
                "27-13880-11492 2719043651205 HP-KID-BLU 2 Paid",
                "27-13880-11492 2719043651306 HOD-KID-RED-M 1 Paid",
                "06-13891-77340 2719043652007 EBAY-UNKNOWN-9 1 Paid",
                "19-13902-64081 2719043652608 TEE-VNK-NVY-L 2 Shipped",
            ]),
        Case(file: "Tests/OrdersTests/Fixtures/ebay-orders-au.csv", channel: .ebay, lines: []),
        Case(
            file: "samples/orders/walmart-orders.json", channel: .walmart,
            lines: [
                "108829431457512 1 DRS-MAX-TER-2X 1 Shipped",
                "108829431457512 2 TEE-CLS-BLK-S 1 Acknowledged",
                "108829431503904 1 TEE-VNK-NVY-L 2 Cancelled",
                "108829431611286 1 WMT-UNKNOWN-7 1 Created",
                "108829431688053 1 MUG-TRV-BLK 1 Shipped WFS",
            ]),
        Case(file: "Tests/OrdersTests/Fixtures/walmart-orders-minimal.json", channel: .walmart, lines: []),
        Case(file: "Tests/OrdersTests/Fixtures/amazon-all-orders-archived.tsv", channel: .amazon, lines: []),
    ]

    static func read(_ path: String, channel: OrderChannel? = nil) throws -> (OrderChannel, [OrderLine], [InputError]) {
        var reader = try OrderReport.open(path: path, displayName: path, channel: channel, encoding: .utf8, timeZone: TimeZone(identifier: "America/New_York")!)
        var problems: [InputError] = []
        var lines: [OrderLine] = []
        while let line = try reader.next(problems: &problems) { lines.append(line) }
        return (reader.channel, lines, problems)
    }

    @Test(arguments: cases)
    func reportsAreDetectedAndRead(_ c: Case) throws {
        let (channel, lines, problems) = try Self.read(TestPaths.root.appendingPathComponent(c.file).path)
        #expect(channel == c.channel)
        #expect(problems.isEmpty, "\(problems)")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.placedAt != nil && !$0.sku.isEmpty && !$0.orderID.isEmpty })
        if !c.lines.isEmpty {
            let described = lines.map { l in
                "\(l.orderID) \(l.lineID) \(l.sku) \(l.quantity) \(l.status)" + (l.marketplaceFulfilled ? (l.channel == "amazon" ? " FBA" : " WFS") : "")
            }
            #expect(described == c.lines)
        }
    }

    @Test func ebayDatesAndAmazonDatesKeepTheirZones() throws {
        let (_, amazon, _) = try Self.read(TestPaths.root.appendingPathComponent("samples/orders/amazon-all-orders.tsv").path)
        #expect(amazon[0].placedAt?.iso8601UTC.hasPrefix("2026-11-2") == true)
        let zone = TimeZone(identifier: "America/New_York")!
        for text in ["Nov-29-26", "Nov-29-2026", "Nov 29, 2026", "29-Nov-26"] {
            #expect(try EbayOrderReportDates.parse(text, zone).iso8601(in: zone) == "2026-11-29T00:00:00-05:00")
        }
        #expect(throws: ValueError.self) { try EbayOrderReportDates.parse("2026/11/29", zone) }
        #expect(throws: ValueError.self) { try EbayOrderReportDates.parse("Nov-31-26", zone) }
    }

    @Test func theAUeBayLayoutReadsPostcodesAndLocaleMoney() throws {
        let (_, lines, problems) = try Self.read(TestPaths.root.appendingPathComponent("Tests/OrdersTests/Fixtures/ebay-orders-au.csv").path)
        #expect(problems.isEmpty)
        #expect(lines.map { "\($0.sku)×\($0.quantity)" } == ["HP-ANC-BLK×1", "CBL-USBC-1M×3"])
    }

    @Test func aFileThatIsNoReportIsRefusedWithItsFirstLine() throws {
        let dir = try TestPaths.temporaryDirectory()
        let path = dir.appendingPathComponent("catalog.csv").path
        try "sku,title\nA,B\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: InputError.self) { try Self.read(path) }
        #expect(error.description.contains("catalog.csv:1: error: cannot tell which marketplace"))
        #expect(error.description.contains("(found: sku,title)"))
    }
}
