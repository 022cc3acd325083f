import Config
import Feeds
import Foundation
import StoreTestSupport
import Testing
import UnifeedTestSupport

@Suite(.serialized, .enabled(if: Requirements.serverBuilt, "the unifeed binary was built without the Server trait (--disable-default-traits)")) struct AvailabilityTests {
    /// The API answers for every SKU of the samples what the published Google, Meta, local-inventory and
    /// marketplace files say: zero differences, before and after a till's sale.
    @Test(arguments: StoreKind.tested) func theAnswerIsWhatEveryPublishedFileSays(_ store: StoreKind) throws {
        let s = try SampleServer(on: store)
        let config = try ConfigLoader.load(path: CLI.config)
        let channels = try ChannelCatalog.load(templatesDir: config.templatesDir)
        let skus = try s.cli.run(["products", "list"]).stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[0]) }
        #expect(skus.count == 128)

        func differences() throws -> (compared: Int, differences: [String]) {
            let figures = try PublishedFigures.read(outDir: s.cli.path("feeds"), channels: channels, config: config)
            #expect(Set(figures.byChannel.keys).isSuperset(of: ["google", "google-local", "meta", "amazon", "ebay", "walmart"]))
            var compared = 0
            var out: [String] = []
            for sku in skus {
                let reply = try s.server.request("GET", "/v1/availability/\(sku)", token: s.admin)
                let answer = try s.json(reply)
                let byChannel = answer["channels"] as? [String: [String: Any]] ?? [:]
                for (channel, rows) in figures.byChannel where channel != "google-local" {
                    guard let published = rows[sku] else { continue }  // excluded by a rule, or archived: not in the file
                    let api = try #require(byChannel[channel], "\(sku) on \(channel)")
                    compared += 1
                    if let a = published.availability, a != figures.written(api["availability"] as? String ?? "", channel: channel) {
                        out.append("\(channel) \(sku): file \(a), API \(api["availability"] ?? "")")
                    }
                    if let q = published.quantity, q != String(api["quantity"] as? Int ?? -1) {
                        out.append("\(channel) \(sku): file quantity \(q), API \(api["quantity"] ?? "")")
                    }
                }
                for store in answer["stores"] as? [[String: Any]] ?? [] {
                    let code = store["store_code"] as? String ?? ""
                    guard let published = figures.byChannel["google-local"]?["\(sku)@\(code)"] else { continue }
                    compared += 1
                    if published.availability != figures.written(store["availability"] as? String ?? "", channel: "google-local")
                        || published.quantity != String(store["quantity"] as? Int ?? -1)
                    {
                        out.append("google-local \(sku)@\(code): file \(published), API \(store)")
                    }
                }
            }
            return (compared, out)
        }

        let first = try differences()
        #expect(first.compared > 500)
        #expect(first.differences.isEmpty, "\(first.differences.prefix(10))")

        // A till sells the last units of a SKU at a store; publish again: the API and the files still agree.
        let sku = "TEE-CLS-BLK-S"
        let onHand = try s.onHand(sku, "NYC-01")
        if onHand > 0 {
            #expect(try s.movements([["id": "nyc-till:42", "sku": sku, "location": "NYC-01", "kind": "sale", "quantity": onHand]]).status == 200)
        }
        #expect(try s.cli.run(["publish", "--out", s.cli.path("feeds"), "--force"]).status == 0)
        let second = try differences()
        #expect(second.differences.isEmpty, "\(second.differences.prefix(10))")
        let after = try s.json(try s.server.request("GET", "/v1/availability/\(sku)", token: s.admin))
        let nyc = (after["stores"] as? [[String: Any]])?.first { $0["store_code"] as? String == "NYC-01" }
        #expect(nyc?["availability"] as? String == "out_of_stock" && nyc?["quantity"] as? Int == 0)
    }
}
