import Config
import Formats
import Foundation
import GRDB
import StorePort
import Testing
import UnifeedTestSupport

/// Publishing while an import commits, importers at the same time: one snapshot, nothing counted twice,
/// busy writers wait instead of failing.
@Suite(.serialized) struct ConcurrencyTests {
    /// Each round imports a catalog where every price is the round's, while a publish runs: every feed
    /// it writes shows one price throughout (the old catalog or the new one, never half of each).
    @Test func aPublishDuringAnImportSeesOneSnapshot() throws {
        let cli = try CLI()
        let rounds = 8, variants = 3000
        for round in 0...rounds {
            try Synthetic.catalog(variants, price: "\(10 + round).00").write(toFile: cli.path("r\(round).csv"), atomically: true, encoding: .utf8)
        }
        #expect(try cli.run(["import", "catalog", cli.path("r0.csv")]).status == 0)
        let (_, importTime) = try cli.timed(["import", "catalog", cli.path("r0.csv"), "--dry-run"])
        var mixedSnapshots = 0, newSnapshots = 0
        for round in 1...rounds {
            let out = cli.path("feeds-\(round)")
            let importer = try cli.launch(["import", "catalog", cli.path("r\(round).csv")])
            // From right at the start of the import to past its commit.
            usleep(UInt32(importTime * 1.3 * Double(round - 1) / Double(rounds - 1) * 1_000_000))
            let publish = try cli.run(["publish", "--out", out, "--channel", "google", "--channel", "amazon", "--force"])
            importer.waitUntilExit()
            #expect(importer.terminationStatus == 0 && publish.status == 0, "\(publish.stderr)")
            let tsv = try String(contentsOfFile: "\(out)/google/products.tsv", encoding: .utf8).split(separator: "\n").dropFirst()
            let header = try String(contentsOfFile: "\(out)/google/products.tsv", encoding: .utf8).split(separator: "\n")[0].split(separator: "\t")
            let column = try #require(header.firstIndex(of: "price"))
            let prices = Set(tsv.map { $0.split(separator: "\t", omittingEmptySubsequences: false)[column] })
            let amazon = try String(contentsOfFile: "\(out)/amazon/listings-0001.json", encoding: .utf8)
            let amazonPrices = Set(
                amazon.split(separator: "\n").compactMap { line -> Substring? in
                    guard let range = line.range(of: #""our_price":[{"schedule":[{"value_with_tax":"#) else { return nil }
                    return line[range.upperBound...].prefix { $0 != "}" }
                })
            #expect(tsv.count == variants && prices.count == 1, "round \(round): \(prices)")
            #expect(
                amazonPrices.count == 1 && amazonPrices.first.map { "\($0) USD" } == prices.first.map(String.init),
                "round \(round): every channel from the same snapshot")
            if prices.count > 1 { mixedSnapshots += 1 }
            if prices.first == "\(10 + round).00 USD" { newSnapshots += 1 }
        }
        #expect(mixedSnapshots == 0)
        print("concurrency: \(rounds) publishes during imports, \(newSnapshots) saw the new catalog, \(rounds - newSnapshots) the old one, 0 mixed")
    }

    /// Two imports into one database at once: the second waits for the first (busy timeout) and both
    /// succeed; the catalog ends as the one that committed last.
    @Test func busyWritersWaitInsteadOfFailing() throws {
        let cli = try CLI()
        try Synthetic.catalog(4000, price: "10.00").write(toFile: cli.path("a.csv"), atomically: true, encoding: .utf8)
        try Synthetic.catalog(4000, price: "20.00").write(toFile: cli.path("b.csv"), atomically: true, encoding: .utf8)
        for _ in 0..<3 {
            let first = try cli.launch(["import", "catalog", cli.path("a.csv")], stderr: cli.path("first.err"))
            let second = try cli.launch(["import", "catalog", cli.path("b.csv")], stderr: cli.path("second.err"))
            let orders = try cli.launch(["orders", "import", CLI.sample("orders/amazon-all-orders.tsv")], stderr: cli.path("orders.err"))
            first.waitUntilExit()
            second.waitUntilExit()
            orders.waitUntilExit()
            let errors = try ["first", "second", "orders"].map { try String(contentsOfFile: cli.path("\($0).err"), encoding: .utf8) }
            #expect(
                first.terminationStatus == 0 && second.terminationStatus == 0 && orders.terminationStatus == 0,
                "exit \(first.terminationStatus), \(second.terminationStatus), \(orders.terminationStatus): \(errors.map { $0.suffix(400) })")
            let amounts = try cli.database().read { try Int.fetchAll($0, sql: "SELECT DISTINCT amount_minor FROM prices") }
            #expect(amounts.count == 1)
            #expect(try cli.checkDatabase() == "ok")
        }
    }
}
