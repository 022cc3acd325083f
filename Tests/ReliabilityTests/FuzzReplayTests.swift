import Config
import Formats
import Foundation
import FuzzTargets
import StorePort
import Testing
import UnifeedTestSupport

/// The fuzz targets in `swift test`: every seed, every saved finding (`Corpus/TARGET/`), and a few
/// hundred seeded mutations of the seeds run through each parser without crashing. Real fuzzing runs
/// longer under libFuzzer: `scripts/fuzz.sh`.
@Suite struct FuzzReplayTests {
    static func seeds(_ target: String) -> [URL] {
        let root = TestPaths.root
        func files(_ dir: String, _ suffixes: [String]) -> [URL] {
            let url = root.appendingPathComponent(dir)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            return names.sorted().filter { name in suffixes.contains { name.hasSuffix($0) } }.map { url.appendingPathComponent($0) }
        }
        var out: [URL]
        switch target {
        case "csv", "native": out = files("samples", [".csv"]) + files("Tests/ImportTests/Fixtures", [".csv"])
        case "shopify": out = files("Tests/ImportTests/Fixtures", [".csv"]).filter { $0.lastPathComponent.hasPrefix("shopify") }
        case "woocommerce": out = files("Tests/ImportTests/Fixtures", [".csv"]).filter { $0.lastPathComponent.hasPrefix("woocommerce") }
        case "akeneo": out = files("Tests/ImportTests/Fixtures", [".csv"]).filter { $0.lastPathComponent.hasPrefix("akeneo") }
        case "config": out = files("samples", [".toml"]) + files("templates", [".toml"])
        case "amazon-orders": out = files("samples/orders", [".tsv"]) + files("Tests/OrdersTests/Fixtures", [".tsv"])
        case "ebay-orders": out = files("samples/orders", [".csv"]) + files("Tests/OrdersTests/Fixtures", [".csv"])
        case "walmart-orders", "json": out = files("samples/orders", [".json"]) + files("Tests/OrdersTests/Fixtures", [".json"])
        case "xml-feed": out = files("Tests/FeedsTests/Golden", [".xml"])
        case "google-xml-catalog": out = files("Tests/ImportTests/Fixtures/google", [".xml"]) + files("Tests/FeedsTests/Golden", [".xml"])
        case "google-tsv-catalog": out = files("Tests/ImportTests/Fixtures/google", [".tsv"]) + files("Tests/FeedsTests/Golden", [".tsv"])
        case "delimited-feed": out = files("Tests/FeedsTests/Golden", [".tsv"])
        case "amazon-feed": out = files("Tests/FeedsTests/Golden", [".json"])
        case "walmart-items-feed": out = files("Tests/FeedsTests/Golden", [".jsonl"])
        default: out = []
        }
        return out + files("Tests/ReliabilityTests/Corpus/\(target)", [""])
    }

    @Test(arguments: FuzzTargets.names)
    func seedsFindingsAndMutationsRunClean(_ target: String) throws {
        var inputs = try Self.seeds(target).map { [UInt8](try Data(contentsOf: $0)) }
        if target == "values" {
            inputs.append(Array("0084512000178\n12,50\n$12\n1e309\n2026-02-30\n-0\n9999999999999999999999\nhttp://\n0.2 kg\n+1\nNov-31-26\n".utf8))
        }
        #expect(!inputs.isEmpty)
        var random = SeededRandom(state: UInt64(truncatingIfNeeded: target.hashValue == 0 ? 1 : target.utf8.reduce(5381) { $0 &* 33 &+ UInt64($1) }))
        var runs = 0
        for input in inputs {
            #expect(FuzzTargets.run(target, input))
            runs += 1
            // Seeded mutations: byte flips, inserted quotes/delimiters/braces, truncation, duplication.
            let small = Array(input.prefix(16 * 1024))
            for _ in 0..<40 {
                var bytes = small
                for _ in 0..<(1 + Int(random.next() % 4)) where !bytes.isEmpty {
                    let at = Int(random.next() % UInt64(bytes.count))
                    switch random.next() % 6 {
                    case 0: bytes[at] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                    case 1: bytes.insert([0x22, 0x2C, 0x09, 0x0A, 0x7B, 0x5B, 0x00, 0xFF][Int(random.next() % 8)], at: at)
                    case 2: bytes.removeSubrange(at..<bytes.count)
                    case 3: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 64)], at: at)
                    case 4: bytes.remove(at: at)
                    default: bytes[at] = [0xC0, 0xED, 0x80, 0x5C, 0x26][Int(random.next() % 5)]
                    }
                }
                FuzzTargets.run(target, bytes)
                runs += 1
            }
        }
        #expect(runs > inputs.count)
    }
}
