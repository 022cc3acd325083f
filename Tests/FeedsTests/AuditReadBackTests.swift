import Catalog
import Config
import Feeds
import Foundation
import Import
import StorePort
import StoreTestSupport
import Testing

@testable import Store

/// Audit hashes each file it reads back in the same pass (issue 20): a byte changed where audit reads no
/// value (a description) is still a finding naming the file; a gzip twin, which is not read back, is
/// hashed on its own.
@Suite struct AuditHashWhileReadingTests {
    @Test(arguments: StoreKind.tested) func aChangedDescriptionIsCaughtByTheHashOfTheReadBack(_ store: StoreKind) throws {
        let h = try FeedHarness(store)
        var options = PublishOptions(outDir: h.out, now: try Timestamp.parse(FeedHarness.now, timeZone: h.config.shop.timeZone))
        options.channels = ["google", "meta"]
        options.gzip = true
        _ = try Publisher(store: h.store, config: h.config, channels: h.channels).run(options) { _ in }
        #expect(try Auditor(store: h.store, config: h.config, channels: h.channels).run(outDir: h.out).findings.isEmpty)
        let tsv = (h.out as NSString).appendingPathComponent("google/products.tsv")
        let text = try String(contentsOfFile: tsv, encoding: .utf8)
        try text.replacingOccurrences(of: "Braided nylon cable", with: "Braided nylon cord!").write(toFile: tsv, atomically: true, encoding: .utf8)
        let gz = (h.out as NSString).appendingPathComponent("meta/catalog.csv.gz")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: gz)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: gz))
        let findings = try Auditor(store: h.store, config: h.config, channels: h.channels).run(outDir: h.out).findings
        #expect(findings.map(\.file).sorted() == [gz, tsv].sorted(), "\(findings.map(\.description))")
        #expect(findings.allSatisfy { $0.column == "sha256" && $0.line == 0 })
    }
}
